// Plans ASR windows from VAD speech regions: each window starts and ends on speech, stays within
// `maxWindowSec`, and is cut at the longest pause available (never inside speech unless one region alone is
// longer than the maximum, in which case it is cut at its quietest point).
//
// Rules, in order:
//   1. overlapping/touching regions merge; pauses ≥ `splitPauseSec` (default 2 s) always end a window, so a
//      window never carries long silence (which makes recognisers hallucinate or waste time);
//   2. greedily, a window takes as many following regions as fit in `maxWindowSec`; if not all fit, it ends at
//      the longest pause among the cut points that leave it at least `minWindowSec` long (default half the max;
//      ties go to the later pause), so windows stay long and cuts land in the most natural gaps;
//   3. a single region longer than the maximum is cut at the quietest 10 ms hop (lowest 30 ms RMS) between
//      `minWindowSec` and `maxWindowSec` after the window start when `pcm` is given, else exactly at the max.

import type { SpeechRegion } from '../../domain/analysis.js';
import { SAMPLE_RATE } from '../../domain/audio.js';

export interface WindowPlanOptions {
  /** longest window in seconds (default 30) */
  maxWindowSec?: number;
  /** a cut is only chosen where it leaves a window at least this long, when such a cut exists (default max/2) */
  minWindowSec?: number;
  /** pauses at least this long always end a window (default 2) */
  splitPauseSec?: number;
  /** the audio the regions came from (16 kHz), used to find the quietest point inside an over-long region */
  pcm?: Float32Array;
  sampleRate?: number;
}

export interface AsrWindow {
  start: number;
  end: number;
}

export function planWindows(regions: readonly SpeechRegion[], options: WindowPlanOptions = {}): AsrWindow[] {
  const maxSec = options.maxWindowSec ?? 30;
  if (!(maxSec > 0)) throw new Error(`maxWindowSec must be positive, got ${maxSec}`);
  const minSec = Math.min(options.minWindowSec ?? maxSec / 2, maxSec);
  const splitPause = options.splitPauseSec ?? 2;

  const merged: SpeechRegion[] = [];
  for (const r of [...regions].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ start: r.start, end: r.end });
  }

  const windows: AsrWindow[] = [];
  let i = 0;
  let cursor = merged[0]?.start ?? 0; // start of the current window (may be inside merged[i])
  for (let first = merged[i]; first !== undefined; first = merged[i]) {
    const windowStart = Math.max(cursor, first.start);
    // A single region that does not fit: cut it at its quietest point.
    if (first.end - windowStart > maxSec) {
      const cut = quietestPoint(windowStart + minSec, windowStart + maxSec, options);
      windows.push({ start: windowStart, end: cut });
      cursor = cut;
      continue;
    }
    // Furthest region j (= last) that still fits, stopping at any long pause.
    let j = i;
    let last = first;
    let next = merged[j + 1];
    while (next && next.start - last.end < splitPause && next.end - windowStart <= maxSec) {
      j++;
      last = next;
      next = merged[j + 1];
    }
    const lastFits = !next || next.start - last.end >= splitPause || j === i;
    let k = j;
    let end = last.end;
    if (!lastFits) {
      // The next region would overflow: end at the longest pause in i..j (cut after region k).
      let best = -1;
      let bestGap = -Infinity;
      for (const preferLong of [true, false]) {
        for (let c = i; c <= j; c++) {
          const region = merged[c];
          const following = merged[c + 1];
          if (!region || !following) continue; // never: c <= j and merged[j + 1] exists here
          if (preferLong && region.end - windowStart < minSec) continue;
          const gap = following.start - region.end;
          if (gap >= bestGap) {
            bestGap = gap;
            best = c;
            end = region.end;
          }
        }
        if (best >= 0) break;
      }
      if (best >= 0) k = best;
    }
    windows.push({ start: windowStart, end });
    i = k + 1;
    const upcoming = merged[i];
    if (upcoming) cursor = upcoming.start;
  }
  return windows.map((w) => ({ start: round3(w.start), end: round3(w.end) }));
}

/** Time of the lowest-energy 30 ms stretch (10 ms hops) in [from, to]; `to` when no audio is given. */
function quietestPoint(from: number, to: number, options: WindowPlanOptions): number {
  const pcm = options.pcm;
  if (!pcm) return to;
  const sr = options.sampleRate ?? SAMPLE_RATE;
  const hop = Math.round(sr * 0.01);
  const len = Math.round(sr * 0.03);
  let best = to;
  let bestEnergy = Infinity;
  for (let s = Math.round(from * sr); s + len <= Math.min(pcm.length, Math.round(to * sr)); s += hop) {
    let e = 0;
    for (let k = s; k < s + len; k++) {
      const v = pcm[k]!; // s + len <= pcm.length
      e += v * v;
    }
    if (e < bestEnergy) {
      bestEnergy = e;
      best = (s + len / 2) / sr;
    }
  }
  return best > from ? best : to;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
