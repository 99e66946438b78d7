// Diarization over the VAD's speech regions: embeds 1.6 s windows of speech, clusters the whole windows into
// speakers (the count found by a similarity threshold unless the caller gives it), drops clusters too small to be
// a speaker (overlaps and noise, not phantom people), gives the windows of short regions to the nearest speaker
// found, folds a cluster that is two found speakers talking at once into them (never a third person), and turns
// window labels into speaker turns.

import type { SpeakerTurn } from '../../domain/analysis.js';
import { agglomerate, blendSimilarity, centroid, cosine } from './cluster.js';
import type { SpeakerEncoder } from '../types.js';

export interface EmbeddedWindow {
  start: number;
  end: number;
  embedding: Float32Array;
  /**
   * The window heard less speech than the encoder's window (its region is shorter): it is labelled with the
   * nearest speaker the whole windows found, and never founds one itself.
   */
  partial?: boolean;
}

export interface DiarizeOptions {
  numSpeakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
  /** average-linkage cosine similarity below which clusters stay apart */
  threshold?: number;
}

/** Tuned on 1–4 espeak voices (0.60–0.68 all exact) and the shared real clips (one speaker each up to 0.65). */
export const DEFAULT_SPEAKER_THRESHOLD = 0.65;
const HOP_SEC = 0.75;
const MIN_REGION_SEC = 0.5;
const MAX_CLUSTERED = 1500;
const STEP_SEC = 0.05;
const MIN_TURN_SEC = 0.4;
/**
 * A cluster this close to a blend of two bigger clusters is those two speakers over each other. Measured with
 * Resemblyzer: windows where JFK and a LibriVox reader overlap by 0.5–3 s cluster at 0.79–0.86 from the
 * JFK–reader arc, two espeak-ng voices overlapping by 1–2 s at 0.81; a genuine third or fourth espeak-ng voice
 * sits at 0.69–0.73 from the arc of the other two.
 */
export const BLEND_SIMILARITY = 0.76;

/** Embeds the speech in `pcm` (which starts at `pcmStartSec` on the file's clock) region by region. */
export async function embedRegions(
  encoder: SpeakerEncoder,
  pcm: Float32Array,
  pcmStartSec: number,
  regions: { start: number; end: number }[],
  sampleRate: number,
): Promise<EmbeddedWindow[]> {
  const out: EmbeddedWindow[] = [];
  const pcmEnd = pcmStartSec + pcm.length / sampleRate;
  for (const r of regions) {
    const start = Math.max(r.start, pcmStartSec);
    const end = Math.min(r.end, pcmEnd);
    const dur = end - start;
    if (dur < MIN_REGION_SEC) continue;
    const region = pcm.subarray(Math.round((start - pcmStartSec) * sampleRate), Math.round((end - pcmStartSec) * sampleRate));
    const starts: number[] = [];
    if (dur <= encoder.windowSec) starts.push(0);
    else {
      for (let s = 0; s + encoder.windowSec < dur; s += HOP_SEC) starts.push(s);
      starts.push(dur - encoder.windowSec);
    }
    const embeddings = await encoder.embed(region, starts);
    starts.forEach((s, k) => {
      const e = embeddings[k];
      if (!e) return;
      const w: EmbeddedWindow = { start: start + s, end: Math.min(end, start + s + encoder.windowSec), embedding: e };
      if (dur < encoder.windowSec) w.partial = true;
      out.push(w);
    });
  }
  return out;
}

/**
 * Which windows decide who the speakers are: the whole ones. A window of a region shorter than the encoder's
 * window embeds a second of speech or so, and that lands far from the same voice's other windows (JFK's
 * "ask not", 1.3 s, sits at 0.55–0.67 from the rest of his speech, under the threshold): alone it folds away as
 * a small cluster, but a phrase that recurs (a repeated clip, a speaker's habitual "yes, exactly") would add up
 * to a cluster big enough to pass for a person. When too few whole windows exist, every window votes.
 */
function votingWindows(windows: EmbeddedWindow[], options: DiarizeOptions): EmbeddedWindow[] {
  const whole = windows.filter((w) => !w.partial);
  const needed = Math.max(2, options.numSpeakers ?? options.minSpeakers ?? 1);
  return whole.length >= needed ? whole : windows;
}

function labelWindows(windows: EmbeddedWindow[], options: DiarizeOptions): number[] {
  const threshold = options.threshold ?? DEFAULT_SPEAKER_THRESHOLD;
  const voters = votingWindows(windows, options);
  const stride = Math.max(1, Math.ceil(voters.length / MAX_CLUSTERED));
  const sample = voters.filter((_, i) => i % stride === 0);
  const sampleLabels = agglomerate(
    sample.map((w) => w.embedding),
    { threshold, numSpeakers: options.numSpeakers, minSpeakers: options.minSpeakers, maxSpeakers: options.maxSpeakers },
  );
  // clusters too small to be a person (overlaps, laughter, a cough) fold into the nearest real one
  const k = Math.max(0, ...sampleLabels) + 1;
  const counts = new Array<number>(k).fill(0);
  for (const l of sampleLabels) counts[l] = (counts[l] ?? 0) + 1;
  const minWindows = options.numSpeakers ? 1 : Math.max(2, Math.ceil(sample.length * 0.05));
  const keep = counts.map((c, i) => (c >= minWindows ? i : -1)).filter((i) => i >= 0);
  const kept = keep.length > 0 ? keep : [counts.indexOf(Math.max(...counts))];
  const centroidOf = (c: number) => centroid(sample.filter((_, i) => sampleLabels[i] === c).map((w) => w.embedding));
  const clusters = kept.map((c) => ({ size: counts[c] ?? 0, centroid: centroidOf(c) }));
  // a caller who gives the count has said how many people there are
  const people = options.numSpeakers ? clusters : withoutBlends(clusters, options.minSpeakers ?? 1);
  const centroids = people.map((p) => p.centroid);
  // every window, voter or not, goes to the speaker whose centroid it is nearest
  return windows.map((w) => {
    let best = 0;
    let bestSim = -Infinity;
    centroids.forEach((c, i) => {
      const s = cosine(w.embedding, c);
      if (s > bestSim) {
        bestSim = s;
        best = i;
      }
    });
    return best;
  });
}

/**
 * The clusters that are people: smallest first, a cluster whose centroid lies near the arc between two bigger
 * clusters' centroids (two voices mixed embed between the two) is their overlapping speech, and is dropped; its
 * windows then go to the nearer of the two. Never fewer than `minSpeakers` remain.
 */
function withoutBlends<C extends { size: number; centroid: Float32Array }>(clusters: C[], minSpeakers: number): C[] {
  const people = [...clusters].sort((a, b) => b.size - a.size);
  for (let i = people.length - 1; i >= 2 && people.length > minSpeakers; i--) {
    const c = people[i] as C;
    const bigger = people.filter((p) => p.size > c.size);
    const blend = bigger.some((a, j) =>
      bigger.slice(j + 1).some((b) => blendSimilarity(c.centroid, a.centroid, b.centroid) >= BLEND_SIMILARITY),
    );
    if (blend) people.splice(i, 1);
  }
  return people;
}

/** Speaker turns inside the speech regions, labelled spk_1, spk_2, … in order of first appearance. */
export function assignSpeakers(
  windows: EmbeddedWindow[],
  regions: { start: number; end: number }[],
  options: DiarizeOptions = {},
): SpeakerTurn[] {
  if (windows.length === 0) return [];
  const labels = labelWindows(windows, options);
  const centre = windows.map((w) => (w.start + w.end) / 2);
  const raw: { start: number; end: number; label: number }[] = [];
  for (const r of regions) {
    for (let t = r.start; t < r.end; t += STEP_SEC) {
      const mid = Math.min(t + STEP_SEC / 2, r.end);
      // the window whose centre is nearest, preferring windows that cover this instant
      let best = -1;
      let bestD = Infinity;
      windows.forEach((w, i) => {
        const covers = w.start <= mid && mid <= w.end;
        const d = Math.abs((centre[i] ?? 0) - mid) + (covers ? 0 : 1000);
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      });
      const label = labels[best] ?? 0;
      const end = Math.min(t + STEP_SEC, r.end);
      const last = raw[raw.length - 1];
      if (last && last.label === label && Math.abs(last.end - t) < 1e-6) last.end = end;
      else raw.push({ start: t, end, label });
    }
  }
  // runs shorter than a syllable join their predecessor (or successor)
  const merged: typeof raw = [];
  for (const run of raw) {
    const last = merged[merged.length - 1];
    if (last && run.end - run.start < MIN_TURN_SEC && Math.abs(last.end - run.start) < 1e-6) last.end = run.end;
    else if (last && last.label === run.label && Math.abs(last.end - run.start) < 1e-6) last.end = run.end;
    else merged.push({ ...run });
  }
  const names = new Map<number, string>();
  return merged.map((m) => {
    if (!names.has(m.label)) names.set(m.label, `spk_${names.size + 1}`);
    return { start: round(m.start), end: round(m.end), speaker: names.get(m.label) ?? 'spk_1' };
  });
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The speaker talking most during [start, end), or undefined when no turn overlaps it. */
export function speakerAt(turns: SpeakerTurn[], start: number, end: number): string | undefined {
  const overlap = new Map<string, number>();
  for (const t of turns) {
    const o = Math.min(end, t.end) - Math.max(start, t.start);
    if (o > 0) overlap.set(t.speaker, (overlap.get(t.speaker) ?? 0) + o);
  }
  let best: string | undefined;
  let bestO = 0;
  for (const [s, o] of overlap) if (o > bestO) [best, bestO] = [s, o];
  return best;
}
