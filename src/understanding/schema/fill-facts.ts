// Schema fields that ask for a fact about a segment or clip — speaker, language, language code, translation,
// emotion — filled from the analysis' facts (src/understanding/facts.ts) by meaning, never from unrelated text.
//
// Documented behaviour (the guide's structured example and any schema like it):
// - speaker: the diarization label as "Speaker N" (spk_2 → "Speaker 2"; the raw label when a pattern or enum wants
//   it); "" when diarization did not run or no turn covers the segment. Never an invented name.
// - language: the English name of the segment's identified language ("Spanish"); language_code: its BCP-47 code
//   ("es"). "" when no multilingual engine identified it — never a default "en". A field about the whole clip (no
//   segment) takes the segments' dominant language, else the file-level language the speech engine reported.
// - Where an enum forbids "", an absent fact takes the enum's "unknown"/"none"/"n/a"/"other" value if it has one.
// - translation (into English): the engine's translation when the analysis carries one; the content itself when the
//   segment is identified as English already; else "".
// - emotion: happy / sad / angry when a vocal sound event (Laughter…, Crying…, Shout/Yell/Screaming…) overlaps the
//   segment; else the configured language model's reading of its words (emotion-reading.ts), when one was made;
//   otherwise the neutral default ("neutral", or the enum's neutral/unknown/none value), a default, not a detection.
// - A field that must not be empty (minLength, a pattern or an enum without an empty or neutral value) and has no
//   fact is left out when optional; when required, the request is a 400 SCHEMA_NO_FACT naming the field — Earshot
//   does not fill it with a guess.

import { EarshotError } from '../../domain/errors.js';
import { NEUTRAL_EMOTION, speakerName, translationOf } from '../facts.js';
import { languageName } from '../../domain/languages.js';
import type { ClipAnswer, SegmentData } from '../types.js';
import type { JsonSchema } from './convert.js';

export type FactKind = 'speaker' | 'language-name' | 'language-code' | 'translation' | 'emotion';

/** Returned for an optional fact field with no honest value: the object leaves the key out. */
export const OMIT: unique symbol = Symbol('omit');

const words = (s: string | undefined) =>
  (s ?? '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

function kindFromWords(ws: string[]): FactKind | undefined {
  const has = (re: RegExp) => ws.some((w) => re.test(w));
  if (has(/^(count|number|num|total|n|how)$/)) return undefined;
  if (has(/^(translation|translations|translated)$/)) return 'translation';
  if (has(/^(emotion|emotions|sentiment|mood|feeling|feelings|affect|tone)$/)) return 'emotion';
  if (has(/^(language|languages|lang|locale|languagecode)$/)) {
    return has(/^(code|codes|iso|bcp|bcp47|tag|locale|id|languagecode)$/) ? 'language-code' : 'language-name';
  }
  if (has(/^(speaker|speakers|spk|diarization|voice)$/)) return 'speaker';
  return undefined;
}

/**
 * The fact a string field asks for, from its name; from its description only when the name says nothing
 * itself ("value", "who", "label"...). Undefined for every other field.
 */
export function factKind(name: string | undefined, s: JsonSchema): FactKind | undefined {
  const type = Array.isArray(s.type) ? s.type.filter((t: string) => t !== 'null')[0] : s.type;
  const enumStrings = Array.isArray(s.enum) && s.enum.some((v: unknown) => typeof v === 'string');
  if (type !== undefined && type !== 'string' && !enumStrings) return undefined;
  const byName = kindFromWords(words(name));
  if (byName) return byName;
  if (name && !/^(value|label|tag|who|field|info|attribute)$/i.test(name)) return undefined;
  const kind = kindFromWords(words(typeof s.description === 'string' ? s.description : ''));
  if (kind === 'language-name' && /\b(code|iso|bcp)/i.test(s.description ?? '')) return 'language-code';
  return kind;
}

function dominant<T>(segs: SegmentData[], pick: (s: SegmentData) => T | undefined): T | undefined {
  const by = new Map<T, number>();
  for (const s of segs) {
    const v = pick(s);
    if (v !== undefined) by.set(v, (by.get(v) ?? 0) + Math.max(0.001, s.end - s.start));
  }
  return [...by.entries()].sort((x, y) => y[1] - x[1])[0]?.[0];
}

/** Candidate values for the fact, best first; empty when the analysis holds no such fact. */
function candidates(kind: FactKind, seg: SegmentData | undefined, clip: ClipAnswer | undefined): string[] {
  const segs = seg ? [seg] : (clip?.segments ?? clip?.fallback?.segments ?? []);
  switch (kind) {
    case 'speaker': {
      const labels = seg ? [seg.speaker].filter((x): x is string => !!x) : clip?.speakers?.length === 1 ? clip.speakers : [];
      return labels.flatMap((l) => [speakerName(l), l]);
    }
    case 'language-code': {
      const code = dominant(segs, (s) => s.language) ?? (seg ? undefined : clip?.language);
      return code ? [code] : [];
    }
    case 'language-name': {
      const code = dominant(segs, (s) => s.language) ?? (seg ? undefined : clip?.language);
      return code ? [languageName(code), code] : [];
    }
    case 'translation': {
      const parts = segs.map((s) => translationOf(s));
      return segs.length && parts.every((p) => p !== undefined) ? [parts.join(' ')] : [];
    }
    case 'emotion': {
      const withEvidence = segs.filter((s) => s.emotion).sort((x, y) => y.emotion!.evidence.score - x.emotion!.evidence.score);
      const top = withEvidence[0]?.emotion;
      if (top) return [top.value];
      // no vocal sound: the language model's reading of the words, when one was made for this answer
      const read = dominant(segs, (s) => s.emotionReading?.value);
      return read ? [read] : [];
    }
  }
}

const WHY: Record<FactKind, [string, string]> = {
  speaker: ['a speaker label', 'diarization did not run or no speaker turn covers this stretch'],
  'language-name': ['the spoken language', 'no multilingual speech engine identified it'],
  'language-code': ['a language code', 'no multilingual speech engine identified it'],
  translation: ['a translation', 'the analysis holds no translation and the speech is not identified as the target language'],
  emotion: [
    'an emotion',
    'no vocal sound such as laughter, crying or shouting overlaps it, no language model read the words, and the enum has no neutral value',
  ],
};

/**
 * The value for a fact field: the first candidate the schema accepts (`accepts` checks type, enum, pattern and
 * lengths), else the empty / neutral default, else OMIT (optional) or a 400 (required).
 */
export function fillFact(
  kind: FactKind,
  s: JsonSchema,
  name: string,
  seg: SegmentData | undefined,
  clip: ClipAnswer | undefined,
  required: boolean,
  accepts: (v: unknown) => boolean,
): unknown {
  const enumValues: unknown[] | undefined = Array.isArray(s.enum) ? s.enum : undefined;
  const pickFrom = (vs: string[]): unknown => {
    for (const v of vs) {
      if (enumValues) {
        const hit = enumValues.find(
          (e) =>
            typeof e === 'string' && (e.toLowerCase() === v.toLowerCase() || (numberOf(e) !== undefined && numberOf(e) === numberOf(v))),
        );
        if (hit !== undefined && accepts(hit)) return hit;
      } else if (accepts(v)) return v;
    }
    return OMIT;
  };
  const found = pickFrom(candidates(kind, seg, clip));
  if (found !== OMIT) return found;
  const unknown = enumValues ? ['unknown', 'none', 'n/a', 'other', 'unclear', 'not applicable'] : [];
  const defaults = kind === 'emotion' ? [NEUTRAL_EMOTION, ...unknown, ''] : ['', ...unknown];
  const fallback = pickFrom(defaults);
  if (fallback !== OMIT) return fallback;
  if (enumValues?.includes(null) && accepts(null)) return null;
  if (!required) return OMIT;
  const [fact, why] = WHY[kind];
  throw new EarshotError('SCHEMA_NO_FACT', { field: name, fact, why });
}

/** "Speaker 2" / "spk_2" → 2, so enums of either form match; undefined for other values. */
function numberOf(v: string): number | undefined {
  const m = /^(?:speaker|spk)[ _-]?(\d+)$/i.exec(v.trim());
  return m ? Number(m[1]) : undefined;
}
