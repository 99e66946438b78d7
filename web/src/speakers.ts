// Speakers and languages as the playground shows them, computed without the DOM (unit-tested under Node): a colour
// per diarization label, the legend's rows, the waveform's speech regions coloured by speaker, and segment badges.
import type { AudioAnalysis, TranscriptSegment } from '../../src/domain/analysis.js';
import { languageName } from '../../src/domain/languages.js';

/** Okabe–Ito colours: told apart with the common colour-vision deficiencies, on light and dark backgrounds. */
export const SPEAKER_COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#999999'];

export interface LegendRow {
  label: string;
  name: string;
  colour: string;
  /** seconds of speech in this speaker's turns */
  seconds: number;
}

/** "spk_2" → "Speaker 2"; other labels as they are. */
export function speakerName(label: string): string {
  const m = /^spk_(\d+)$/.exec(label);
  return m ? `Speaker ${m[1]}` : label;
}

/** Speaker labels in order of first appearance (turns first, then segment labels). */
export function speakerOrder(a: AudioAnalysis): string[] {
  const first = new Map<string, number>();
  for (const t of a.speakers ?? []) if (!first.has(t.speaker) || t.start < first.get(t.speaker)!) first.set(t.speaker, t.start);
  for (const s of a.segments) if (s.speaker && !first.has(s.speaker)) first.set(s.speaker, s.start);
  return [...first.entries()].sort((x, y) => x[1] - y[1]).map(([k]) => k);
}

/** A colour per speaker label, by order of first appearance (cycling past eight speakers). */
export function speakerColours(a: AudioAnalysis): Map<string, string> {
  return new Map(speakerOrder(a).map((l, i) => [l, SPEAKER_COLOURS[i % SPEAKER_COLOURS.length]!])); // the palette is not empty
}

/** The legend's rows; empty when diarization did not run (or found nobody). */
export function speakerLegend(a: AudioAnalysis): LegendRow[] {
  const colours = speakerColours(a);
  return [...colours.entries()].map(([label, colour]) => ({
    label,
    name: speakerName(label),
    colour,
    seconds: (a.speakers ?? []).filter((t) => t.speaker === label).reduce((s, t) => s + (t.end - t.start), 0),
  }));
}

export interface Region {
  start: number;
  end: number;
  /** the speaker's colour; absent for plain speech regions (no diarization) */
  colour?: string;
  speaker?: string;
}

/** What the waveform shades: speaker turns in their colours when diarization ran, else the VAD's speech regions. */
export function waveRegions(a: AudioAnalysis): Region[] {
  if (a.speakers?.length) {
    const colours = speakerColours(a);
    return a.speakers.map((t) => ({ start: t.start, end: t.end, speaker: t.speaker, colour: colours.get(t.speaker) }));
  }
  return a.speechRegions.map((r) => ({ start: r.start, end: r.end }));
}

/** The speaker of a segment: its own label, else the turn overlapping it most. */
export function segmentSpeaker(a: AudioAnalysis, s: TranscriptSegment): string | undefined {
  if (s.speaker) return s.speaker;
  let best: string | undefined;
  let most = 0;
  for (const t of a.speakers ?? []) {
    const o = Math.min(t.end, s.end) - Math.max(t.start, s.start);
    if (o > most) [best, most] = [t.speaker, o];
  }
  return best;
}

/** A segment's language badge: the code as shown and its name for the tooltip; undefined when not identified. */
export function languageBadge(s: TranscriptSegment): { code: string; name: string } | undefined {
  if (!s.language) return undefined;
  return { code: s.language, name: languageName(s.language) };
}

/** The languages of the transcript, in order of first appearance (for the transcript's header). */
export function transcriptLanguages(a: AudioAnalysis): string[] {
  return [...new Set(a.segments.map((s) => s.language).filter((l): l is string => !!l))];
}
