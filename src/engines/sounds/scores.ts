// Pure helpers over per-frame class scores: the class-map CSV reader, top-k, mean over frames,
// and the merging of frame scores into labelled sound events.

import type { SoundEvent } from '../../domain/analysis.js';
import type { SoundFrame } from '../types.js';
import { EarshotError } from '../../domain/errors.js';

export interface ScoredLabel {
  index: number;
  label: string;
  score: number;
}

/** Parses YAMNet's class map (`index,mid,display_name`, RFC-4180 quoting) into display names by index. */
export function parseClassMap(csv: string): string[] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i];
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && csv[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const header = rows.shift();
  const col = header ? header.indexOf('display_name') : -1;
  if (col < 0) throw new EarshotError('YAMNET_CLASS_MAP_NO_NAMES');
  const labels: string[] = [];
  for (const r of rows) {
    if (r.length === 1 && r[0] === '') continue;
    const index = Number(r[0]);
    if (!Number.isInteger(index) || r[col] === undefined) throw new EarshotError('YAMNET_CLASS_MAP_BAD_ROW', { row: r.join(',') });
    labels[index] = r[col];
  }
  return labels;
}

/** The k highest-scoring classes, best first. */
export function topK(scores: ArrayLike<number>, labels: readonly string[], k: number): ScoredLabel[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  // every index in idx is below scores.length
  idx.sort((a, b) => scores[b]! - scores[a]!);
  return idx.slice(0, Math.max(0, k)).map((i) => ({ index: i, label: labels[i] ?? `class ${i}`, score: scores[i]! }));
}

/** Per-class mean of the frames' scores (zeros when there are no frames). */
export function meanScores(frames: readonly SoundFrame[], classes = frames[0]?.scores.length ?? 0): Float32Array {
  const acc = new Float64Array(classes);
  // c < classes === acc.length; a frame holds one score per class (SoundFrame.scores)
  for (const f of frames) for (let c = 0; c < classes; c++) acc[c]! += f.scores[c]!;
  return Float32Array.from(acc, (v) => (frames.length ? v / frames.length : 0));
}

export interface EventOptions {
  /** A class is "present" in a frame when its score is at least this. */
  threshold: number;
  /** Display names never reported as events. */
  exclude?: ReadonlySet<string>;
  /**
   * Up to this many consecutive frames below threshold inside a run are bridged, so a one-frame dip
   * does not split an event in two (default 1; 0 = split at every dip).
   */
  bridgeFrames?: number;
}

/**
 * Merges runs of frames in which a class scores at least `threshold` (allowing gaps of up to
 * `bridgeFrames` frames) into one event per run: start of its first frame, end of its last frame
 * above threshold, peak score inside. Events come sorted by start, then by score (highest first).
 */
export function mergeEvents(frames: readonly SoundFrame[], labels: readonly string[], options: EventOptions): SoundEvent[] {
  const events: SoundEvent[] = [];
  const classes = labels.length;
  const bridge = Math.max(0, options.bridgeFrames ?? 1);
  // open[c] = the event being extended for class c; missed[c] = frames below threshold since its last hit
  const open: (SoundEvent | undefined)[] = new Array(classes);
  const missed = new Int32Array(classes);
  for (const f of frames) {
    // c < classes === labels.length === open.length === missed.length; a frame holds one score per class
    for (let c = 0; c < classes; c++) {
      const s = f.scores[c]!;
      const label = labels[c]!;
      if (s >= options.threshold && !options.exclude?.has(label)) {
        const e = open[c];
        if (e) {
          e.end = Math.max(e.end, f.end);
          e.score = Math.max(e.score, s);
        } else {
          const ev: SoundEvent = { label, start: f.start, end: f.end, score: s };
          open[c] = ev;
          events.push(ev);
        }
        missed[c] = 0;
      } else if (open[c] && ++missed[c]! > bridge) {
        open[c] = undefined;
      }
    }
  }
  for (const e of events) e.score = Math.round(e.score * 1e4) / 1e4;
  return events.sort((a, b) => a.start - b.start || b.score - a.score);
}
