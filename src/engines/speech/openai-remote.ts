// Speech recognition on a remote OpenAI-compatible server (speaches, vLLM serving Whisper, LocalAI, OpenAI, or
// another Earshot): each window goes as a WAV to POST {baseUrl}/audio/transcriptions asking for verbose_json
// with word and segment timestamps, and the answer becomes transcript segments on the window's clock.
// Every request runs under the remote guard (time-out, retries, circuit breaker: src/engines/remote/guard.ts).
//
// Word times: servers that honour timestamp_granularities[]=word (OpenAI, speaches, vLLM) give real ones. A
// server that gives only segments (or only text) gets its words spread evenly over each segment by character
// count, and those words carry `approximate: true`, so nothing downstream mistakes them for measured times.
//
// Plain fetch + FormData (Node's own undici) rather than the `openai` npm client: the client has its own
// retries and time-outs, which would stack on the guard's, and it would be a runtime dependency for one call.

import type { TranscriptSegment, Word } from '../../domain/analysis.js';
import { SAMPLE_RATE } from '../../domain/audio.js';
import { EarshotError } from '../../domain/errors.js';
import { encodeWav16 } from '../../audio/decode.js';
import type { SpeechEngine, TranscribeOptions, TranscribeResult } from '../types.js';
import { createRemoteGuard, type BreakerState, type RemoteGuardOptions } from '../remote/guard.js';
import { planWindows, shiftSegments } from './segments.js';

export interface RemoteSpeechOptions {
  /** the API root, e.g. http://gpu-1:8000/v1 (the part before /audio/transcriptions) */
  baseUrl: string;
  /** model name the server knows, e.g. Systran/faster-whisper-small or whisper-1 */
  model: string;
  /** sent as `Authorization: Bearer <apiKey>` */
  apiKey?: string;
  /** language to ask for when the caller gives none ("auto" or absent: the server detects) */
  language?: string;
  /** text sent as `prompt` with every window (names, spellings) */
  prompt?: string;
  /** limit of one request in ms. Default 120000. */
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  breakerFailures?: number;
  breakerResetMs?: number;
  /** windows sent at once by the analysis (a GPU server batches them). Default 2. */
  parallelism?: number;
  /** PCM longer than this is sent in windows cut at pauses. Default 120. */
  windowSec?: number;
  /** fetch implementation; defaults to the global one */
  fetch?: typeof fetch;
}

export interface RemoteSpeechEngine extends SpeechEngine {
  readonly url: string;
  /** the circuit breaker's state, for readiness checks */
  readonly breaker: BreakerState;
  close(): Promise<void>;
}

// ---- the wire: OpenAI's verbose_json transcription ----

interface WireWord {
  word?: unknown;
  start?: unknown;
  end?: unknown;
  probability?: unknown;
}
interface WireSegment {
  start?: unknown;
  end?: unknown;
  text?: unknown;
  /** speaches (faster-whisper) also nests the words in their segments */
  words?: unknown;
}
interface VerboseJson {
  text?: unknown;
  language?: unknown;
  duration?: unknown;
  segments?: unknown;
  words?: unknown;
}

const NAME = 'speech server';

/** The multipart body of one request. */
export function transcriptionForm(wav: Buffer, fields: { model: string; language?: string; prompt?: string }): FormData {
  const form = new FormData();
  form.append(
    'file',
    new Blob([new Uint8Array(wav.buffer as ArrayBuffer, wav.byteOffset, wav.byteLength)], { type: 'audio/wav' }),
    'audio.wav',
  );
  form.append('model', fields.model);
  form.append('response_format', 'verbose_json');
  form.append('timestamp_granularities[]', 'word');
  form.append('timestamp_granularities[]', 'segment');
  if (fields.language && fields.language !== 'auto') form.append('language', fields.language);
  if (fields.prompt) form.append('prompt', fields.prompt);
  form.append('temperature', '0');
  return form;
}

let languageNames: Map<string, string> | undefined;

/** OpenAI answers `language` as an English name ("english"); others send a code. Both become a code. */
export function languageCode(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const v = value.trim().toLowerCase();
  if (/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(v)) return v;
  if (!languageNames) {
    languageNames = new Map();
    const names = new Intl.DisplayNames('en', { type: 'language', fallback: 'none' });
    for (let a = 97; a <= 122; a++)
      for (let b = 97; b <= 122; b++) {
        const code = String.fromCharCode(a, b);
        const name = names.of(code)?.toLowerCase();
        if (name && !languageNames.has(name)) languageNames.set(name, code);
      }
    for (const [alias, code] of [
      ['castilian', 'es'],
      ['valencian', 'ca'],
      ['flemish', 'nl'],
      ['haitian', 'ht'],
      ['myanmar', 'my'],
      ['moldavian', 'ro'],
      ['moldovan', 'ro'],
      ['letzeburgesch', 'lb'],
      ['pushto', 'ps'],
      ['panjabi', 'pa'],
      ['sinhalese', 'si'],
      ['mandarin', 'zh'],
      ['cantonese', 'yue'],
    ] as const)
      languageNames.set(alias, code);
  }
  return languageNames.get(v);
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Words spread over [start, end] in proportion to their length: the fallback when the server gave no word times. */
export function spreadWords(text: string, start: number, end: number): Word[] {
  const tokens = text.split(/\s+/).filter(Boolean);
  const total = tokens.reduce((n, t) => n + t.length, 0);
  const out: Word[] = [];
  let at = start;
  for (const t of tokens) {
    const next = at + ((end - start) * t.length) / Math.max(1, total);
    out.push({ text: t, start: ms(at), end: ms(next), approximate: true });
    at = next;
  }
  return out;
}

const ms = (t: number) => Math.round(t * 1000) / 1000;

/**
 * A verbose_json answer as transcript segments, times relative to the window and clamped to 0..durationSec.
 * Words come from the top-level `words` (OpenAI, vLLM) or each segment's `words` (speaches); each is placed
 * in the segment its middle falls in. Without word times, words are spread evenly and marked approximate.
 */
export function segmentsFromVerboseJson(body: VerboseJson, durationSec: number): TranscriptSegment[] {
  const clamp = (t: number) => ms(Math.min(Math.max(t, 0), durationSec));
  const toWord = (w: WireWord): Word | undefined => {
    const text = typeof w.word === 'string' ? w.word.trim() : '';
    const start = num(w.start);
    const end = num(w.end);
    if (!text || start === undefined || end === undefined) return undefined;
    const word: Word = { text, start: clamp(start), end: Math.max(clamp(start), clamp(end)) };
    const p = num(w.probability);
    if (p !== undefined && p >= 0 && p <= 1) word.confidence = p;
    return word;
  };
  const listOf = (v: unknown): WireWord[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as WireWord[]) : []);

  const wireSegments = listOf(body.segments) as WireSegment[];
  const topWords = listOf(body.words)
    .map(toWord)
    .filter((w): w is Word => !!w);
  const nested = wireSegments.flatMap((s) =>
    listOf(s.words)
      .map(toWord)
      .filter((w): w is Word => !!w),
  );
  const words = (topWords.length ? topWords : nested).sort((a, b) => a.start - b.start);

  const segments = wireSegments
    .map((s) => ({
      start: clamp(num(s.start) ?? 0),
      end: clamp(num(s.end) ?? durationSec),
      text: typeof s.text === 'string' ? s.text.trim() : '',
    }))
    .filter((s) => s.text || words.some((w) => w.start >= s.start && w.end <= s.end))
    .sort((a, b) => a.start - b.start);
  const text = typeof body.text === 'string' ? body.text.trim() : '';
  if (segments.length === 0) {
    const [first] = words;
    const last = words.at(-1);
    if (first && last) return [{ start: first.start, end: last.end, text: words.map((w) => w.text).join(' '), words }];
    return text ? [{ start: 0, end: ms(durationSec), text, words: spreadWords(text, 0, durationSec) }] : [];
  }

  const out: TranscriptSegment[] = segments.map((s) => ({ start: s.start, end: Math.max(s.start, s.end), text: s.text, words: [] }));
  if (words.length) {
    for (const w of words) {
      const mid = (w.start + w.end) / 2;
      let best = out[0];
      let bestGap = Infinity;
      for (const s of out) {
        const gap = mid < s.start ? s.start - mid : mid > s.end ? mid - s.end : 0;
        if (gap < bestGap) [best, bestGap] = [s, gap];
      }
      best?.words.push(w);
    }
    for (const s of out) if (!s.text) s.text = s.words.map((w) => w.text).join(' ');
  } else {
    for (const s of out) s.words = spreadWords(s.text, s.start, s.end);
  }
  return out.filter((s) => s.text);
}

function errorText(text: string): string {
  try {
    const payload = JSON.parse(text) as { error?: unknown; detail?: unknown; message?: unknown };
    const err = payload.error ?? payload.detail ?? payload.message;
    if (typeof err === 'string') return err;
    if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string')
      return (err as { message: string }).message;
  } catch {
    // not JSON: the raw text
  }
  return text.trim().slice(0, 500);
}

// ---- the engine ----

export function createRemoteSpeech(options: RemoteSpeechOptions): RemoteSpeechEngine {
  if (!options.baseUrl) throw new EarshotError('OPENAI_BASE_URL_MISSING');
  const url = `${options.baseUrl.replace(/\/+$/, '')}/audio/transcriptions`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const windowSec = options.windowSec ?? 120;
  const guardOptions: RemoteGuardOptions = {
    name: NAME,
    url,
    timeoutMs: options.timeoutMs ?? 120_000,
    retries: options.retries,
    backoffMs: options.backoffMs,
    breakerFailures: options.breakerFailures,
    breakerResetMs: options.breakerResetMs,
  };
  const guard = createRemoteGuard(guardOptions);
  let closed = false;

  async function request(wav: Buffer, language: string | undefined, signal: AbortSignal): Promise<VerboseJson> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    let response: Response;
    try {
      const body = transcriptionForm(wav, { model: options.model, language, prompt: options.prompt });
      response = await doFetch(url, { method: 'POST', headers, body, signal });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new EarshotError(
        'REMOTE_UNREACHABLE',
        { name: NAME, url, reason: String(cause?.code ?? cause?.message ?? (err as Error).message) },
        { cause: err },
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw new EarshotError(
        'REMOTE_UNREACHABLE',
        { name: NAME, url, reason: `the answer broke off: ${(err as Error).message}` },
        { cause: err },
      );
    }
    if (!response.ok) {
      throw new EarshotError(
        'REMOTE_HTTP_ERROR',
        { name: NAME, url, status: response.status, statusText: response.statusText, message: errorText(text) },
        { facts: { upstreamStatus: response.status } },
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new EarshotError('REMOTE_BAD_RESPONSE', { name: NAME, url, problem: `not JSON: ${text.slice(0, 200)}` });
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new EarshotError('REMOTE_BAD_RESPONSE', { name: NAME, url, problem: 'not a JSON object' });
    const v = body as VerboseJson;
    if (typeof v.text !== 'string' && !Array.isArray(v.segments)) {
      throw new EarshotError('REMOTE_BAD_RESPONSE', {
        name: NAME,
        url,
        problem: 'neither `text` nor `segments` in the answer (is response_format=verbose_json supported?)',
      });
    }
    return v;
  }

  return {
    name: `openai-speech:${options.model}`,
    url,
    parallelism: options.parallelism ?? 2,
    get breaker() {
      return guard.state;
    },
    async transcribe(pcm: Float32Array, opts: TranscribeOptions = {}): Promise<TranscribeResult> {
      if (closed) throw new EarshotError('ENGINE_CLOSED', { name: 'remote speech engine' });
      opts.signal?.throwIfAborted();
      const asked = opts.language ?? options.language;
      const segments: TranscriptSegment[] = [];
      let language: string | undefined;
      if (pcm.length === 0) return { segments, language: asked && asked !== 'auto' ? asked : undefined };
      const windows = planWindows(pcm, windowSec);
      let done = 0;
      for (const w of windows) {
        const wav = encodeWav16(pcm.subarray(w.start, w.end));
        const answer = await guard.run((signal) => request(wav, asked, signal), opts.signal);
        segments.push(...shiftSegments(segmentsFromVerboseJson(answer, (w.end - w.start) / SAMPLE_RATE), w.start / SAMPLE_RATE));
        language ??= languageCode(answer.language);
        done += w.end - w.start;
        opts.onProgress?.(done / pcm.length);
      }
      return { segments, language: language ?? (asked && asked !== 'auto' ? asked : undefined) };
    },
    async close() {
      closed = true;
    },
  };
}
