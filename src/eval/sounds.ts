// Sound recognition scoring for `earshot eval`: whether an accepted AudioSet label is among a classifier's top 5.

import type { SoundFrame } from '../engines/types.js';

export interface TopKResult {
  correct: boolean;
  /** the k best classes, best first */
  top: { label: string; score: number }[];
  /** 1-based rank of the best-ranked accepted label among all classes (Infinity when none is a known label) */
  bestAcceptedRank: number;
}

/** Mean score per class over frames. */
export function meanScores(frames: readonly SoundFrame[], classes: number): Float32Array {
  const mean = new Float32Array(classes);
  // c < classes === mean.length; a frame holds one score per class (SoundFrame.scores)
  for (const f of frames) for (let c = 0; c < classes; c++) mean[c]! += f.scores[c]!;
  if (frames.length) for (let c = 0; c < classes; c++) mean[c]! /= frames.length;
  return mean;
}

/**
 * Whether any accepted label is among the top k (default 5) classes. `scores` are per-class scores (e.g. means over
 * frames) in `labels` order, or the frames themselves (then their mean is used). Labels compare case-insensitively.
 */
export function top5Correct(
  scores: ArrayLike<number> | readonly SoundFrame[],
  labels: readonly string[],
  accepted: readonly string[],
  k = 5,
): TopKResult {
  const mean: ArrayLike<number> = isFrameList(scores) ? meanScores(scores, labels.length) : scores;
  if (mean.length !== labels.length) {
    throw new Error(`top5Correct: ${mean.length} scores for ${labels.length} labels`);
  }
  // classes best first (a stable sort over class order, as before); mean and labels have the same length
  const ranked = Array.from(mean, (score, i) => ({ label: labels[i] ?? `class ${i}`, score })).sort((a, b) => b.score - a.score);
  const wanted = new Set(accepted.map((a) => a.trim().toLowerCase()));
  const rankOf = ranked.findIndex((r) => wanted.has(r.label.toLowerCase()));
  const top = ranked.slice(0, k);
  return { correct: rankOf >= 0 && rankOf < k, top, bestAcceptedRank: rankOf >= 0 ? rankOf + 1 : Infinity };
}

function isFrameList(x: ArrayLike<number> | readonly SoundFrame[]): x is readonly SoundFrame[] {
  return Array.isArray(x) && (x.length === 0 || typeof x[0] === 'object');
}
