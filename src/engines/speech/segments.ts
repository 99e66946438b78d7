// Pure helpers for transcript segments: moving a window's segments onto the file's clock, and cutting long PCM into
// windows at quiet points, so every speech engine maps windows to file time the same way.

import type { TranscriptSegment } from '../../domain/analysis.js';
import { SAMPLE_RATE } from '../../domain/audio.js';

/** Segments (and their words) moved by `offsetSec`: a window's times become times on the file's clock. */
export function shiftSegments(segments: readonly TranscriptSegment[], offsetSec: number): TranscriptSegment[] {
  if (!Number.isFinite(offsetSec)) throw new RangeError(`shiftSegments: offset must be a finite number, got ${offsetSec}`);
  const round = (t: number) => Math.round((t + offsetSec) * 1000) / 1000;
  return segments.map((s) => ({
    ...s,
    start: round(s.start),
    end: round(s.end),
    words: s.words.map((w) => ({ ...w, start: round(w.start), end: round(w.end) })),
  }));
}

export interface PcmWindow {
  /** first sample (inclusive) */
  start: number;
  /** last sample (exclusive) */
  end: number;
}

/**
 * Cut `pcm` into consecutive windows of at most `windowSec` seconds. Each cut falls at the quietest 100 ms frame in
 * the last fifth of the window (at most 30 s before the limit), so cuts land in pauses rather than inside words.
 */
export function planWindows(pcm: Float32Array, windowSec: number, sampleRate = SAMPLE_RATE): PcmWindow[] {
  const max = Math.floor(windowSec * sampleRate);
  if (!(max > 0)) throw new RangeError(`planWindows: windowSec must be > 0, got ${windowSec}`);
  const frame = Math.floor(sampleRate / 10);
  const windows: PcmWindow[] = [];
  let start = 0;
  while (pcm.length - start > max) {
    const limit = start + max;
    const searchFrom = Math.max(start + frame, limit - Math.min(Math.floor(max / 5), 30 * sampleRate));
    let bestAt = limit;
    let bestEnergy = Infinity;
    for (let f = searchFrom; f + frame <= limit; f += frame) {
      let e = 0;
      // f + frame <= limit < pcm.length, so every index is in range
      for (let i = f; i < f + frame; i++) e += pcm[i]! * pcm[i]!;
      if (e < bestEnergy) {
        bestEnergy = e;
        bestAt = f + Math.floor(frame / 2);
      }
    }
    windows.push({ start, end: bestAt });
    start = bestAt;
  }
  if (start < pcm.length || windows.length === 0) windows.push({ start, end: pcm.length });
  return windows;
}
