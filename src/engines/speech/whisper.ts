// The primary speech engine: whisper.cpp through @fugood/whisper.node. Turns 16 kHz mono PCM into transcript
// segments with per-word times (from whisper.cpp's token timestamps), the detected language, progress and abort.

import { createRequire } from 'node:module';

import type { TranscriptSegment, Word } from '../../domain/analysis.js';
import { type SpeechEngine, type TranscribeOptions, type TranscribeResult } from '../types.js';
import { planWindows, shiftSegments } from './segments.js';

import { inspectWhisperModel, WhisperModelError, type WhisperModelInfo } from './whisper-model.js';
import { SAMPLE_RATE } from '../../domain/audio.js';
import { EarshotError } from '../../domain/errors.js';


export { WhisperModelError, inspectWhisperModel, type WhisperModelInfo } from './whisper-model.js';

export type WhisperBackend = 'cpu' | 'cuda' | 'vulkan';

export interface WhisperOptions {
  /** a whisper.cpp ggml model, e.g. ggml-base.en.bin */
  modelPath: string;
  /** Use a GPU build of whisper.cpp (CUDA, else Vulkan; Metal is built into the default macOS build). Default false. */
  useGpu?: boolean;
  /** With useGpu: which GPU build to try first. Default "cuda" then "vulkan". */
  gpuBackend?: 'cuda' | 'vulkan';
  /** CPU threads for whisper.cpp. Default: whisper.cpp's choice (up to 8). */
  threads?: number;
  /** Default language ("en", "de", ...) or "auto" to detect. Default "auto" ("en" for English-only models). */
  language?: string;
  /** Longer PCM is transcribed in windows of at most this many seconds, cut at pauses. Abort takes effect between windows
   *  (whisper.cpp cannot be interrupted inside one), so this also bounds the CPU spent after an abort. Default 120. */
  windowSec?: number;
  /** whisper.cpp's own log lines (model loading, warnings). Default: kept quiet. */
  onLog?: (level: string, text: string) => void;
}

export interface WhisperEngine extends SpeechEngine {
  readonly model: WhisperModelInfo;
  /** which native build is loaded; "cpu" also covers Metal on macOS */
  readonly backend: WhisperBackend;
  close(): Promise<void>;
}

// ---- the native binding (typed here: the package's own .d.ts is not shipped) ----

interface NativeSegment {
  text: string;
  /** milliseconds */
  t0: number;
  t1: number;
}
interface NativeResult {
  language?: string;
  result: string;
  segments: NativeSegment[];
  isAborted: boolean;
}
interface NativeTranscribeOptions {
  language?: string;
  maxThreads?: number;
  maxLen?: number;
  tokenTimestamps?: boolean;
  onProgress?: (percent: number) => void;
  onNewSegments?: (r: { nNew: number; totalNNew: number }) => void;
}
interface NativeContext {
  transcribeData(pcm16: ArrayBuffer, options: NativeTranscribeOptions): { stop(): Promise<void>; promise: Promise<NativeResult> };
  release(): Promise<void>;
}
interface NativeModule {
  WhisperContext: {
    new (options: { filePath: string; useGpu?: boolean; useFlashAttn?: boolean }): NativeContext;
    toggleNativeLog(enable: boolean, callback?: (level: string, text: string) => void): void;
  };
}

const require = createRequire(import.meta.url);
const loaded = new Map<string, NativeModule>();

function loadNative(useGpu: boolean, first?: 'cuda' | 'vulkan'): { module: NativeModule; backend: WhisperBackend } {
  const base = `@fugood/node-whisper-${process.platform}-${process.arch}`;
  const order: WhisperBackend[] = useGpu ? (first === 'vulkan' ? ['vulkan', 'cuda', 'cpu'] : ['cuda', 'vulkan', 'cpu']) : ['cpu'];
  const failures: string[] = [];
  for (const backend of order) {
    const name = backend === 'cpu' ? base : `${base}-${backend}`;
    const cached = loaded.get(name);
    if (cached) return { module: cached, backend };
    try {
      const module = require(name) as NativeModule;
      loaded.set(name, module);
      return { module, backend };
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new EarshotError('WHISPER_UNAVAILABLE', { platform: process.platform, arch: process.arch, failures });
}

// whisper.cpp logs through one process-wide hook. It is switched on only while a load or a transcription runs,
// because the binding's log channel keeps Node's event loop alive while it is open.
const logListeners = new Set<(level: string, text: string) => void>();
let activeOps = 0;
let recentLog: string[] = [];

function beginOp(module: NativeModule): void {
  if (activeOps++ === 0) {
    module.WhisperContext.toggleNativeLog(true, (level, text) => {
      recentLog.push(`${level}: ${text.trim()}`);
      if (recentLog.length > 40) recentLog = recentLog.slice(-40);
      for (const l of logListeners) l(level, text);
    });
  }
}
function endOp(module: NativeModule): void {
  if (--activeOps === 0) module.WhisperContext.toggleNativeLog(false);
}

// ---- turning whisper.cpp output into transcript segments ----

/**
 * Group whisper.cpp's one-token segments (max_len 1 with token timestamps) back into its real segments and words.
 * `groups` holds how many token segments each real segment produced (from the new-segment callback); a token
 * starting with a space starts a new word, others continue the previous one. Times are clamped to 0..durationSec.
 */
export function assembleSegments(tokens: readonly NativeSegment[], groups: readonly number[], durationSec: number): TranscriptSegment[] {
  const sum = groups.reduce((a, b) => a + b, 0);
  const sizes = sum === tokens.length && groups.length > 0 ? groups : fallbackGroups(tokens);
  const clamp = (ms: number) => Math.round(Math.min(Math.max(ms / 1000, 0), durationSec) * 1000) / 1000;
  const out: TranscriptSegment[] = [];
  let i = 0;
  for (const size of sizes) {
    const part = tokens.slice(i, i + size);
    i += size;
    const words: Word[] = [];
    let start = Infinity;
    let end = -Infinity;
    let text = '';
    for (const tok of part) {
      if (tok.text.length === 0) continue;
      const t0 = clamp(tok.t0);
      const t1 = Math.max(t0, clamp(tok.t1));
      start = Math.min(start, t0);
      end = Math.max(end, t1);
      text += tok.text;
      const trimmed = tok.text.trim();
      const last = words[words.length - 1];
      if (trimmed.length === 0) continue;
      if (!last || /^\s/.test(tok.text)) words.push({ text: trimmed, start: t0, end: t1 });
      else {
        last.text += trimmed;
        last.end = Math.max(last.end, t1);
      }
    }
    if (text.trim().length === 0) continue;
    out.push({ start, end, text: text.trim(), words });
  }
  return out;
}

/** Without segment boundaries from whisper.cpp, cut after sentence punctuation. */
function fallbackGroups(tokens: readonly NativeSegment[]): number[] {
  const sizes: number[] = [];
  let n = 0;
  for (const t of tokens) {
    n++;
    if (/[.!?]\s*$/.test(t.text)) {
      sizes.push(n);
      n = 0;
    }
  }
  if (n > 0) sizes.push(n);
  return sizes;
}

function toPcm16(pcm: Float32Array, start: number, end: number): ArrayBuffer {
  const out = new Int16Array(end - start);
  for (let i = start; i < end; i++) {
    const v = Math.max(-1, Math.min(1, pcm[i]));
    out[i - start] = v < 0 ? Math.round(v * 32768) : Math.round(v * 32767);
  }
  return out.buffer;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException('transcription aborted', 'AbortError');
}

// ---- the engine ----

/** Load a whisper.cpp model and return a SpeechEngine over it. */
export async function createWhisper(options: WhisperOptions): Promise<WhisperEngine> {
  const model = await inspectWhisperModel(options.modelPath);
  const { module, backend } = loadNative(options.useGpu ?? false, options.gpuBackend);
  if (options.onLog) logListeners.add(options.onLog);
  let ctx: NativeContext;
  beginOp(module);
  try {
    ctx = new module.WhisperContext({ filePath: options.modelPath, useGpu: options.useGpu ?? false });
  } catch (err) {
    await new Promise((r) => setImmediate(r)); // let the log lines of the failed load arrive
    const detail = recentLog.filter((l) => l.startsWith('error')).slice(-3).join(' | ');
    throw new WhisperModelError('WHISPER_MODEL_LOAD_FAILED', { file: options.modelPath, reason: (err as Error).message, log: detail });
  } finally {
    endOp(module);
  }

  const defaultLanguage = model.multilingual ? (options.language ?? 'auto') : 'en';
  const windowSec = options.windowSec ?? 120;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  async function transcribeWindow(
    pcm: Float32Array,
    start: number,
    end: number,
    language: string,
    signal: AbortSignal | undefined,
    onFraction: (f: number) => void,
  ): Promise<{ segments: TranscriptSegment[]; language?: string }> {
    const groups: number[] = [];
    const job = ctx.transcribeData(toPcm16(pcm, start, end), {
      language,
      maxThreads: options.threads,
      tokenTimestamps: true,
      maxLen: 1,
      onProgress: (p) => onFraction(Math.min(1, Math.max(0, p / 100))),
      onNewSegments: (r) => groups.push(r.nNew),
    });
    job.promise.catch(() => undefined); // an aborted job still settles later; nobody may be listening then
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      if (!signal) return;
      onAbort = () => {
        void job.stop();
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const res = await Promise.race([job.promise, aborted]);
      if (res.isAborted && signal?.aborted) throw abortError(signal);
      return { segments: assembleSegments(res.segments, groups, (end - start) / SAMPLE_RATE), language: res.language || undefined };
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async function run(pcm: Float32Array, opts: TranscribeOptions): Promise<TranscribeResult> {
    const { signal, onProgress } = opts;
    if (closed) throw new EarshotError('ENGINE_CLOSED', { name: 'whisper engine' });
    if (signal?.aborted) throw abortError(signal);
    const language = opts.language ?? defaultLanguage;
    const windows = planWindows(pcm, windowSec);
    const segments: TranscriptSegment[] = [];
    let detected: string | undefined;
    let done = 0;
    let last = 0;
    const report = (fraction: number) => {
      const v = Math.min(1, fraction);
      if (onProgress && v > last) {
        last = v;
        onProgress(v);
      }
    };
    for (const w of windows) {
      const share = (w.end - w.start) / Math.max(1, pcm.length);
      beginOp(module);
      try {
        const r = await transcribeWindow(pcm, w.start, w.end, language, signal, (f) => report(done + f * share));
        segments.push(...shiftSegments(r.segments, w.start / SAMPLE_RATE));
        detected ??= r.language;
      } finally {
        endOp(module);
      }
      done += share;
      report(done);
    }
    if (onProgress && last < 1) onProgress(1);
    return { segments, language: detected ?? (language === 'auto' ? undefined : language) };
  }

  return {
    name: 'whisper',
    model,
    backend,
    transcribe(pcm, opts = {}) {
      // one transcription at a time per model: whisper.cpp's context is not re-entrant
      const result = queue.then(() => run(pcm, opts));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      if (options.onLog) logListeners.delete(options.onLog);
      await ctx.release();
    },
  };
}
