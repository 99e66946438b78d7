// The answer as JSON without a schema (its natural structure), and the enum value an answer supports best.

import { formatTimestamp } from '../time-references.js';
import type { AnswerData, ClipAnswer } from '../types.js';

/**
 * The enum value the answer supports best: yes/no from presence, a value naming a detected sound (+3) or speech
 * when there is a transcript (+3), a value the answer text mentions (+2, not when negated as "no X"); else a
 * neutral value (unknown/other/none) or the first.
 */
export function bestEnumValue(values: string[], data: AnswerData): string {
  const text = data.answer.toLowerCase();
  const soundText = data.clips
    .flatMap((c) => (c.sounds ?? c.fallback?.sounds ?? []).map((s) => s.label))
    .join('; ')
    .toLowerCase();
  const speech = data.clips.some((c) => !!(c.transcript ?? c.fallback?.transcript));
  const present = data.clips.some((c) => c.present === true);
  const absent = data.clips.length > 0 && data.clips.every((c) => c.present === false);
  let best = '';
  let bestScore = 0;
  for (const v of values) {
    const lv = v.toLowerCase();
    const esc = lv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    let score = 0;
    if (present && /^(yes|true|present|detected)$/.test(lv)) score += 5;
    if (absent && /^(no|false|absent|not detected|none)$/.test(lv)) score += 5;
    if (lv.length > 2 && new RegExp(`\\b${esc}`).test(soundText)) score += 3;
    if (speech && /^(speech|spoken|talk|talking|voice|narration|conversation)$/.test(lv)) score += 3;
    if (lv.length > 2 && new RegExp(`\\b${esc}`).test(text) && !new RegExp(`\\bno ${esc}`).test(text)) score += 2;
    if (score > bestScore) {
      best = v;
      bestScore = score;
    }
  }
  if (best) return best;
  return values.find((v) => /^(unknown|other|none|neutral|n\/a|unclear|mixed)$/i.test(v)) ?? values[0] ?? ''; // callers pass a non-empty list
}

/** The answer as a JSON object with its natural structure, for JSON mode without a schema. */
export function naturalJson(data: AnswerData): Record<string, unknown> {
  const clipJson = (c: ClipAnswer) => {
    const o: Record<string, unknown> = {};
    if (c.name) o.name = c.name;
    o.duration = Math.round(c.durationSec * 1000) / 1000;
    o.answer = c.answer;
    for (const k of ['transcript', 'summary', 'description', 'language', 'count', 'present', 'time', 'keywords'] as const) {
      if (c[k] !== undefined) o[k] = c[k];
    }
    if (c.segments)
      o.segments = c.segments.map((x) => ({
        start: round3(x.start),
        end: round3(x.end),
        timestamp: formatTimestamp(x.start),
        text: x.text,
      }));
    if (c.sounds) o.sounds = c.sounds.map((x) => ({ label: x.label, start: round3(x.start), end: round3(x.end), score: round3(x.score) }));
    return o;
  };
  const [only] = data.clips;
  if (data.clips.length === 1 && only) return { kind: data.kind, ...clipJson(only) };
  return { kind: data.kind, answer: data.answer, clips: data.clips.map((c) => ({ audio: c.audioIndex + 1, ...clipJson(c) })) };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
