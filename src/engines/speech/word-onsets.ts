// Sharpens Whisper's word start times with the audio's own energy: whisper.cpp's plain token timestamps (the binding
// exposes no DTW) give a word the silence before it, so a word after a pause starts where the pause starts. Each
// word start is moved to the nearest onset (quiet → sound) the audio shows near the token's time, and kept
// where the audio shows none (connected speech).

import type { TranscriptSegment, Word } from '../../domain/analysis.js';
import { SAMPLE_RATE } from '../../domain/audio.js';

/** 10 ms analysis frames. */
const FRAME_SEC = 0.01;
/** A quiet stretch must last this long before a rise counts as an onset (stop closures inside words are shorter). */
const MIN_QUIET_SEC = 0.06;
/** How far before a token's start an onset may pull the word back. */
const LOOK_BACK_SEC = 0.25;
/** How far past a token's end an onset may push the word on (whisper.cpp sometimes ends a token early). */
const LOOK_AHEAD_SEC = 0.1;

export interface EnergyTrack {
  /** frame energy in dB, one per FRAME_SEC */
  db: Float32Array;
  quiet: number;
  loud: number;
}

/** Frame energies and two levels: below `quiet` is a pause, above `loud` is sound (relative to the window's own range). */
export function energyTrack(pcm: Float32Array, sampleRate = SAMPLE_RATE): EnergyTrack {
  const frame = Math.round(FRAME_SEC * sampleRate);
  const n = Math.floor(pcm.length / frame);
  const db = new Float32Array(n);
  for (let f = 0; f < n; f++) {
    let e = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) e += pcm[i]! * pcm[i]!; // (f + 1) * frame <= pcm.length
    db[f] = 10 * Math.log10(e / frame + 1e-12);
  }
  const sorted = Float32Array.from(db).sort();
  const pct = (p: number) => (n ? sorted[Math.min(n - 1, Math.floor(p * n))]! : -120);
  const floor = Math.max(pct(0.1), -80);
  const peak = pct(0.98);
  return { db, quiet: Math.max(floor + 6, peak - 40), loud: Math.max(floor + 12, peak - 30) };
}

/**
 * Onset times (seconds) in the track: the first frame above `quiet` after at least MIN_QUIET_SEC of quiet, when the
 * sound then reaches `loud` within 100 ms (a click or breath that never gets loud is not a word).
 */
export function onsets(track: EnergyTrack): number[] {
  const { db, quiet, loud } = track;
  const minQuiet = Math.round(MIN_QUIET_SEC / FRAME_SEC);
  const out: number[] = [];
  let quietRun = minQuiet; // the window's start counts as after a pause
  for (let f = 0; f < db.length; f++) {
    if (db[f]! < quiet) {
      quietRun++;
      continue;
    }
    if (quietRun >= minQuiet) {
      let reaches = false;
      for (let g = f; g < Math.min(db.length, f + 10); g++) if (db[g]! >= loud) reaches = true;
      if (reaches) out.push(f * FRAME_SEC);
    }
    quietRun = 0;
  }
  return out;
}

/**
 * The part of `pcm` worth decoding, in samples: from `marginSec` before its first frame above the quiet level to
 * `marginSec` after its last; undefined when no frame rises above it (silence, or sound with no level change).
 * Whisper's timestamps drift across long silence before speech, so the silence is not given to it.
 */
export function audibleSpan(pcm: Float32Array, marginSec = 0.5, sampleRate = SAMPLE_RATE): { start: number; end: number } | undefined {
  const { db, quiet } = energyTrack(pcm, sampleRate);
  let first = -1;
  let last = -1;
  for (let f = 0; f < db.length; f++) {
    if (db[f]! < quiet) continue;
    if (first < 0) first = f;
    last = f;
  }
  if (first < 0) return undefined;
  const frame = Math.round(FRAME_SEC * sampleRate);
  const margin = Math.round(marginSec * sampleRate);
  return { start: Math.max(0, first * frame - margin), end: Math.min(pcm.length, (last + 1) * frame + margin) };
}

/**
 * Which onset each word starts at (index into `ons`, or -1 to keep the token's time): a monotonic alignment that
 * gives as many words as possible an onset inside their window, and among those the onsets closest to the tokens'
 * starts. A word's window runs from LOOK_BACK_SEC before its token (or from the previous token's start, when that is
 * earlier: a token may come late, after the pause that followed its word) to LOOK_AHEAD_SEC after its end. A word whose token starts in a pause (`startsQuiet`) is
 * owed the onset that ends the pause, before any later word. Onsets left over are pauses inside words.
 */
export function alignOnsets(
  words: readonly { start: number; end: number }[],
  ons: readonly number[],
  startsQuiet: readonly boolean[] = [],
): number[] {
  const W = words.length;
  const O = ons.length;
  const cols = O + 1;
  // score = matches * BIG - total distance; BIG exceeds any possible total distance
  const BIG = 1e6;
  const score = new Float64Array((W + 1) * cols);
  const move = new Uint8Array((W + 1) * cols); // 1 skip word, 2 skip onset, 3 match
  // the tables are (W + 1) x cols and every index below stays inside them
  for (let i = 0; i <= W; i++) {
    const w = i > 0 ? words[i - 1] : undefined;
    const prev = i > 1 ? words[i - 2] : undefined;
    for (let j = 0; j <= O; j++) {
      if (i === 0 && j === 0) continue;
      let best = -Infinity;
      let how = 0;
      if (i > 0 && score[(i - 1) * cols + j]! > best) [best, how] = [score[(i - 1) * cols + j]!, 1];
      if (j > 0 && score[i * cols + j - 1]! > best) [best, how] = [score[i * cols + j - 1]!, 2];
      const o = j > 0 ? ons[j - 1] : undefined;
      if (w && o !== undefined) {
        const from = Math.min(w.start - LOOK_BACK_SEC, prev ? prev.start + 0.05 : -Infinity);
        if (o >= from && o <= w.end + LOOK_AHEAD_SEC) {
          const cost = startsQuiet[i - 1] && o >= w.start ? -1 : Math.abs(o - w.start);
          const v = score[(i - 1) * cols + j - 1]! + BIG - cost;
          if (v > best) [best, how] = [v, 3];
        }
      }
      score[i * cols + j] = best;
      move[i * cols + j] = how;
    }
  }
  const out = new Array<number>(W).fill(-1);
  for (let i = W, j = O; i > 0 || j > 0; ) {
    const how = move[i * cols + j];
    if (how === 3) out[--i] = --j;
    else if (how === 1) i--;
    else j--;
  }
  return out;
}

/**
 * Segments (times relative to `pcm`'s start) with word starts moved onto the audio's onsets (see alignOnsets).
 * whisper.cpp gives a pause to a token next to it, so a token's span usually holds its word's onset; connected
 * speech shows no onsets and keeps the token times. A word ends by the next word's start (and not before its own); segment bounds
 * follow their words.
 */
export function refineWordStarts(segments: readonly TranscriptSegment[], pcm: Float32Array, sampleRate = SAMPLE_RATE): TranscriptSegment[] {
  const track = energyTrack(pcm, sampleRate);
  const ons = onsets(track);
  const all = segments.flatMap((s) => s.words);
  const quietAt = (t: number) => {
    const f = Math.floor(t / FRAME_SEC);
    return f >= 0 && f < track.db.length && track.db[f]! < track.quiet;
  };
  const pick = alignOnsets(
    all,
    ons,
    all.map((w) => quietAt(w.start)),
  );
  const round = (t: number) => Math.round(t * 1000) / 1000;
  let prevStart = -Infinity;
  // pick -1 (no onset) reads no onset and keeps the token's start
  const starts = all.map((w, k) => (prevStart = round(Math.max(ons[pick[k] ?? -1] ?? w.start, prevStart))));
  let k = 0;
  return segments.map((s) => {
    const words: Word[] = s.words.map((w) => {
      const start = starts[k] ?? w.start; // starts holds one per word of `all`
      // a word ends by the time the next one starts
      const end = Math.max(start, Math.min(w.end, starts[k + 1] ?? Infinity));
      k++;
      return { ...w, start, end };
    });
    const [first] = words;
    const last = words.at(-1);
    if (!first || !last) return { ...s, words };
    return { ...s, words, start: first.start, end: Math.max(s.end, last.end) };
  });
}
