// Speaker embeddings with Resemblyzer's GE2E voice encoder (Resemble AI, Apache-2.0): its PyTorch weights are
// read directly, the network is rebuilt as an ONNX graph once and run by onnxruntime. One 256-d, L2-normalised
// embedding per 1.6 s window of speech.

import { readFile } from 'node:fs/promises';
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { SAMPLE_RATE } from '../../domain/audio.js';
import type { SpeakerEncoder } from '../types.js';
import { buildGe2eGraph, GE2E_HOP, GE2E_N_FFT } from './ge2e-graph.js';
import { readLegacyCheckpoint } from './torch-checkpoint.js';

/** Frames per embedding window (1.6 s), as the encoder was trained. */
export const GE2E_WINDOW_FRAMES = 160;
export const GE2E_WINDOW_SEC = (GE2E_WINDOW_FRAMES * GE2E_HOP) / SAMPLE_RATE;
export const GE2E_DIM = 256;
/** Resemblyzer raises quiet audio to this level (never lowers loud audio) before embedding. */
const TARGET_DBFS = -30;

/** Gain that brings `pcm` up to -30 dBFS RMS (1 when it is already louder, or silent). */
export function loudnessGain(pcm: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += (pcm[i] ?? 0) ** 2;
  const rms = Math.sqrt(sum / Math.max(1, pcm.length));
  if (rms <= 0) return 1;
  const change = TARGET_DBFS - 20 * Math.log10(rms);
  return change > 0 ? 10 ** (change / 20) : 1;
}

/** Frames of one window: frame t is centred on sample start + t·hop, zero outside `pcm`. */
function frameWindow(pcm: Float32Array, startSample: number, gain: number, out: Float32Array, offset: number): void {
  const half = GE2E_N_FFT / 2;
  for (let t = 0; t < GE2E_WINDOW_FRAMES; t++) {
    const from = startSample + t * GE2E_HOP - half;
    const base = offset + t * GE2E_N_FFT;
    for (let n = 0; n < GE2E_N_FFT; n++) {
      const i = from + n;
      out[base + n] = i >= 0 && i < pcm.length ? (pcm[i] ?? 0) * gain : 0;
    }
  }
}

export interface ResemblyzerOptions {
  /** the authors' pretrained.pt */
  modelPath: string;
  threads?: number;
  batchSize?: number;
}

export async function loadResemblyzer(options: ResemblyzerOptions): Promise<SpeakerEncoder> {
  const state = readLegacyCheckpoint(await readFile(options.modelPath));
  const session = await ort.InferenceSession.create(buildGe2eGraph(state), {
    intraOpNumThreads: options.threads ?? Math.min(4, os.availableParallelism()),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const batchSize = Math.max(1, options.batchSize ?? 16);
  const frameSize = GE2E_WINDOW_FRAMES * GE2E_N_FFT;

  return {
    name: 'resemblyzer-ge2e',
    windowSec: GE2E_WINDOW_SEC,
    async embed(pcm, startsSec) {
      const gain = loudnessGain(pcm);
      const out: Float32Array[] = [];
      for (let b = 0; b < startsSec.length; b += batchSize) {
        const chunk = startsSec.slice(b, b + batchSize);
        const input = new Float32Array(chunk.length * frameSize);
        chunk.forEach((s, k) => {
          frameWindow(pcm, Math.round(s * SAMPLE_RATE), gain, input, k * frameSize);
        });
        const res = await session.run({ frames: new ort.Tensor('float32', input, [chunk.length, GE2E_WINDOW_FRAMES, GE2E_N_FFT]) });
        const data = res.embedding?.data as Float32Array;
        for (let k = 0; k < chunk.length; k++) out.push(data.slice(k * 256, (k + 1) * 256));
      }
      return out;
    },
    async close() {
      await session.release();
    },
  };
}
