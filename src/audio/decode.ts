// Decodes any audio file to the PCM every engine consumes: 16 kHz mono Float32 in -1..1, streamed from
// an ffmpeg child with backpressure, cut to sample-exact ranges; plus WAV encoding and loudness helpers.

import { spawn } from 'node:child_process';

import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';

import { endianness, tmpdir } from 'node:os';

import path from 'node:path';
import { AudioError, withoutPath } from './errors.js';
import { EarshotError } from '../domain/errors.js';

import { resolveFfmpeg, type FfmpegChoice } from './ffmpeg.js';

import { normalizeAudioMime, sniffContent } from './formats.js';

import { probeAudio } from './probe.js';

import { PcmQueue } from './pcm-queue.js';

import { stderrTail } from './process.js';
import { SAMPLE_RATE } from '../domain/audio.js';

export interface PcmRange {
  /** seconds from the first sample; default 0 */
  start?: number;
  /** seconds, exclusive; default: end of file */
  end?: number;
}

export interface DecodeOptions extends PcmRange {
  signal?: AbortSignal;
  /** Which ffmpeg to run (found binaries or locate options); default: locateFfmpeg(). */
  ffmpeg?: FfmpegChoice;
  /** 'auto' (default): soxr when the ffmpeg build has it; 'default': ffmpeg's built-in resampler. */
  resampler?: 'auto' | 'default';
  /**
   * How a range start is reached. 'fast': ffmpeg seeks in the container (sample-exact for WAV, AIFF,
   * FLAC, MP3, AAC, M4A and Ogg; Matroska/WebM seeks land a few ms off). 'exact': decode from the
   * beginning and discard (always consistent with a full decode, slower for late starts).
   * 'auto' (default): 'exact' for Matroska/WebM, 'fast' otherwise.
   */
  seek?: 'auto' | 'fast' | 'exact';
}

/**
 * How much audio before `start` is decoded and thrown away when cutting a range: it lets the resampler's
 * filter settle so a cut's samples match the same samples of a full decode, and the seek lands on a
 * 10 ms boundary (a whole number of samples at every common input rate and at 16 kHz).
 */
const PREROLL_SEC = 0.5;

/**
 * Decoded bytes read ahead of the consumer before ffmpeg's pipe is left to fill (1 MiB ≈ 16 s of audio):
 * enough that a consumer's short pauses never stall ffmpeg, small enough to keep memory constant.
 */
const QUEUE_BYTES = 1 << 20;
/** Most samples handed over at once (4 s); a pull takes everything queued up to this. */
const MAX_CHUNK_SAMPLES = 4 * SAMPLE_RATE;

/** Matroska/WebM files start with the EBML magic number. */
async function isMatroska(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    return bytesRead === 4 && b.readUInt32BE(0) === 0x1a45dfa3;
  } finally {
    await fh.close();
  }
}

/**
 * ffmpeg arguments that decode `file` from `seekSec` (for at most `maxSec`) to raw 16 kHz mono float32 on
 * stdout (exported for the bench, which runs the same command without a Node reader as its baseline).
 */
export function decodeArgs(file: string, seekSec: number, maxSec: number | undefined, soxr: boolean): string[] {
  const args = ['-hide_banner', '-nostdin', '-v', 'error'];
  if (seekSec > 0) args.push('-ss', seekSec.toFixed(2));
  if (maxSec !== undefined) args.push('-t', maxSec.toFixed(3));
  args.push('-i', `file:${file}`, '-map', '0:a:0', '-vn', '-sn', '-dn');
  // rematrix_maxval=1 keeps the channel mix within full scale: stereo becomes (L+R)/2, where ffmpeg's
  // default for float is (L+R)/√2, which can exceed 1.0 for in-phase content.
  args.push('-af', soxr ? 'aresample=resampler=soxr:rematrix_maxval=1' : 'aresample=rematrix_maxval=1');
  const fmt = endianness() === 'LE' ? 'f32le' : 'f32be';
  // -flush_packets 0: write the pipe in 32 KB blocks, not one small write per audio frame (14× fewer
  // reads and wake-ups on the node side)
  args.push('-ac', '1', '-ar', String(SAMPLE_RATE), '-c:a', `pcm_${fmt}`, '-flush_packets', '0', '-f', fmt, 'pipe:1');
  return args;
}

/**
 * Streams the audio of `file` as 16 kHz mono Float32Array chunks (each a fresh array of up to 4 s: whatever
 * ffmpeg has written since the last pull, so usually ~0.5 s when the consumer keeps up).
 * With start/end, the output starts exactly at sample round(start·16000) and holds exactly
 * round(end·16000) − round(start·16000) samples unless the file ends first.
 * Memory stays constant: at most ~1 MiB is read ahead, then ffmpeg waits on the pipe. Returning early or aborting
 * kills ffmpeg. Decoder failures throw AudioError AUDIO_CORRUPT carrying ffmpeg's stderr (fact `detail`).
 */
export async function* decodePcm(file: string, options: DecodeOptions = {}): AsyncGenerator<Float32Array, void, undefined> {
  const { signal } = options;
  const bins = resolveFfmpeg(options.ffmpeg);
  const soxr = (options.resampler ?? 'auto') === 'auto' && bins.soxr;
  const start = Math.max(0, options.start ?? 0);
  const startSample = Math.round(start * SAMPLE_RATE);
  const endSample = options.end !== undefined ? Math.round(options.end * SAMPLE_RATE) : Infinity;
  if (endSample <= startSample) return;

  const seekMode = options.seek ?? 'auto';
  const matroska = await isMatroska(file); // also fails early, with ENOENT, for a missing file
  const exact = seekMode === 'exact' || (seekMode === 'auto' && matroska);
  const seekSec = startSample > 0 && !exact ? Math.max(0, Math.floor((start - PREROLL_SEC) * 100) / 100) : 0;
  let drop = startSample - Math.round(seekSec * SAMPLE_RATE);
  let want = endSample - startSample;
  const maxSec = Number.isFinite(endSample) ? endSample / SAMPLE_RATE - seekSec + 0.25 : undefined;

  signal?.throwIfAborted();
  const child = spawn(bins.ffmpeg, decodeArgs(file, seekSec, maxSec, soxr), {
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr += s;
    if (stderr.length > 32_768) stderr = stderr.slice(-16_384);
  });
  let spawnError: Error | undefined;
  const closed = new Promise<number | null>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  const queue = new PcmQueue(child.stdout, QUEUE_BYTES);
  const onAbort = (): void => {
    const reason = signal?.reason instanceof Error ? signal.reason : new Error('aborted');
    child.kill('SIGKILL');
    queue.fail(reason);
    child.stdout.destroy(reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  let finished = false;
  try {
    while (drop > 0) {
      const d = await queue.skip(drop);
      if (d === 0) break;
      drop -= d;
    }
    while (want > 0) {
      signal?.throwIfAborted();
      const out = await queue.next(Math.min(want, MAX_CHUNK_SAMPLES));
      if (!out) break;
      want -= out.length;
      yield out;
    }
    if (want <= 0) {
      finished = true;
      return;
    }
    signal?.throwIfAborted();
    const code = await closed;
    if (spawnError) {
      throw new EarshotError('FFMPEG_NOT_RUNNABLE', { binary: bins.ffmpeg, reason: spawnError.message });
    }
    if (code !== 0) {
      const tail = stderrTail(stderr);
      throw new AudioError('AUDIO_CORRUPT', { case: 'decode-failed', exit: code, tail: withoutPath(tail, file) }, { detail: tail });
    }
    finished = true;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (!finished) child.stdout.destroy();
  }
}

export interface DecodeAllOptions extends DecodeOptions {
  /** Known duration of the file in seconds (skips the probe used to preallocate). */
  durationSec?: number;
  /** Refuse files longer than this (checked by the probe). */
  maxDurationSec?: number;
}

/**
 * The whole file (or a range) as one 16 kHz mono Float32Array. Probes first to size the buffer
 * (and to refuse non-audio with a clear AudioError), unless durationSec is given.
 */
export async function decodeAll(file: string, range: PcmRange = {}, options: DecodeAllOptions = {}): Promise<Float32Array> {
  let duration = options.durationSec;
  if (duration === undefined) {
    const probeOpts: Parameters<typeof probeAudio>[1] = { ffmpeg: options.ffmpeg };
    if (options.signal) probeOpts.signal = options.signal;
    if (options.maxDurationSec !== undefined) probeOpts.maxDurationSec = options.maxDurationSec;
    duration = (await probeAudio(file, probeOpts)).durationSec;
  }
  const startSample = Math.round(Math.max(0, range.start ?? 0) * SAMPLE_RATE);
  const endSec = range.end !== undefined ? Math.min(range.end, duration + 1) : duration;
  const expected = Math.max(0, Math.round(endSec * SAMPLE_RATE) - startSample);
  // a little headroom: codec priming/padding can make the decoded length exceed the stated one
  const exact = range.end !== undefined && range.end <= duration;
  let buf = new Float32Array(exact ? expected : expected + SAMPLE_RATE);
  let n = 0;
  for await (const chunk of decodePcm(file, { ...options, start: range.start, end: range.end })) {
    if (n + chunk.length > buf.length) {
      const grown = new Float32Array(Math.max(n + chunk.length, Math.ceil(buf.length * 1.5) + SAMPLE_RATE));
      grown.set(buf.subarray(0, n));
      buf = grown;
    }
    buf.set(chunk, n);
    n += chunk.length;
  }
  if (n === buf.length) return buf;
  return buf.length - n > SAMPLE_RATE * 4 ? buf.slice(0, n) : buf.subarray(0, n);
}

export interface DecodeBufferOptions extends DecodeAllOptions {
  /** where to put the temporary file; default os.tmpdir() */
  tmpDir?: string;
}

const EXT: Record<string, string> = {
  'audio/wav': '.wav',
  'audio/mp3': '.mp3',
  'audio/aiff': '.aiff',
  'audio/aac': '.aac',
  'audio/ogg': '.ogg',
  'audio/flac': '.flac',
  'audio/mp4': '.m4a',
  'audio/webm': '.webm',
  'audio/x-matroska': '.mka',
  'audio/amr': '.amr',
};

/**
 * Decodes in-memory audio (e.g. inline base64 data) to 16 kHz mono PCM. The bytes decide the format;
 * `mime` is only a fallback hint. Goes through a temporary file so containers that need seeking
 * (m4a with its index at the end) work.
 */
export async function decodeBuffer(buf: Buffer, mime?: string, options: DecodeBufferOptions = {}): Promise<Float32Array> {
  if (buf.length === 0) throw new AudioError('AUDIO_EMPTY', { case: 'data' });
  const sniff = sniffContent(buf.subarray(0, 64 * 1024));
  if (sniff.kind === 'not-audio') throw new AudioError('AUDIO_NOT_AUDIO', { case: 'content', subject: 'data', what: sniff.what });
  const canonical = sniff.kind === 'audio' ? sniff.mime : normalizeAudioMime(mime);
  const dir = await mkdtemp(path.join(options.tmpDir ?? tmpdir(), 'earshot-inline-'));
  try {
    const file = path.join(dir, `audio${(canonical && EXT[canonical]) ?? '.bin'}`);
    await writeFile(file, buf);
    const range: PcmRange = {};
    if (options.start !== undefined) range.start = options.start;
    if (options.end !== undefined) range.end = options.end;
    return await decodeAll(file, range, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** 16-bit PCM WAV bytes (mono) for engines that want a file; samples are clipped to -1..1. */
export function encodeWav16(pcm: Float32Array, sampleRate: number = SAMPLE_RATE): Buffer {
  const dataBytes = pcm.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'latin1');
  out.write('fmt ', 12, 'latin1');
  out.writeUInt32LE(16, 16); // fmt chunk size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28); // byte rate
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(dataBytes, 40);
  const samples = new Int16Array(out.buffer, out.byteOffset + 44, pcm.length);
  for (let i = 0; i < pcm.length; i++) {
    // the same scale ffmpeg uses both ways (x·32768), so decode(encode(x)) is within half a step of x
    const s = Math.round(pcm[i]! * 32768);
    samples[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
  return out;
}

/**
 * RMS level in dBFS (0 dB = a full-scale square wave; a full-scale sine is about -3 dB).
 * Silence and empty input give `floorDb` (default -120) rather than -Infinity, so the value stays JSON-safe.
 */
export function rmsDb(pcm: Float32Array, floorDb = -120): number {
  if (pcm.length === 0) return floorDb;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
  const rms = Math.sqrt(sum / pcm.length);
  if (rms === 0) return floorDb;
  return Math.max(floorDb, 20 * Math.log10(rms));
}
