// The YAMNet sound-event engine: loads YAMNet's TFLite file, converts it once to ONNX (cached by the
// file's sha256), and classifies 16 kHz PCM in 0.975 s frames with onnxruntime, then merges the
// frame scores into labelled sound events.
// Framing: frames start every 0.48 s by default (0.975 s = non-overlapping, as the reference scores);
// a trailing partial frame is zero-padded only if at least half a frame (see LastFramePolicy).
// Events: a class is present in a frame at score >= 0.25; runs of such frames (one-frame dips bridged)
// become one event. No label is skipped by default (Speech and Silence included); pass excludeLabels.

import { createHash } from 'node:crypto';

import { existsSync } from 'node:fs';

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';

import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { SoundEvent } from '../../domain/analysis.js';
import type { SoundEngine, SoundFrame } from '../types.js';
import { tfliteToOnnx } from './convert.js';

import { mergeEvents, parseClassMap } from './scores.js';
import { YAMNET_CLASSES } from './yamnet-classes.js';

import { parseTflite } from './tflite.js';
import { SAMPLE_RATE } from '../../domain/audio.js';
import { EarshotError } from '../../domain/errors.js';

/** sha256 of the YAMNet TFLite file this engine was validated against (int8 weights, 521 classes). */
export const YAMNET_SHA256 = '469be6a3421cbc52cf97e9f2f966cba984198e8e7af9854d68b3e3ebb1e04194';
/** Samples per YAMNet frame: 0.975 s at 16 kHz. */
export const YAMNET_FRAME = 15_600;
/** YAMNet's native hop between frames, seconds. */
export const YAMNET_HOP_SECONDS = 0.48;
/** Default event threshold: a class must score at least this in a frame to be part of an event. */
export const DEFAULT_EVENT_THRESHOLD = 0.25;
/** Bump when the converter's output changes, so stale cached ONNX files are not reused. */
const CONVERTER_VERSION = 1;

export interface YamnetOptions {
  /** path to yamnet.tflite */
  modelPath: string;
  /** path to a yamnet_class_map.csv; default: the class names shipped with Earshot (yamnet-classes.ts) */
  labelsPath?: string;
  /** where to keep the converted ONNX model (keyed by the TFLite file's sha256); none = convert on every load */
  cacheDir?: string;
  /** onnxruntime intra-op threads (default: available cores, at most 4) */
  threads?: number;
  /** seconds between frame starts (default 0.48, YAMNet's native hop; 0.975 = non-overlapping frames) */
  hopSeconds?: number;
  /** see ClassifyOptions.lastFrame (default 'half') */
  lastFrame?: LastFramePolicy;
  /** frames per onnxruntime call (default 16) */
  batchSize?: number;
  /** event threshold (default 0.25) */
  eventThreshold?: number;
  /** display names never reported as events (default none) */
  excludeLabels?: string[];
  /** sub-threshold frames bridged inside an event (default 1, see mergeEvents) */
  bridgeFrames?: number;
}

/**
 * What to do with the trailing part of the audio that does not fill a whole 0.975 s frame:
 * 'half' zero-pads it into a frame only if it is at least half a frame (0.4875 s) long, else drops it;
 * 'drop' always drops it. Either way, audio shorter than one frame (but not empty) gives one
 * zero-padded frame, so short clips are still classified.
 */
export type LastFramePolicy = 'half' | 'drop';

export interface ClassifyOptions {
  hopSeconds?: number;
  lastFrame?: LastFramePolicy;
}

export interface YamnetEngine extends SoundEngine {
  classify(pcm: Float32Array, options?: ClassifyOptions): Promise<SoundFrame[]>;
  /** sha256 of the TFLite file loaded */
  readonly modelSha256: string;
  /** whether the ONNX model came from the cache (false: converted during this load) */
  readonly fromCache: boolean;
  close(): Promise<void>;
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** Checks a YAMNet TFLite file against the known-good sha256. */
export async function verifyYamnet(modelPath: string): Promise<{ ok: boolean; sha256: string }> {
  const sha256 = await sha256File(modelPath);
  return { ok: sha256 === YAMNET_SHA256, sha256 };
}

/** Start sample of every frame for `samples` samples of audio (see LastFramePolicy). */
export function frameStarts(samples: number, hop: number, lastFrame: LastFramePolicy = 'half'): number[] {
  if (!(hop > 0)) throw new Error(`frame hop must be positive, got ${hop}`);
  const starts: number[] = [];
  for (let s = 0; s < samples; s += hop) {
    const rest = samples - s;
    if (rest >= YAMNET_FRAME || starts.length === 0 || (lastFrame === 'half' && rest >= YAMNET_FRAME / 2)) starts.push(s);
    else break;
  }
  return starts;
}

async function readRequired(file: string, what: string): Promise<Buffer> {
  if (!existsSync(file)) {
    throw new EarshotError('YAMNET_FILE_NOT_FOUND', { what, file });
  }
  return readFile(file);
}

/** The session's first input and first output name, or undefined when it lacks either. */
function ioNames(session: ort.InferenceSession): [string, string] | undefined {
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  return input !== undefined && output !== undefined ? [input, output] : undefined;
}

export async function createYamnet(options: YamnetOptions): Promise<YamnetEngine> {
  const tflite = await readRequired(options.modelPath, 'YAMNet model');
  const labels = options.labelsPath
    ? parseClassMap((await readRequired(options.labelsPath, 'YAMNet class map')).toString('utf8'))
    : [...YAMNET_CLASSES];
  const sha = createHash('sha256').update(tflite).digest('hex');

  const cacheFile = options.cacheDir ? path.join(options.cacheDir, `yamnet-${sha.slice(0, 32)}-c${CONVERTER_VERSION}.onnx`) : undefined;
  let onnx: Uint8Array | undefined;
  let fromCache = false;
  if (cacheFile && existsSync(cacheFile)) {
    onnx = await readFile(cacheFile);
    fromCache = true;
  } else {
    const model = parseTflite(tflite);
    // a missing input or output reads as an empty shape, which the check below rejects
    const inShape = model.tensors[model.inputs[0] ?? -1]?.shape ?? [];
    const outShape = model.tensors[model.outputs[0] ?? -1]?.shape ?? [];
    if (inShape.join() !== `1,${YAMNET_FRAME}` || outShape.at(-1) !== labels.length) {
      throw new EarshotError('YAMNET_MODEL_WRONG', {
        file: options.modelPath,
        inShape,
        outShape,
        labels: labels.length,
        frame: YAMNET_FRAME,
      });
    }
    onnx = tfliteToOnnx(model, { dynamicBatch: true });
    if (cacheFile) {
      await mkdir(path.dirname(cacheFile), { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, onnx);
      await rename(tmp, cacheFile);
    }
  }

  const threads = options.threads ?? Math.min(4, os.availableParallelism());
  const session = await ort.InferenceSession.create(onnx, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  onnx = undefined;

  const defaultHop = options.hopSeconds ?? YAMNET_HOP_SECONDS;
  const defaultLast = options.lastFrame ?? 'half';
  const batchSize = Math.max(1, options.batchSize ?? 16);
  const threshold = options.eventThreshold ?? DEFAULT_EVENT_THRESHOLD;
  const exclude = new Set(options.excludeLabels ?? []);
  const classes = labels.length;
  const io = ioNames(session);
  if (!io) {
    const file = cacheFile ?? options.modelPath;
    throw new EarshotError('YAMNET_MODEL_WRONG', { file, inShape: [], outShape: [], labels: classes, frame: YAMNET_FRAME });
  }
  const [inputName, scoresName] = io;
  // one inference at a time: concurrent runs would only fight over the same cores
  let queue: Promise<unknown> = Promise.resolve();

  async function runBatch(batch: Float32Array, frames: number): Promise<Float32Array> {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', batch, [frames, YAMNET_FRAME]) }, [scoresName]);
    const scores = out[scoresName];
    if (!scores) throw new Error(`onnxruntime returned no "${scoresName}" output`);
    return scores.data as Float32Array;
  }

  async function classify(pcm: Float32Array, opts: ClassifyOptions = {}): Promise<SoundFrame[]> {
    const hop = Math.round((opts.hopSeconds ?? defaultHop) * SAMPLE_RATE);
    const starts = frameStarts(pcm.length, hop, opts.lastFrame ?? defaultLast);
    const frames: SoundFrame[] = [];
    const job = queue.then(async () => {
      for (let b = 0; b < starts.length; b += batchSize) {
        const chunk = starts.slice(b, b + batchSize);
        const input = new Float32Array(chunk.length * YAMNET_FRAME); // zeros pad short frames
        chunk.forEach((s, k) => {
          input.set(pcm.subarray(s, s + YAMNET_FRAME), k * YAMNET_FRAME);
        });
        const scores = await runBatch(input, chunk.length);
        chunk.forEach((s, k) => {
          frames.push({
            start: s / SAMPLE_RATE,
            end: Math.min(s + YAMNET_FRAME, pcm.length) / SAMPLE_RATE,
            scores: scores.slice(k * classes, (k + 1) * classes),
          });
        });
      }
    });
    queue = job.catch(() => undefined);
    await job;
    return frames;
  }

  return {
    name: 'yamnet',
    labels,
    modelSha256: sha,
    fromCache,
    classify,
    events(frames: SoundFrame[]): SoundEvent[] {
      return mergeEvents(frames, labels, { threshold, exclude, bridgeFrames: options.bridgeFrames });
    },
    async close() {
      await queue;
      await session.release();
    },
  };
}
