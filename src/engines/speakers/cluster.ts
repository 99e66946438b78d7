// Agglomerative clustering of speaker embeddings (average linkage, cosine similarity): merges until the
// closest clusters are less alike than a threshold, or until a requested number of speakers remains.

export interface ClusterOptions {
  /** stop merging when the best average cosine similarity falls below this */
  threshold: number;
  /** exact number of speakers, when the caller knows it */
  numSpeakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Mean of the given vectors, L2-normalised. */
export function centroid(vectors: Float32Array[]): Float32Array {
  const dim = vectors[0]?.length ?? 0;
  const out = new Float32Array(dim);
  for (const v of vectors) for (let i = 0; i < dim; i++) out[i] = (out[i] ?? 0) + (v[i] ?? 0);
  let n = 0;
  for (let i = 0; i < dim; i++) n += (out[i] ?? 0) ** 2;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < dim; i++) out[i] = (out[i] ?? 0) / n;
  return out;
}

/**
 * How well `c` is explained as a blend of `a` and `b`: the cosine similarity between `c` and the nearest point
 * of the arc of directions from `a` to `b` (`c`'s projection onto the plane of `a` and `b`, when it falls between
 * them; otherwise the nearer of the two ends).
 */
export function blendSimilarity(c: Float32Array, a: Float32Array, b: Float32Array): number {
  const g = cosine(a, b);
  const ra = cosine(c, a);
  const rb = cosine(c, b);
  const det = 1 - g * g;
  if (det < 1e-9) return Math.max(ra, rb);
  // weights of a and b in c's projection onto their plane (a, b unit length: the Gram matrix is [[1, g], [g, 1]])
  const wa = (ra - g * rb) / det;
  const wb = (rb - g * ra) / det;
  if (wa < 0 || wb < 0) return Math.max(ra, rb);
  return Math.min(1, Math.sqrt(ra * wa + rb * wb));
}

/**
 * Cluster labels (0-based, arbitrary order) for each embedding. O(n²) memory, O(n³) time in the worst case;
 * callers keep n to a few thousand.
 */
export function agglomerate(embeddings: Float32Array[], options: ClusterOptions): number[] {
  const n = embeddings.length;
  if (n === 0) return [];
  const target = options.numSpeakers;
  const minK = Math.max(1, target ?? options.minSpeakers ?? 1);
  const maxK = Math.min(n, target ?? options.maxSpeakers ?? n);
  // similarity matrix, updated by the Lance–Williams rule for average linkage
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = cosine(embeddings[i] as Float32Array, embeddings[j] as Float32Array);
      sim[i * n + j] = s;
      sim[j * n + i] = s;
    }
  }
  const size = new Array<number>(n).fill(1);
  const alive = new Array<boolean>(n).fill(true);
  const parent = Array.from({ length: n }, (_, i) => i);
  let clusters = n;
  while (clusters > minK) {
    let best = -Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (!alive[j]) continue;
        const s = sim[i * n + j] ?? 0;
        if (s > best) {
          best = s;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    if (clusters <= maxK && best < options.threshold) break;
    // merge bj into bi
    const si = size[bi] ?? 1;
    const sj = size[bj] ?? 1;
    for (let k = 0; k < n; k++) {
      if (!alive[k] || k === bi || k === bj) continue;
      const s = ((sim[bi * n + k] ?? 0) * si + (sim[bj * n + k] ?? 0) * sj) / (si + sj);
      sim[bi * n + k] = s;
      sim[k * n + bi] = s;
    }
    size[bi] = si + sj;
    alive[bj] = false;
    parent[bj] = bi;
    clusters--;
  }
  const root = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] ?? r;
    return r;
  };
  const ids = new Map<number, number>();
  return embeddings.map((_, i) => {
    const r = root(i);
    if (!ids.has(r)) ids.set(r, ids.size);
    return ids.get(r) ?? 0;
  });
}
