// Scoring library for `earshot eval`: text normalisation and word error rate, top-5 sound recognition,
// frame-level VAD accuracy, the loader for a labelled directory, and `runEval`, which runs the given engines over
// that directory and returns per-file rows, totals and speeds (formatted by `formatEvalTable`).
// Decoding is injected (`decode(path) → 16 kHz mono Float32Array`), so this module never touches audio formats.
//
// Labelled directory layout (as in ../shared/audio):
//   speech/transcripts.tsv  file<TAB>transcript            (header row)
//   sounds/labels.tsv       file<TAB>what<TAB>a|b|c         (header row; any listed AudioSet label counts)
//   vad/regions.tsv         file<TAB>start<TAB>end          (optional, header row; one row per speech region,
//                                                            file relative to vad/)
// VAD without vad/regions.tsv: every speech clip is placed at a known offset inside generated low noise
// (`VAD_LEAD_SEC` before, `VAD_TAIL_SEC` after, white noise at -60 dBFS RMS, fixed seed). The reference regions
// are found on the clean clip alone by energy — 30 ms frames louder than max(-50 dBFS, loudest frame − 35 dB,
// the clip's own noise floor + 10 dB), gaps under 300 ms bridged, bursts under 100 ms dropped — and shifted by the offset. This is a reference of
// "where the clean recording has voice energy", not a hand label: it is strict about pauses and breaths, and a VAD
// that pads its regions (Silero: 100 ms) loses a little accuracy at every edge. Results say which reference was used.

import { readFileSync, existsSync } from 'node:fs';

import path from 'node:path';
import type { SpeechRegion } from '../domain/analysis.js';
import { type SoundEngine, type SoundFrame, type SpeechEngine, type VadEngine } from '../engines/types.js';
import { SAMPLE_RATE } from '../domain/audio.js';

// ---------------------------------------------------------------- text normalisation and WER

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven',
  'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];
const ORDINAL_WORDS: Record<string, string> = {
  one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth',
};

/** English words for a non-negative integer written in digits, e.g. "1205" → "one thousand two hundred five". */
export function integerToWords(digits: string): string {
  const clean = digits.replace(/^0+(?=\d)/, '');
  if (clean.length > 15) return clean.split('').map((d) => ONES[Number(d)]).join(' ');
  let n = Number(clean);
  if (n === 0) return 'zero';
  const parts: string[] = [];
  for (let scale = 0; n > 0; scale++, n = Math.floor(n / 1000)) {
    const chunk = n % 1000;
    if (chunk === 0) continue;
    parts.unshift([below1000(chunk), SCALES[scale]].filter(Boolean).join(' '));
  }
  return parts.join(' ');
}

function below1000(n: number): string {
  const words: string[] = [];
  if (n >= 100) {
    words.push(ONES[Math.floor(n / 100)], 'hundred');
    n %= 100;
  }
  if (n >= 20) {
    words.push(TENS[Math.floor(n / 10)]);
    if (n % 10) words.push(ONES[n % 10]);
  } else if (n > 0) {
    words.push(ONES[n]);
  }
  return words.join(' ');
}

function ordinal(words: string): string {
  const parts = words.split(' ');
  const last = parts.pop() as string;
  let ord: string;
  if (ORDINAL_WORDS[last]) ord = ORDINAL_WORDS[last];
  else if (last.endsWith('y')) ord = last.slice(0, -1) + 'ieth';
  else ord = last + 'th';
  return [...parts, ord].join(' ');
}

function numberToWords(token: string): string {
  // token: digits with optional thousands commas, optional decimal part, optional ordinal suffix.
  const m = /^(\d[\d,]*)(?:\.(\d+))?(st|nd|rd|th)?$/.exec(token);
  if (!m) return token;
  let words = integerToWords(m[1].replace(/,/g, ''));
  if (m[2]) words += ' point ' + m[2].split('').map((d) => ONES[Number(d)]).join(' ');
  if (m[3] && !m[2]) words = ordinal(words);
  return words;
}

const CONTRACTIONS: [RegExp, string][] = [
  [/\bwon't\b/g, 'will not'],
  [/\bcan't\b/g, 'can not'],
  [/\bcannot\b/g, 'can not'],
  [/\bshan't\b/g, 'shall not'],
  [/\bain't\b/g, 'is not'],
  [/\blet's\b/g, 'let us'],
  [/n't\b/g, ' not'],
  [/'re\b/g, ' are'],
  [/'ve\b/g, ' have'],
  [/'ll\b/g, ' will'],
  [/'m\b/g, ' am'],
  [/'d\b/g, ' would'],
  [/\b(it|he|she|that|what|there|here|where|who|how|this)'s\b/g, '$1 is'],
];

const ABBREVIATIONS: [RegExp, string][] = [
  [/\bmr\b\.?/g, 'mister'],
  [/\bmrs\b\.?/g, 'missus'],
  [/\bdr\b\.?/g, 'doctor'],
  [/\bst\b\.?/g, 'saint'],
];

/**
 * Normalise text for WER: lowercase, unify apostrophes, expand common contractions ("don't" → "do not",
 * "it's" → "it is", "'d" → "would"), expand "mr/mrs/dr/st", spell numbers ("10" → "ten", "3.5" → "three point
 * five", "2nd" → "second", "10%" → "ten percent", "$5" → "five dollars"), turn hyphens into spaces, drop all
 * other punctuation (possessive "'s" becomes "s"), collapse whitespace. Apply to reference and hypothesis alike.
 */
export function normalizeForWer(text: string): string {
  let t = text.normalize('NFKC').toLowerCase().replace(/[\u2018\u2019\u02bc`]/g, "'");
  for (const [re, rep] of CONTRACTIONS) t = t.replace(re, rep);
  for (const [re, rep] of ABBREVIATIONS) t = t.replace(re, rep);
  t = t.replace(/\$(\d[\d,]*(?:\.\d+)?)/g, '$1 dollars');
  t = t.replace(/(\d)%/g, '$1 percent');
  t = t.replace(/(\d)\s*&\s*(\d)/g, '$1 and $2');
  t = t.replace(/\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?\b|\d[\d,]*(?:\.\d+)?/g, (tok) => ` ${numberToWords(tok.replace(/,$/, ''))} `);
  t = t.replace(/&/g, ' and ');
  t = t.replace(/[-\u2010-\u2015/]/g, ' ');
  t = t.replace(/'/g, '');
  t = t.replace(/[^\p{L}\p{N}\s]/gu, ' ');
  return t.replace(/\s+/g, ' ').trim();
}

export interface WerResult {
  /** (substitutions + deletions + insertions) / refWords; 0 when both are empty, 1 when only the reference is */
  wer: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  refWords: number;
  hypWords: number;
}

/** Word error rate by word-level Levenshtein alignment (after `normalizeForWer` unless `normalize` is false). */
export function wordErrorRate(reference: string, hypothesis: string, options: { normalize?: boolean } = {}): WerResult {
  const norm = options.normalize === false ? (s: string) => s.trim() : normalizeForWer;
  const ref = norm(reference).split(/\s+/).filter(Boolean);
  const hyp = norm(hypothesis).split(/\s+/).filter(Boolean);
  const n = ref.length;
  const m = hyp.length;
  // cost[i][j] = edits to turn ref[0..i) into hyp[0..j); ties prefer substitution, then deletion, then insertion.
  const cost: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = 0; i <= n; i++) cost[i][0] = i;
  for (let j = 0; j <= m; j++) cost[0][j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const sub = cost[i - 1][j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      cost[i][j] = Math.min(sub, cost[i - 1][j] + 1, cost[i][j - 1] + 1);
    }
  }
  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && cost[i][j] === cost[i - 1][j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1)) {
      if (ref[i - 1] !== hyp[j - 1]) substitutions++;
      i--;
      j--;
    } else if (i > 0 && cost[i][j] === cost[i - 1][j] + 1) {
      deletions++;
      i--;
    } else {
      insertions++;
      j--;
    }
  }
  const errors = substitutions + deletions + insertions;
  return {
    wer: n === 0 ? (errors === 0 ? 0 : 1) : errors / n,
    substitutions,
    deletions,
    insertions,
    refWords: n,
    hypWords: m,
  };
}

/** Corpus WER: total errors over total reference words. */
export function combineWer(results: readonly WerResult[]): WerResult {
  const sum = (k: keyof WerResult) => results.reduce((a, r) => a + r[k], 0);
  const refWords = sum('refWords');
  const errors = sum('substitutions') + sum('deletions') + sum('insertions');
  return {
    wer: refWords === 0 ? (errors === 0 ? 0 : 1) : errors / refWords,
    substitutions: sum('substitutions'),
    deletions: sum('deletions'),
    insertions: sum('insertions'),
    refWords,
    hypWords: sum('hypWords'),
  };
}

// ---------------------------------------------------------------- sound recognition

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
  for (const f of frames) for (let c = 0; c < classes; c++) mean[c] += f.scores[c];
  if (frames.length) for (let c = 0; c < classes; c++) mean[c] /= frames.length;
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
  const mean: ArrayLike<number> =
    isFrameList(scores) ? meanScores(scores, labels.length) : scores;
  if (mean.length !== labels.length) {
    throw new Error(`top5Correct: ${mean.length} scores for ${labels.length} labels`);
  }
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => mean[b] - mean[a]);
  const wanted = new Set(accepted.map((a) => a.trim().toLowerCase()));
  const rankOf = order.findIndex((i) => wanted.has(labels[i].toLowerCase()));
  const top = order.slice(0, k).map((i) => ({ label: labels[i], score: mean[i] }));
  return { correct: rankOf >= 0 && rankOf < k, top, bestAcceptedRank: rankOf >= 0 ? rankOf + 1 : Infinity };
}

function isFrameList(x: ArrayLike<number> | readonly SoundFrame[]): x is readonly SoundFrame[] {
  return Array.isArray(x) && (x.length === 0 || typeof x[0] === 'object');
}

// ---------------------------------------------------------------- VAD

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
    if (ref[i] === hyp[i]) agree++;
    if (ref[i] && hyp[i]) tp++;
    refN += ref[i];
    hypN += hyp[i];
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
    for (let k = f * frame; k < (f + 1) * frame; k++) e += pcm[k] * pcm[k];
    db[f] = 10 * Math.log10(e / frame + 1e-12);
    loudest = Math.max(loudest, db[f]);
  }
  // The recording's own noise floor (5th percentile of frame levels) + margin, so hiss or room noise is not voice.
  const sorted = Array.from(db).sort((a, b) => a - b);
  const noiseFloor = sorted.length ? sorted[Math.floor(0.05 * (sorted.length - 1))] : -120;
  const threshold = Math.max(options.floorDb ?? -50, loudest - (options.rangeDb ?? 35), noiseFloor + (options.noiseMarginDb ?? 10));
  const regions: SpeechRegion[] = [];
  for (let f = 0; f < count; f++) {
    if (db[f] < threshold) continue;
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
    pcm[i] = ((s >>> 0) / 4294967296 * 2 - 1) * amp;
  }
  for (let i = 0; i < clip.length; i++) pcm[lead + i] += clip[i];
  return { pcm, offsetSec: lead / SAMPLE_RATE };
}

// ---------------------------------------------------------------- labelled directory

export interface SpeechItem {
  file: string;
  path: string;
  transcript: string;
}

export interface SoundItem {
  file: string;
  path: string;
  what: string;
  accepted: string[];
}

export interface VadItem {
  file: string;
  path: string;
  regions: SpeechRegion[];
}

export interface EvalSet {
  dir: string;
  speech: SpeechItem[];
  sounds: SoundItem[];
  /** hand-labelled VAD files from vad/regions.tsv; empty when the directory has none */
  vad: VadItem[];
}

function readTsv(file: string): string[][] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(1).map((l) => l.split('\t'));
}

/** Read a labelled directory (see the header). Throws, saying what is expected, when nothing is there. */
export function loadEvalSet(dir: string): EvalSet {
  const speechTsv = path.join(dir, 'speech', 'transcripts.tsv');
  const soundsTsv = path.join(dir, 'sounds', 'labels.tsv');
  const vadTsv = path.join(dir, 'vad', 'regions.tsv');
  const set: EvalSet = { dir, speech: [], sounds: [], vad: [] };
  if (existsSync(speechTsv)) {
    for (const [file, transcript] of readTsv(speechTsv)) {
      if (!file || transcript === undefined) continue;
      set.speech.push({ file, path: path.join(dir, 'speech', file), transcript });
    }
  }
  if (existsSync(soundsTsv)) {
    for (const [file, what, accepted] of readTsv(soundsTsv)) {
      if (!file || !accepted) continue;
      set.sounds.push({
        file,
        path: path.join(dir, 'sounds', file),
        what: what ?? '',
        accepted: accepted.split('|').map((a) => a.trim()).filter(Boolean),
      });
    }
  }
  if (existsSync(vadTsv)) {
    const byFile = new Map<string, SpeechRegion[]>();
    for (const [file, start, end] of readTsv(vadTsv)) {
      const s = Number(start);
      const e = Number(end);
      if (!file || !Number.isFinite(s) || !Number.isFinite(e)) continue;
      if (!byFile.has(file)) byFile.set(file, []);
      byFile.get(file)!.push({ start: s, end: e });
    }
    for (const [file, regions] of byFile) set.vad.push({ file, path: path.join(dir, 'vad', file), regions });
  }
  if (!set.speech.length && !set.sounds.length && !set.vad.length) {
    throw new Error(
      `No labelled audio in ${dir}: expected speech/transcripts.tsv (file<TAB>transcript), ` +
        'sounds/labels.tsv (file<TAB>what<TAB>label|label) and/or vad/regions.tsv (file<TAB>start<TAB>end), each with a header row.',
    );
  }
  return set;
}

// ---------------------------------------------------------------- running an evaluation

export interface EvalEngines {
  speech?: SpeechEngine;
  sounds?: SoundEngine;
  vad?: VadEngine;
}

export interface SpeechRow extends WerResult {
  file: string;
  durationSec: number;
  reference: string;
  hypothesis: string;
  seconds: number;
  error?: string;
}

export interface SoundRow {
  file: string;
  what: string;
  durationSec: number;
  correct: boolean;
  top: { label: string; score: number }[];
  bestAcceptedRank: number;
  seconds: number;
  error?: string;
}

export interface VadRow extends VadScore {
  file: string;
  durationSec: number;
  seconds: number;
  error?: string;
}

export interface Speed {
  audioSec: number;
  seconds: number;
  /** audio seconds processed per second of wall time (higher is faster) */
  xRealtime: number;
}

export interface EvalResult {
  dir: string;
  speech?: { engine: string; rows: SpeechRow[]; total: WerResult & Speed };
  sounds?: { engine: string; rows: SoundRow[]; total: { correct: number; count: number; top5Accuracy: number } & Speed };
  vad?: {
    engine: string;
    /** 'labelled' (vad/regions.tsv) or 'synthetic-energy' (speech clips placed in noise; see the module header) */
    reference: 'labelled' | 'synthetic-energy';
    rows: VadRow[];
    total: { accuracy: number; precision: number; recall: number; f1: number } & Speed;
  };
}

export interface RunEvalOptions {
  /** called after each file */
  onFile?: (part: 'speech' | 'sounds' | 'vad', file: string, done: number, total: number) => void;
}

function speed(audioSec: number, seconds: number): Speed {
  return { audioSec, seconds, xRealtime: seconds > 0 ? audioSec / seconds : Infinity };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Run each given engine over the labelled directory `dir`. Files that fail become rows with `error` set. */
export async function runEval(
  dir: string,
  engines: EvalEngines,
  decode: (file: string) => Promise<Float32Array>,
  options: RunEvalOptions = {},
): Promise<EvalResult> {
  const set = loadEvalSet(dir);
  const result: EvalResult = { dir };
  const now = () => performance.now() / 1000;

  if (engines.speech && set.speech.length) {
    const rows: SpeechRow[] = [];
    for (const [n, item] of set.speech.entries()) {
      let row: SpeechRow;
      try {
        const pcm = await decode(item.path);
        const t0 = now();
        const { segments } = await engines.speech.transcribe(pcm);
        const seconds = now() - t0;
        const hypothesis = segments.map((s) => s.text).join(' ').replace(/\s+/g, ' ').trim();
        row = { file: item.file, durationSec: pcm.length / SAMPLE_RATE, reference: item.transcript, hypothesis, seconds,
          ...wordErrorRate(item.transcript, hypothesis) };
      } catch (e) {
        const w = wordErrorRate(item.transcript, '');
        row = { file: item.file, durationSec: 0, reference: item.transcript, hypothesis: '', seconds: 0, ...w, error: message(e) };
      }
      rows.push(row);
      options.onFile?.('speech', item.file, n + 1, set.speech.length);
    }
    const ok = rows.filter((r) => !r.error);
    result.speech = {
      engine: engines.speech.name,
      rows,
      total: { ...combineWer(rows), ...speed(sumOf(ok, 'durationSec'), sumOf(ok, 'seconds')) },
    };
  }

  if (engines.sounds && set.sounds.length) {
    const rows: SoundRow[] = [];
    for (const [n, item] of set.sounds.entries()) {
      let row: SoundRow;
      try {
        const pcm = await decode(item.path);
        const t0 = now();
        const frames = await engines.sounds.classify(pcm);
        const seconds = now() - t0;
        const r = top5Correct(frames, engines.sounds.labels, item.accepted);
        row = { file: item.file, what: item.what, durationSec: pcm.length / SAMPLE_RATE, seconds, ...r };
      } catch (e) {
        row = { file: item.file, what: item.what, durationSec: 0, seconds: 0, correct: false, top: [],
          bestAcceptedRank: Infinity, error: message(e) };
      }
      rows.push(row);
      options.onFile?.('sounds', item.file, n + 1, set.sounds.length);
    }
    const ok = rows.filter((r) => !r.error);
    const correct = rows.filter((r) => r.correct).length;
    result.sounds = {
      engine: engines.sounds.name,
      rows,
      total: { correct, count: rows.length, top5Accuracy: rows.length ? correct / rows.length : 0,
        ...speed(sumOf(ok, 'durationSec'), sumOf(ok, 'seconds')) },
    };
  }

  if (engines.vad) {
    const labelled = set.vad.length > 0;
    // Synthetic: one clip per distinct recording (jfk.wav and jfk.mp3 are the same speech; keep the first).
    const items: { file: string; load: () => Promise<{ pcm: Float32Array; ref: SpeechRegion[] }> }[] = labelled
      ? set.vad.map((v) => ({ file: v.file, load: async () => ({ pcm: await decode(v.path), ref: v.regions }) }))
      : dedupeByStem(set.speech).map((s, idx) => ({
          file: s.file,
          load: async () => {
            const clip = await decode(s.path);
            const { pcm, offsetSec } = placeInNoise(clip, idx + 1);
            const ref = energyRegions(clip).map((r) => ({ start: r.start + offsetSec, end: r.end + offsetSec }));
            return { pcm, ref };
          },
        }));
    const rows: VadRow[] = [];
    for (const [n, item] of items.entries()) {
      let row: VadRow;
      try {
        const { pcm, ref } = await item.load();
        const durationSec = pcm.length / SAMPLE_RATE;
        const t0 = now();
        const hyp = await engines.vad.detect(pcm);
        const seconds = now() - t0;
        row = { file: item.file, durationSec, seconds, ...vadFrameAccuracy(ref, hyp, durationSec) };
      } catch (e) {
        row = { file: item.file, durationSec: 0, seconds: 0, ...vadFrameAccuracy([], [], 0), accuracy: 0, f1: 0, error: message(e) };
      }
      rows.push(row);
      options.onFile?.('vad', item.file, n + 1, items.length);
    }
    const ok = rows.filter((r) => !r.error);
    const frames = sumOf(ok, 'frames');
    const weighted = (k: 'accuracy') => (frames ? ok.reduce((a, r) => a + r[k] * r.frames, 0) / frames : 0);
    // Pool precision/recall over all frames.
    const refSpeech = sumOf(ok, 'refSpeechSec');
    const hypSpeech = sumOf(ok, 'hypSpeechSec');
    const tp = ok.reduce((a, r) => a + r.recall * r.refSpeechSec, 0);
    const recall = refSpeech ? tp / refSpeech : 1;
    const precision = hypSpeech ? tp / hypSpeech : 1;
    result.vad = {
      engine: engines.vad.name,
      reference: labelled ? 'labelled' : 'synthetic-energy',
      rows,
      total: {
        accuracy: weighted('accuracy'),
        precision,
        recall,
        f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
        ...speed(sumOf(ok, 'durationSec'), sumOf(ok, 'seconds')),
      },
    };
  }
  return result;
}

function sumOf<T>(rows: readonly T[], key: { [K in keyof T]: T[K] extends number ? K : never }[keyof T]): number {
  return rows.reduce((a, r) => a + (r[key] as unknown as number), 0);
}

function dedupeByStem<T extends { file: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const stem = i.file.replace(/\.[^.]+$/, '');
    if (seen.has(stem)) return false;
    seen.add(stem);
    return true;
  });
}

// ---------------------------------------------------------------- formatting

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const fx = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}×` : '—');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

/** Markdown tables for an EvalResult: one section per part, per-file rows then a total row. */
export function formatEvalTable(result: EvalResult): string {
  const out: string[] = [`# earshot eval — ${result.dir}`, ''];
  if (result.speech) {
    const { rows, total, engine } = result.speech;
    out.push(`## Speech (${engine})`, '', '| file | WER | sub | del | ins | words | speed | hypothesis |', '|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      out.push(`| ${cell(r.file)} | ${pct(r.wer)} | ${r.substitutions} | ${r.deletions} | ${r.insertions} | ${r.refWords} | ` +
        `${r.error ? '—' : fx(r.durationSec / r.seconds)} | ${cell(r.error ? `ERROR: ${r.error}` : r.hypothesis)} |`);
    }
    out.push(`| **total** | **${pct(total.wer)}** | ${total.substitutions} | ${total.deletions} | ${total.insertions} | ` +
      `${total.refWords} | ${fx(total.xRealtime)} | |`, '');
  }
  if (result.sounds) {
    const { rows, total, engine } = result.sounds;
    out.push(`## Sounds (${engine})`, '', '| file | what | top-5 | accepted rank | top 5 | speed |', '|---|---|---|---|---|---|');
    for (const r of rows) {
      const top = r.error ? `ERROR: ${r.error}` : r.top.map((t) => `${t.label} ${t.score.toFixed(2)}`).join(', ');
      out.push(`| ${cell(r.file)} | ${cell(r.what)} | ${r.correct ? 'yes' : 'no'} | ` +
        `${Number.isFinite(r.bestAcceptedRank) ? r.bestAcceptedRank : '—'} | ${cell(top)} | ${r.error ? '—' : fx(r.durationSec / r.seconds)} |`);
    }
    out.push(`| **total** | | **${total.correct}/${total.count} (${pct(total.top5Accuracy)})** | | | ${fx(total.xRealtime)} |`, '');
  }
  if (result.vad) {
    const { rows, total, engine, reference } = result.vad;
    out.push(`## VAD (${engine}; reference: ${reference === 'labelled' ? 'vad/regions.tsv' : 'speech clips placed in -60 dBFS noise, energy-based reference'})`,
      '', '| file | accuracy | precision | recall | F1 | ref speech s | found s | speed |', '|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      out.push(r.error
        ? `| ${cell(r.file)} | ERROR: ${cell(r.error)} | | | | | | |`
        : `| ${cell(r.file)} | ${pct(r.accuracy)} | ${pct(r.precision)} | ${pct(r.recall)} | ${pct(r.f1)} | ` +
          `${r.refSpeechSec.toFixed(2)} | ${r.hypSpeechSec.toFixed(2)} | ${fx(r.durationSec / r.seconds)} |`);
    }
    out.push(`| **total** | **${pct(total.accuracy)}** | ${pct(total.precision)} | ${pct(total.recall)} | ${pct(total.f1)} | | | ${fx(total.xRealtime)} |`, '');
  }
  return out.join('\n');
}
