// Small text tools the composer ranks with: tokenising, stop words, stemming (Porter, from the `stemmer`
// package), BM25 retrieval and TF-IDF centroid scoring. Deterministic.

import { LRUCache } from 'lru-cache';
import { stemmer } from 'stemmer';

export const STOP_WORDS = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into onto about as is are was were be been being ' +
    'am do does did doing have has had having it its this that these those there here what which who whom whose why ' +
    'how when where i me my we our you your he him his she her they them their not no nor so too very can could will ' +
    'would shall should may might must just also than only own same such both each few more most other some any all ' +
    'up down out over under again further once s t don now please tell say says said speaker audio clip recording ' +
    'file track transcript sound sounds hear heard hears listen does did give provide'
  ).split(/\s+/),
);

/** lower-case word tokens (letters, digits, apostrophes inside words) */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
}

/** stems of recent words: transcripts repeat their vocabulary, and summaries stem every sentence */
const stemCache = new LRUCache<string, string>({ max: 100_000 });

/** The Porter stem of a lower-case word, possessive dropped, so "barks", "barking", "barked" and "dog's"/"dogs" meet. */
export function stem(w: string): string {
  const hit = stemCache.get(w);
  if (hit !== undefined) return hit;
  const s = stemmer(w.replace(/'s$/, ''));
  stemCache.set(w, s);
  return s;
}

/** content terms: words minus stop words, stemmed */
export function terms(text: string): string[] {
  return words(text)
    .filter((w) => !STOP_WORDS.has(w))
    .map(stem);
}

export interface Scored {
  index: number;
  score: number;
}

/** BM25 (k1 = 1.2, b = 0.75) of each document against the query terms. */
export function bm25(docs: string[][], query: string[], k1 = 1.2, b = 0.75): Scored[] {
  const n = docs.length;
  if (n === 0) return [];
  const avg = docs.reduce((s, d) => s + d.length, 0) / n || 1;
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const q = [...new Set(query)];
  return docs.map((d, index) => {
    const tf = new Map<string, number>();
    for (const t of d) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    for (const t of q) {
      const f = tf.get(t);
      if (!f) continue;
      const nt = df.get(t) ?? 0;
      const idf = Math.log(1 + (n - nt + 0.5) / (nt + 0.5));
      score += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * d.length) / avg));
    }
    return { index, score };
  });
}

export type SparseVector = Map<string, number>;

/** Unit-length TF-IDF vectors (sublinear tf, smoothed idf) of the documents. */
export function tfidfVectors(docs: string[][]): SparseVector[] {
  const n = docs.length;
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  return docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of d) tf.set(t, (tf.get(t) ?? 0) + 1);
    const v: SparseVector = new Map();
    let norm = 0;
    for (const [t, f] of tf) {
      const w = (1 + Math.log(f)) * Math.log((n + 1) / ((df.get(t) ?? 0) + 0.5));
      v.set(t, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [t, w] of v) v.set(t, w / norm);
    return v;
  });
}

export function cosine(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, w] of small) dot += w * (large.get(t) ?? 0);
  return dot;
}

/**
 * TF-IDF centroid centrality: each document's cosine similarity to the centroid of all documents' TF-IDF
 * vectors (the MEAD idea: the sentences closest to the centre say what the whole says). O(total terms).
 */
export function centroidScores(vecs: SparseVector[]): number[] {
  const n = vecs.length || 1;
  const centroid: SparseVector = new Map();
  for (const v of vecs) for (const [t, w] of v) centroid.set(t, (centroid.get(t) ?? 0) + w / n);
  let cn = 0;
  for (const w of centroid.values()) cn += w * w;
  cn = Math.sqrt(cn) || 1;
  return vecs.map((v) => cosine(v, centroid) / cn);
}

/** The terms with the highest total TF-IDF weight across the documents. */
export function topTerms(docs: string[][], k: number): string[] {
  const n = docs.length;
  const df = new Map<string, number>();
  const tf = new Map<string, number>();
  for (const d of docs) {
    for (const t of d) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  return [...tf.entries()]
    .filter(([t]) => t.length > 2 && !/^\d+$/.test(t))
    .map(([t, f]) => [t, f * Math.log((n + 1) / (df.get(t)! + 0.5) + 1)] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, k)
    .map(([t]) => t);
}

/** Split text into sentences, keeping their character offsets. */
export function sentences(text: string): { text: string; from: number; to: number }[] {
  const out: { text: string; from: number; to: number }[] = [];
  const re = /[^.!?…]+(?:[.!?…]+["'”’)]*|$)/g;
  for (const m of text.matchAll(re)) {
    const raw = m[0];
    const lead = raw.length - raw.trimStart().length;
    const t = raw.trim();
    if (t) out.push({ text: t, from: (m.index ?? 0) + lead, to: (m.index ?? 0) + lead + t.length });
  }
  return out;
}

/** Levenshtein distance, stopping early past `max`. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      // prev has b.length + 1 entries and cur was filled up to j - 1, so every index here is in range
      const d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur[j] = d;
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!; // prev always has b.length + 1 entries
}
