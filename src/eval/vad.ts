// VAD scoring for `earshot eval`: frame-level agreement of speech regions, and the synthetic reference (a clean
// clip placed at a known offset inside generated low noise, its voice found by energy).
//
// The reference regions are found on the clean clip alone by energy — 30 ms frames louder than max(-50 dBFS,
// loudest frame − 35 dB, the clip's own noise floor + 10 dB), gaps under 300 ms bridged, bursts under 100 ms
// dropped — and shifted by the offset (`VAD_LEAD_SEC` of white noise at -60 dBFS RMS before, `VAD_TAIL_SEC`
// after, fixed seed). This is a reference of "where the clean recording has voice energy", not a hand label: it
// is strict about pauses and breaths, and a VAD that pads its regions (Silero: 100 ms) loses a little accuracy at
// every edge. Results say which reference was used.

import type { SpeechRegion } from '../domain/analysis.js';
import { SAMPLE_RATE } from '../domain/audio.js';

export interface VadScore {
  /** frames where reference and hypothesis agree / all frames */
  accuracy: number;
  /** speech frames found / reference speech frames (1 when the reference has none) */
  recall: number;
  /** hypothesis speech frames that are reference speech (1 when the hypothesis has none) */
  precision: number;
  f1: number;
  frames: number;
  refSpeechSec: number;
  hypSpeechSec: number;
}

/** Frame-level agreement of two region lists over `durationSec`, judged at the centre of each `frameSec` frame. */
export function vadFrameAccuracy(
  reference: readonly SpeechRegion[],
  hypothesis: readonly SpeechRegion[],
  durationSec: number,
  frameSec = 0.01,
): VadScore {
  const frames = Math.max(0, Math.round(durationSec / frameSec));
  const mark = (regions: readonly SpeechRegion[]): Uint8Array => {
    const m = new Uint8Array(frames);
    for (const r of regions) {
      const from = Math.max(0, Math.ceil(r.start / frameSec - 0.5));
      const to = Math.min(frames, Math.ceil(r.end / frameSec - 0.5));
      m.fill(1, from, Math.max(from, to));
    }
    return m;
  };
  const ref = mark(reference);
  const hyp = mark(hypothesis);
  let tp = 0;
  let agree = 0;
  let refN = 0;
  let hypN = 0;
  for (let i = 0; i < frames; i++) {
    const r = ref[i]!; // both marks hold `frames` entries
    const h = hyp[i]!;
    if (r === h) agree++;
    if (r && h) tp++;
    refN += r;
    hypN += h;
  }
  const recall = refN ? tp / refN : 1;
  const precision = hypN ? tp / hypN : 1;
  return {
    accuracy: frames ? agree / frames : 1,
    recall,
    precision,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    frames,
    refSpeechSec: refN * frameSec,
    hypSpeechSec: hypN * frameSec,
  };
}

/**
 * Energy-based speech regions of a clean recording (used as the synthetic VAD reference; see the header):
 * 30 ms frames louder than max(floorDb -50, loudest − rangeDb 35, noise floor + noiseMarginDb 10) dB, where the noise
 * floor is the 5th percentile of frame levels; gaps < bridgeSec (0.3) bridged, bursts < minSec (0.1) dropped.
 */
export function energyRegions(
  pcm: Float32Array,
  options: { floorDb?: number; rangeDb?: number; noiseMarginDb?: number; bridgeSec?: number; minSec?: number; sampleRate?: number } = {},
): SpeechRegion[] {
  const sr = options.sampleRate ?? SAMPLE_RATE;
  const frame = Math.round(sr * 0.03);
  const count = Math.floor(pcm.length / frame);
  const db = new Float64Array(count);
  let loudest = -Infinity;
  for (let f = 0; f < count; f++) {
    let e = 0;
    // (f + 1) * frame <= count * frame <= pcm.length
    for (let k = f * frame; k < (f + 1) * frame; k++) {
      const v = pcm[k]!;
      e += v * v;
    }
    const level = 10 * Math.log10(e / frame + 1e-12);
    db[f] = level;
    loudest = Math.max(loudest, level);
  }
  // The recording's own noise floor (5th percentile of frame levels) + margin, so hiss or room noise is not voice.
  const sorted = Array.from(db).sort((a, b) => a - b);
  const noiseFloor = sorted[Math.floor(0.05 * (sorted.length - 1))] ?? -120; // -120 dB when there are no frames
  const threshold = Math.max(options.floorDb ?? -50, loudest - (options.rangeDb ?? 35), noiseFloor + (options.noiseMarginDb ?? 10));
  const regions: SpeechRegion[] = [];
  for (const [f, level] of db.entries()) {
    if (level < threshold) continue;
    const start = (f * frame) / sr;
    const end = ((f + 1) * frame) / sr;
    const last = regions[regions.length - 1];
    if (last && start - last.end < (options.bridgeSec ?? 0.3)) last.end = end;
    else regions.push({ start, end });
  }
  return regions.filter((r) => r.end - r.start >= (options.minSec ?? 0.1));
}

export const VAD_LEAD_SEC = 3;
export const VAD_TAIL_SEC = 2;
const VAD_NOISE_DBFS = -60;

/** The synthetic VAD test signal for one clip: noise, the clip at VAD_LEAD_SEC, noise. Deterministic. */
export function placeInNoise(clip: Float32Array, seed = 1): { pcm: Float32Array; offsetSec: number } {
  const lead = Math.round(VAD_LEAD_SEC * SAMPLE_RATE);
  const tail = Math.round(VAD_TAIL_SEC * SAMPLE_RATE);
  const pcm = new Float32Array(lead + clip.length + tail);
  // White noise, uniform in ±a has RMS a/√3.
  const amp = Math.sqrt(3) * 10 ** (VAD_NOISE_DBFS / 20);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < pcm.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    pcm[i] = (((s >>> 0) / 4294967296) * 2 - 1) * amp;
  }
  for (let i = 0; i < clip.length; i++) pcm[lead + i]! += clip[i]!; // pcm holds lead + clip.length + tail samples
  return { pcm, offsetSec: lead / SAMPLE_RATE };
}
