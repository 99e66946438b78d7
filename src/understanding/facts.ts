// Per-segment facts read from the analysis, never guessed: who speaks (diarization), in which language (only when a
// multilingual engine identified it), the translation (only when the analysis holds one, or the segment is already
// in the target language), and an emotion only where a vocal sound event (laughter, crying, shouting…) overlaps it.

import type { AudioAnalysis, SoundEvent } from '../domain/analysis.js';
import type { EmotionFact, SegmentData } from './types.js';
import { languageName } from '../domain/languages.js';

/** The emotions a schema usually offers, and the sound classifier's vocal classes that are evidence of each. */
export const EMOTION_EVIDENCE: Readonly<Record<EmotionFact['value'], readonly string[]>> = {
  happy: ['Laughter', 'Baby laughter', 'Giggle', 'Snicker', 'Belly laugh', 'Chuckle, chortle'],
  sad: ['Crying, sobbing', 'Baby cry, infant cry', 'Whimper', 'Wail, moan'],
  angry: ['Screaming', 'Shout', 'Yell', 'Bellow'],
};

/** The neutral default a schema gets when it forces an emotion and there is no evidence (never called a detection). */
export const NEUTRAL_EMOTION = 'neutral';

const overlap = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));

/** Whether diarization ran for this analysis (speakers may still be an empty list: no speech). */
export function hasDiarization(a: AudioAnalysis): boolean {
  return Array.isArray(a.speakers);
}

/** Why there are no speaker labels: the analysis' own warning, else a plain statement. */
export function diarizationUnavailable(a: AudioAnalysis): string {
  const ws = a.warnings.filter((w) => /speaker|diari[sz]/i.test(w));
  return ws.length
    ? `Speaker diarization is unavailable for this audio: ${ws.join(' ')}`
    : 'Speaker diarization is unavailable for this audio: no speaker model was available when it was analysed.';
}

/** The speaker of a stretch: the diarization turn overlapping it most, or the segment's own label. */
export function speakerOf(a: AudioAnalysis, span: { start: number; end: number; speaker?: string }): string | undefined {
  if (!hasDiarization(a)) return undefined;
  if (span.speaker) return span.speaker;
  let best: string | undefined;
  let most = 0;
  for (const t of a.speakers ?? []) {
    const o = overlap(t, span);
    if (o > most) [best, most] = [t.speaker, o];
  }
  return best;
}

/** Speaker labels in order of first appearance (turns, then segment labels). */
export function speakerLabels(a: AudioAnalysis): string[] {
  if (!hasDiarization(a)) return [];
  const firsts = new Map<string, number>();
  for (const t of a.speakers ?? []) if (!firsts.has(t.speaker) || t.start < firsts.get(t.speaker)!) firsts.set(t.speaker, t.start);
  for (const s of a.segments) if (s.speaker && !firsts.has(s.speaker)) firsts.set(s.speaker, s.start);
  return [...firsts.entries()].sort((x, y) => x[1] - y[1]).map(([k]) => k);
}

/** "spk_2" → "Speaker 2"; other labels as they are. */
export function speakerName(label: string): string {
  const m = /^spk_(\d+)$/.exec(label);
  return m ? `Speaker ${m[1]}` : label;
}

/** The translation a transcript segment carries, if an engine added one (`translation` on the segment). */
function carriedTranslation(seg: object): string | undefined {
  const t = (seg as { translation?: unknown }).translation;
  return typeof t === 'string' && t.trim() ? t.trim() : undefined;
}

const base = (code: string) => code.toLowerCase().split(/[-_]/)[0];

/**
 * The translation of a segment into `target` (a language code, English by default): the engine's translation when
 * the analysis carries one; the segment's own text when it is already in the target language; else undefined.
 */
export function translationOf(seg: { text: string; language?: string; translation?: string }, target = 'en'): string | undefined {
  if (seg.translation) return seg.translation;
  if (seg.language && base(seg.language) === base(target)) return seg.text;
  return undefined;
}

/**
 * A segment in `target` (a language's English name, lower case): the engine's translation when the target is
 * English, or the segment itself when it is already in the target language; undefined when the analysis holds neither.
 */
export function translationInto(seg: { text: string; language?: string; translation?: string }, target: string): string | undefined {
  if (target === 'english') return translationOf(seg, 'en');
  return seg.language && languageName(seg.language).toLowerCase() === target ? seg.text : undefined;
}

/** The strongest vocal sound event overlapping a stretch that is evidence of an emotion. */
export function emotionEvidence(a: AudioAnalysis, span: { start: number; end: number }): EmotionFact | undefined {
  let best: { value: EmotionFact['value']; e: SoundEvent } | undefined;
  for (const e of a.soundEvents) {
    if (overlap(e, span) <= 0 && !(span.end === span.start && e.start <= span.start && e.end >= span.start)) continue;
    for (const [value, labels] of Object.entries(EMOTION_EVIDENCE) as [EmotionFact['value'], readonly string[]][]) {
      if (labels.includes(e.label) && (!best || e.score > best.e.score)) best = { value, e };
    }
  }
  return best && { value: best.value, evidence: { label: best.e.label, start: best.e.start, end: best.e.end, score: best.e.score } };
}

/**
 * Segments with their facts attached: speaker, language and translation from the transcript segment they come from
 * (the one overlapping them most), emotion from overlapping vocal sound events. Absent facts stay absent.
 */
export function withFacts(a: AudioAnalysis, segs: readonly SegmentData[]): SegmentData[] {
  return segs.map((s) => {
    let src: (typeof a.segments)[number] | undefined;
    let most = -1;
    for (const t of a.segments) {
      const o = overlap(t, s) || (t.start <= s.start && t.end >= s.start ? 1e-9 : 0);
      if (o > most && o > 0) [src, most] = [t, o];
    }
    const out: SegmentData = { ...s };
    const speaker = speakerOf(a, { start: s.start, end: s.end, speaker: s.speaker ?? src?.speaker });
    if (speaker) out.speaker = speaker;
    const language = s.language ?? src?.language;
    if (language) out.language = language;
    const carried = src && src.text.trim() === s.text ? carriedTranslation(src) : undefined;
    if (carried) out.translation = carried;
    const emotion = emotionEvidence(a, s);
    if (emotion) out.emotion = emotion;
    if (src?.emotionReading) out.emotionReading = src.emotionReading;
    return out;
  });
}
