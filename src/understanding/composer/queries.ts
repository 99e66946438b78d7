// Queries over one audio analysis: speech status, words and segments within a time range, time references resolved
// against the audio, sound events merged into stretches and ranked by label, and spoken words found with their times.

import type { AudioAnalysis, SoundEvent, TranscriptSegment, Word } from '../../domain/analysis.js';
import { findTimeReferences, formatTime, type TimeRange } from '../time-references.js';
import { AMBIENT_LABELS, SPEECH_LABELS } from '../labels.js';
import { sentences, stem, words } from '../text.js';
import { mostSpecific } from '../ontology.js';
import type { SegmentData, SoundData } from '../types.js';

export const SOUND_MERGE_GAP = 0.5;

export type SpeechStatus = 'transcribed' | 'no-speech' | 'not-analysed';

/** Whether the analysis has a transcript, found no speech, or never ran speech recognition. */
export function speechStatus(a: AudioAnalysis): SpeechStatus {
  if (a.segments.length > 0) return 'transcribed';
  const engine = a.engines.speech;
  const warned = a.warnings.some((w) => /speech|transcri|whisper|sphinx|asr/i.test(w));
  if (!engine || engine === 'none' || warned) return 'not-analysed';
  return 'no-speech';
}

/** The segment's words, or evenly spread words when the engine gave none. */
export function segmentWords(seg: TranscriptSegment): Word[] {
  if (seg.words.length) return seg.words;
  const ws = seg.text.trim().split(/\s+/).filter(Boolean);
  const step = (seg.end - seg.start) / Math.max(1, ws.length);
  return ws.map((text, i) => ({ text, start: seg.start + i * step, end: seg.start + (i + 1) * step }));
}

export function inRange(w: { start: number; end: number }, r: { start: number; end: number }, dur: number): boolean {
  const mid = (w.start + w.end) / 2;
  return mid >= r.start && (mid < r.end || (r.end >= dur && mid <= r.end));
}

/** A point reference widened to the segment(s) spanning it (see the header). */
export function widenPoint(t: number, a: AudioAnalysis): { start: number; end: number } {
  const spanning = a.segments.filter((s) => s.start <= t && s.end >= t);
  if (spanning.length) return { start: Math.min(...spanning.map((s) => s.start)), end: Math.max(...spanning.map((s) => s.end)) };
  const next = a.segments.find((s) => s.start > t && s.start - t <= 5);
  if (next) return { start: next.start, end: next.end };
  return { start: t, end: Math.min(a.durationSec, t + 5) };
}

/** The segments cut to a range: whole segments where every word is inside, else the inside words joined. */
export function sliceSegments(a: AudioAnalysis, r: { start: number; end: number }): SegmentData[] {
  const out: SegmentData[] = [];
  for (const seg of a.segments) {
    if (seg.end < r.start - 30 || seg.start > r.end + 30) continue;
    const ws = segmentWords(seg);
    const inside = ws.filter((w) => inRange(w, r, a.durationSec));
    const first = inside[0];
    const last = inside.at(-1);
    if (!first || !last) continue;
    const text =
      inside.length === ws.length
        ? seg.text.trim()
        : inside
            .map((w) => w.text.trim())
            .join(' ')
            .replace(/\s+([,.;:!?])/g, '$1');
    out.push({ start: first.start, end: last.end, text });
  }
  return out;
}

/** Resolve the time references of a text against an audio: concrete ranges plus the out-of-range ones. */
export function resolveRanges(text: string, a: AudioAnalysis): { ranges: (TimeRange & { shown: string })[]; outside: TimeRange[] } {
  const refs = findTimeReferences(text, a.durationSec);
  const ranges: (TimeRange & { shown: string })[] = [];
  const outside: TimeRange[] = [];
  for (const r of refs) {
    if (r.outOfRange) outside.push(r);
    else if (r.point) {
      const w = widenPoint(r.start, a);
      ranges.push({ ...r, start: w.start, end: w.end, shown: formatTime(r.start) });
    } else ranges.push({ ...r, shown: `${formatTime(r.start)}–${formatTime(r.end)}` });
  }
  return { ranges, outside };
}

/** Merge events of the given labels (or all) into separated stretches per label set. */
export function mergeEvents(
  events: SoundEvent[],
  gap = SOUND_MERGE_GAP,
): { start: number; end: number; score: number; labels: string[] }[] {
  const sorted = [...events].sort((x, y) => x.start - y.start);
  const out: { start: number; end: number; score: number; labels: string[] }[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && e.start <= last.end + gap) {
      last.end = Math.max(last.end, e.end);
      last.score = Math.max(last.score, e.score);
      if (!last.labels.includes(e.label)) last.labels.push(e.label);
    } else out.push({ start: e.start, end: e.end, score: e.score, labels: [e.label] });
  }
  return out;
}

export interface LabelSummary {
  label: string;
  stretches: { start: number; end: number; score: number }[];
  total: number;
  peak: number;
}

/**
 * Sound events grouped by label, ranked by total duration × peak score; speech and ambience labels left out, and
 * each sound named by its most specific class (an event whose AudioSet descendant overlaps it is dropped).
 */
export function soundSummary(a: AudioAnalysis, range?: { start: number; end: number }, includeSpeech = false): LabelSummary[] {
  const by = new Map<string, SoundEvent[]>();
  for (const e of mostSpecific(a.soundEvents)) {
    if (!includeSpeech && (SPEECH_LABELS.has(e.label) || AMBIENT_LABELS.has(e.label))) continue;
    if (range && (e.end <= range.start || e.start >= range.end)) continue;
    const list = by.get(e.label) ?? [];
    list.push(e);
    by.set(e.label, list);
  }
  return [...by.entries()]
    .map(([label, evs]) => {
      const stretches = mergeEvents(evs).map(({ start, end, score }) => ({ start, end, score }));
      const total = stretches.reduce((s, x) => s + (x.end - x.start), 0);
      return { label, stretches, total, peak: Math.max(...evs.map((e) => e.score)) };
    })
    .sort((x, y) => y.total * y.peak - x.total * x.peak || (x.label < y.label ? -1 : 1));
}

export function soundsData(a: AudioAnalysis, labels?: Set<string>, range?: { start: number; end: number }): SoundData[] {
  return mostSpecific(a.soundEvents)
    .filter((e) => (!labels || labels.has(e.label)) && (!range || (e.end > range.start && e.start < range.end)))
    .sort((x, y) => x.start - y.start || y.score - x.score)
    .map((e) => ({ label: e.label, start: e.start, end: e.end, score: e.score }));
}

/** All words of the transcript in time order. */
export function allWords(a: AudioAnalysis): Word[] {
  return a.segments.flatMap((s) => segmentWords(s));
}

export const norm = (w: string) =>
  w
    .toLowerCase()
    .replace(/[^\p{L}\p{N}']/gu, '')
    .replace(/'s$/, '');

/** Occurrences of a spoken word or phrase (each token equal or with the same stem), with times. */
export function findSpoken(a: AudioAnalysis, phrase: string): { start: number; end: number; text: string }[] {
  const q = words(phrase).map(norm).filter(Boolean);
  if (!q.length) return [];
  const ws = allWords(a)
    .map((w) => ({ ...w, n: norm(w.text) }))
    .filter((w) => w.n);
  const out: { start: number; end: number; text: string }[] = [];
  for (let i = 0; i + q.length <= ws.length; i++) {
    let ok = true;
    // i + q.length <= ws.length, so every ws[i + j] (j < q.length) and q[j] is in range
    for (let j = 0; j < q.length && ok; j++) ok = ws[i + j]!.n === q[j] || stem(ws[i + j]!.n) === stem(q[j]!);
    if (ok) {
      out.push({
        start: ws[i]!.start,
        end: ws[i + q.length - 1]!.end,
        text: ws
          .slice(i, i + q.length)
          .map((w) => w.text.trim())
          .join(' '),
      });
      i += q.length - 1;
    }
  }
  return out;
}

export function segmentAround(a: AudioAnalysis, t: number): TranscriptSegment | undefined {
  return a.segments.find((s) => s.start <= t && s.end >= t);
}

export function speechSeconds(a: AudioAnalysis): number {
  const regions = a.speechRegions.length ? a.speechRegions : a.segments;
  return regions.reduce((s, r) => s + Math.max(0, Math.min(r.end, a.durationSec) - Math.max(0, r.start)), 0);
}

export interface Unit {
  text: string;
  start: number;
  end: number;
}

export function speechUnits(a: AudioAnalysis, range?: { start: number; end: number }): Unit[] {
  const out: Unit[] = [];
  for (const seg of a.segments) {
    const text = seg.text.trim();
    const ss = sentences(text);
    const len = text.length || 1;
    for (const s of ss.length ? ss : [{ text, from: 0, to: len }]) {
      const u = {
        text: s.text,
        start: seg.start + ((seg.end - seg.start) * s.from) / len,
        end: seg.start + ((seg.end - seg.start) * s.to) / len,
      };
      if (!range || inRange(u, range, a.durationSec)) out.push(u);
    }
  }
  return out;
}
