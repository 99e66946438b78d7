// Transcript output formats for `earshot transcribe` and the OpenAI-compatible endpoint: plain text, SubRip (SRT), WebVTT and JSON,
// each following its format exactly (SRT: "HH:MM:SS,mmm --> HH:MM:SS,mmm", numbered cues, blank line
// between cues; VTT: "WEBVTT" header, "HH:MM:SS.mmm" times). With `speakers`, cues carry the diarization label:
// a voice span in VTT (`<v spk_1>text`), a "[spk_1] " prefix in SRT and text; unlabelled segments stay plain.

import type { TranscriptSegment } from './analysis.js';

export type TranscriptFormat = 'text' | 'srt' | 'vtt' | 'json';

export interface TranscriptOptions {
  /** label each cue with its segment's speaker (TranscriptSegment.speaker, from diarization) */
  speakers?: boolean;
}

function clock(sec: number, sep: ',' | '.'): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const r = ms % 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${sep}${String(r).padStart(3, '0')}`;
}

/** Cue text may not contain a blank line (it would end the cue) nor, in VTT, "-->". */
function cueText(text: string): string {
  return text
    .replace(/\r?\n\s*\r?\n/g, '\n')
    .replace(/-->/g, '->')
    .trim();
}

/** "[spk_1] " when speakers are asked for and the segment has one. */
const prefix = (s: TranscriptSegment, o: TranscriptOptions) => (o.speakers && s.speaker ? `[${s.speaker}] ` : '');

/** VTT cue text escapes & and < (they start entities and tags); the voice tag's annotation may not hold > either. */
const vttEscape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function toSrt(segments: readonly TranscriptSegment[], options: TranscriptOptions = {}): string {
  return segments
    .filter((s) => s.text.trim())
    .map(
      (s, i) => `${i + 1}\n${clock(s.start, ',')} --> ${clock(Math.max(s.end, s.start), ',')}\n${prefix(s, options)}${cueText(s.text)}\n`,
    )
    .join('\n');
}

export function toVtt(segments: readonly TranscriptSegment[], options: TranscriptOptions = {}): string {
  const cues = segments
    .filter((s) => s.text.trim())
    .map((s) => {
      const voice = options.speakers && s.speaker ? `<v ${vttEscape(s.speaker).replace(/>/g, '&gt;')}>` : '';
      return `${clock(s.start, '.')} --> ${clock(Math.max(s.end, s.start), '.')}\n${voice}${vttEscape(cueText(s.text))}\n`;
    });
  return `WEBVTT\n\n${cues.join('\n')}`;
}

export function toText(segments: readonly TranscriptSegment[], options: TranscriptOptions = {}): string {
  if (options.speakers && segments.some((s) => s.speaker)) {
    return (
      segments
        .filter((s) => s.text.trim())
        .map((s) => `${prefix(s, options)}${s.text.trim()}`)
        .join('\n') + '\n'
    );
  }
  return (
    segments
      .map((s) => s.text.trim())
      .filter(Boolean)
      .join(' ') + '\n'
  );
}

export function formatTranscript(
  segments: readonly TranscriptSegment[],
  format: TranscriptFormat,
  extra: object = {},
  options: TranscriptOptions = {},
): string {
  switch (format) {
    case 'srt':
      return toSrt(segments, options);
    case 'vtt':
      return toVtt(segments, options);
    case 'json':
      return `${JSON.stringify({ ...extra, segments }, null, 2)}\n`;
    default:
      return toText(segments, options);
  }
}

/** Parse SRT back (used by tests to check round trips, and handy for users). */
export function parseSrt(text: string): { index: number; start: number; end: number; text: string }[] {
  const blocks = text.replace(/\r\n/g, '\n').trim().split(/\n\n+/);
  return blocks.filter(Boolean).map((b) => {
    const [indexLine = '', timeLine = '', ...textLines] = b.split('\n');
    const m = /^(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)$/.exec(timeLine);
    if (!/^\d+$/.test(indexLine) || !m) throw new Error(`malformed SRT cue: ${b.slice(0, 80)}`);
    const [, h1, m1, s1, ms1, h2, m2, s2, ms2] = m; // every group is mandatory
    const t = (h = '', min = '', s = '', ms = '') => +h * 3600 + +min * 60 + +s + +ms / 1000;
    return { index: Number(indexLine), start: t(h1, m1, s1, ms1), end: t(h2, m2, s2, ms2), text: textLines.join('\n') };
  });
}
