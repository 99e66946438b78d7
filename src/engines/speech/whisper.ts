// The primary speech engine: whisper.cpp through @fugood/whisper.node. Turns 16 kHz mono PCM into transcript
// segments with per-word times (token timestamps sharpened on the audio's onsets), the language identified per call
// (multilingual models), translation to English, vocabulary hints, progress and abort.

import path from 'node:path';

import type { TranscriptSegment, Word } from '../../domain/analysis.js';
import type { SpeechEngine, TranscribeOptions, TranscribeResult } from '../types.js';
import { planWindows, shiftSegments } from './segments.js';

import { inspectWhisperModel, WhisperModelError, type WhisperModelInfo } from './whisper-model.js';
import { planLanguage, toBcp47, type LanguagePlan } from './whisper-languages.js';
import { dropHallucinations, isSilent } from './whisper-filter.js';
import { audibleSpan, refineWordStarts } from './word-onsets.js';
import { SAMPLE_RATE } from '../../domain/audio.js';
import { EarshotError } from '../../domain/errors.js';
import { loadNative, type NativeContext, type NativeModule, type NativeSegment, type WhisperBackend } from './whisper-native.js';

export { WhisperModelError, inspectWhisperModel, type WhisperModelInfo } from './whisper-model.js';
export type { WhisperBackend } from './whisper-native.js';

export interface WhisperOptions {
  /** a whisper.cpp ggml model, e.g. ggml-base.en.bin */
  modelPath: string;
  /** Use a GPU build of whisper.cpp (CUDA, else Vulkan; Metal is built into the default macOS build). Default false. */
  useGpu?: boolean;
  /** With useGpu: which GPU build to try first. Default "cuda" then "vulkan". */
  gpuBackend?: 'cuda' | 'vulkan';
  /** CPU threads for whisper.cpp. Default: whisper.cpp's choice (up to 8). */
  threads?: number;
  /** a whisper.node addon built for this CPU (config engines.whisperNative; the npm CPU build has no AVX) */
  nativeAddon?: string;
  /** Default language ("en", "de", ...) or "auto" to detect. Default "auto" (English-only models ignore it). */
  language?: string;
  /** Longer PCM is transcribed in windows of at most this many seconds, cut at pauses. Each window is one whisper.cpp
   *  call, which identifies the language once, from the window's first 30 s: 30 (the default) gives every window its
   *  own language and keeps a silent or noisy lead-in from deciding it for the speech after. Abort takes effect
   *  between windows (whisper.cpp cannot be interrupted inside one). */
  windowSec?: number;
  /**
   * Retry a decode that looks wrong at rising temperatures (whisper.cpp's default). Default false: on non-speech the
   * retries end in fluent invented text that no check can tell from speech, and on the speech tested it changed nothing.
   */
  temperatureFallback?: boolean;
  /** whisper.cpp's own log lines (model loading, warnings). Default: kept quiet. */
  onLog?: (level: string, text: string) => void;
}

export interface WhisperEngine extends SpeechEngine {
  readonly model: WhisperModelInfo;
  /** which native build is loaded; "cpu" also covers Metal on macOS */
  readonly backend: WhisperBackend;
  close(): Promise<void>;
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
    const v = Math.max(-1, Math.min(1, pcm[i] ?? 0)); // out of range wrote 0 before (NaN) and still does
    out[i - start] = v < 0 ? Math.round(v * 32768) : Math.round(v * 32767);
  }
  return out.buffer;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException('transcription aborted', 'AbortError');
}

/**
 * Gemini's customVocabulary as whisper.cpp's initial prompt: the decoder reads it as text that came just before, so
 * the names in it become likely spellings. Whisper keeps the last 223 prompt tokens; longer lists lose their head.
 */
export function vocabularyPrompt(vocabulary: readonly string[] | undefined): string | undefined {
  const terms = [...new Set((vocabulary ?? []).map((v) => v.replace(/\s+/g, ' ').trim()).filter(Boolean))];
  return terms.length ? `${terms.join(', ')}.` : undefined;
}

// ---- the engine ----

/** Load a whisper.cpp model and return a SpeechEngine over it. */
export async function createWhisper(options: WhisperOptions): Promise<WhisperEngine> {
  const model = await inspectWhisperModel(options.modelPath);
  const { module, backend } = loadNative(options.useGpu ?? false, options.gpuBackend, options.nativeAddon);
  if (options.onLog) logListeners.add(options.onLog);
  let ctx: NativeContext;
  beginOp(module);
  try {
    ctx = new module.WhisperContext({ filePath: options.modelPath, useGpu: options.useGpu ?? false });
  } catch (err) {
    await new Promise((r) => setImmediate(r)); // let the log lines of the failed load arrive
    const detail = recentLog
      .filter((l) => l.startsWith('error'))
      .slice(-3)
      .join(' | ');
    throw new WhisperModelError('WHISPER_MODEL_LOAD_FAILED', { file: options.modelPath, reason: (err as Error).message, log: detail });
  } finally {
    endOp(module);
  }

  const defaultLanguage = options.language ?? 'auto';
  const modelName = path.basename(options.modelPath);
  const windowSec = options.windowSec ?? 30;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  /** One whisper.cpp call over pcm[start, end); times relative to `start`. */
  async function transcribeWindow(
    pcm: Float32Array,
    start: number,
    end: number,
    native: { language: string; translate: boolean; prompt?: string },
    signal: AbortSignal | undefined,
    onFraction: (f: number) => void,
  ): Promise<{ segments: TranscriptSegment[]; language?: string }> {
    const window = pcm.subarray(start, end);
    if (isSilent(window)) return { segments: [] };
    const groups: number[] = [];
    const job = ctx.transcribeData(toPcm16(pcm, start, end), {
      language: native.language,
      translate: native.translate,
      ...(native.prompt ? { prompt: native.prompt } : {}),
      maxThreads: options.threads,
      // whisper.cpp retries a failed decode at rising temperatures and keeps the last try whatever it is: on silence,
      // noise and music that last try is fluent invention. Without retries its no-speech check drops those windows.
      temperatureInc: options.temperatureFallback ? 0.2 : 0,
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
      const kept = dropHallucinations(assembleSegments(res.segments, groups, (end - start) / SAMPLE_RATE), window);
      return { segments: refineWordStarts(kept, window), language: res.language || undefined };
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A window under the language plan: a detection outside several hints is redone forced to the first hint. */
  async function transcribePlanned(
    pcm: Float32Array,
    w: { start: number; end: number },
    plan: LanguagePlan,
    rest: { translate: boolean; prompt?: string },
    signal: AbortSignal | undefined,
    onFraction: (f: number) => void,
  ): Promise<{ segments: TranscriptSegment[]; language?: string }> {
    const language = plan.mode === 'force' ? plan.language : 'auto';
    const hinted = plan.mode === 'hinted';
    const first = await transcribeWindow(pcm, w.start, w.end, { language, ...rest }, signal, (f) => onFraction(hinted ? f / 2 : f));
    if (plan.mode !== 'hinted' || (first.language && plan.hints.includes(first.language))) return first;
    return transcribeWindow(pcm, w.start, w.end, { language: plan.hints[0], ...rest }, signal, (f) => onFraction(0.5 + f / 2));
  }

  async function run(pcm: Float32Array, opts: TranscribeOptions): Promise<TranscribeResult> {
    const { signal, onProgress } = opts;
    if (closed) throw new EarshotError('ENGINE_CLOSED', { name: 'whisper engine' });
    if (signal?.aborted) throw abortError(signal);
    const translate = opts.translate === true;
    if (translate && !model.multilingual) throw new EarshotError('SPEECH_TRANSLATION_UNAVAILABLE', { engine: `whisper (${modelName})` });
    const requested = planLanguage(opts.languageCodes, opts.language ?? defaultLanguage);
    // an English-only model has no language tokens: it always decodes English and identifies nothing
    const plan: LanguagePlan = model.multilingual ? requested : { mode: 'force', language: 'en' };
    const prompt = vocabularyPrompt(opts.vocabulary);
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
    for (const planned of windows) {
      const share = (planned.end - planned.start) / Math.max(1, pcm.length);
      // only the audible part: silence around speech is not decoded (and cannot drift the timestamps)
      const span = audibleSpan(pcm.subarray(planned.start, planned.end));
      if (!span) {
        done += share;
        report(done);
        continue;
      }
      const w = { start: planned.start + span.start, end: planned.start + span.end };
      beginOp(module);
      try {
        const r = await transcribePlanned(pcm, w, plan, { translate, prompt }, signal, (f) => report(done + f * share));
        const language = model.multilingual && r.language ? toBcp47(r.language) : undefined;
        for (const s of shiftSegments(r.segments, w.start / SAMPLE_RATE)) segments.push(language ? { ...s, language } : s);
        if (r.segments.length) detected ??= language;
      } finally {
        endOp(module);
      }
      done += share;
      report(done);
    }
    if (onProgress && last < 1) onProgress(1);
    return { segments, language: detected, ...(translate ? { translatedTo: 'en' as const } : {}) };
  }

  return {
    name: 'whisper',
    model,
    backend,
    languageIdentification: model.multilingual,
    translation: model.multilingual,
    vocabulary: true,
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
