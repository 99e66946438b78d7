// Word-time scoring: how far recognised word starts lie from the true ones. Reference and recognised words are
// aligned by their text (normalised as for WER, longest common subsequence), and only matched words are scored.

import { normalizeForWer } from './wer.js';

export interface TimedWord {
  text: string;
  start: number;
}

export interface WordTimeScore {
  /** reference words found in the recognised words */
  matched: number;
  /** reference words */
  total: number;
  /** |recognised start - true start| of each matched word, seconds, in reference order */
  errors: number[];
  median: number;
  p95: number;
  max: number;
}

/** The q-quantile (0..1) of `values` by the nearest-rank method; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/** Word-start errors of `hypothesis` against `reference` (both in time order; a word may normalise to several). */
export function wordStartErrors(reference: readonly TimedWord[], hypothesis: readonly TimedWord[]): WordTimeScore {
  const split = (ws: readonly TimedWord[]) =>
    ws.flatMap((w) =>
      normalizeForWer(w.text)
        .split(' ')
        .filter(Boolean)
        .map((t, i) => ({ t, start: w.start, first: i === 0 })),
    );
  const ref = split(reference);
  const hyp = split(hypothesis);
  const n = ref.length;
  const m = hyp.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  // lcs is (n + 1) x (m + 1), i < n and j < m: every index below is in range
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const below = lcs[i + 1]!;
    const t = ref[i]!.t;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = t === hyp[j]!.t ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
    }
  }
  const errors: number[] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    const r = ref[i];
    const h = hyp[j];
    if (!r || !h) break; // not reached: i < n and j < m
    if (r.t === h.t) {
      // score each reference word once, by its first token
      if (r.first) errors.push(Math.abs(h.start - r.start));
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) i++;
    else j++;
  }
  return {
    matched: errors.length,
    total: reference.length,
    errors,
    median: quantile(errors, 0.5),
    p95: quantile(errors, 0.95),
    max: errors.length ? Math.max(...errors) : NaN,
  };
}
