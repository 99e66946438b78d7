// Real audio fixtures for the audio tests, encoded by ffmpeg from one reference signal (a 1 kHz tone,
// 44.1 kHz, 3 s, amplitude 0.5) into every format the server accepts, plus broken and non-audio files.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { locateFfmpeg } from '../../src/audio/ffmpeg.js';

export const TONE_HZ = 1000;
export const TONE_SEC = 3;
export const TONE_RATE = 44100;

export interface FormatFixture {
  name: string;
  file: string;
  /** ffmpeg codec name the probe should report */
  codec: string;
  /** sniffed/probed format name */
  format: string;
  mime: string;
  /** ogg/webm inner codec reported by the sniffer */
  innerCodec?: string;
  sampleRate: number;
}

const ENCODINGS: {
  name: string;
  ext: string;
  args: string[];
  codec: string;
  format: string;
  mime: string;
  innerCodec?: string;
  rate: number;
}[] = [
  { name: 'wav', ext: 'wav', args: ['-c:a', 'pcm_s16le'], codec: 'pcm_s16le', format: 'wav', mime: 'audio/wav', rate: 44100 },
  { name: 'mp3', ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k'], codec: 'mp3', format: 'mp3', mime: 'audio/mp3', rate: 44100 },
  { name: 'aiff', ext: 'aiff', args: ['-c:a', 'pcm_s16be'], codec: 'pcm_s16be', format: 'aiff', mime: 'audio/aiff', rate: 44100 },
  {
    name: 'aac',
    ext: 'aac',
    args: ['-c:a', 'aac', '-b:a', '128k', '-f', 'adts'],
    codec: 'aac',
    format: 'aac',
    mime: 'audio/aac',
    rate: 44100,
  },
  { name: 'm4a', ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '128k'], codec: 'aac', format: 'm4a', mime: 'audio/mp4', rate: 44100 },
  {
    name: 'ogg',
    ext: 'ogg',
    args: ['-c:a', 'libvorbis', '-q:a', '5'],
    codec: 'vorbis',
    format: 'ogg',
    mime: 'audio/ogg',
    innerCodec: 'vorbis',
    rate: 44100,
  },
  {
    name: 'opus',
    ext: 'opus',
    args: ['-c:a', 'libopus', '-b:a', '96k'],
    codec: 'opus',
    format: 'ogg',
    mime: 'audio/ogg',
    innerCodec: 'opus',
    rate: 48000,
  },
  { name: 'flac', ext: 'flac', args: ['-c:a', 'flac'], codec: 'flac', format: 'flac', mime: 'audio/flac', rate: 44100 },
  {
    name: 'webm',
    ext: 'webm',
    args: ['-c:a', 'libopus', '-b:a', '96k'],
    codec: 'opus',
    format: 'webm',
    mime: 'audio/webm',
    innerCodec: 'opus',
    rate: 48000,
  },
];

export function ffmpegCli(args: string[]): void {
  const { ffmpeg } = locateFfmpeg();
  execFileSync(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The 1 kHz reference tone in each format, written to `dir`. */
export function makeToneFiles(dir: string): FormatFixture[] {
  const src = ['-f', 'lavfi', '-i', `sine=frequency=${TONE_HZ}:sample_rate=${TONE_RATE}:duration=${TONE_SEC}`, '-af', 'volume=4'];
  return ENCODINGS.map((e) => {
    const file = path.join(dir, `tone.${e.ext}`);
    ffmpegCli([...src, ...e.args, file]);
    const f: FormatFixture = { name: e.name, file, codec: e.codec, format: e.format, mime: e.mime, sampleRate: e.rate };
    if (e.innerCodec) f.innerCodec = e.innerCodec;
    return f;
  });
}

/** Speech-like broadband content (jfk.wav resampled to 44.1 kHz) in one format, for alignment checks. */
export function encodeFrom(input: string, out: string, args: string[] = []): string {
  ffmpegCli(['-i', input, ...args, out]);
  return out;
}

/** A copy of `file` keeping only the first `fraction` of its bytes. */
export function truncateCopy(file: string, out: string, fraction: number): string {
  const bytes = readFileSync(file);
  writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return out;
}

export function sizeOf(file: string): number {
  return statSync(file).size;
}

/** Goertzel power of `hz` in `x` (sampled at `rate`), normalised by length. */
export function goertzel(x: Float32Array, hz: number, rate = 16000): number {
  const w = (2 * Math.PI * hz) / rate;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i]! + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / (x.length * x.length);
}

/** Frequency estimated from zero crossings (rising and falling) over the middle of `x`. */
export function zeroCrossingHz(x: Float32Array, rate = 16000): number {
  const from = Math.floor(x.length * 0.1);
  const to = Math.floor(x.length * 0.9);
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = from + 1; i < to; i++) {
    if ((x[i - 1]! < 0 && x[i]! >= 0) || (x[i - 1]! >= 0 && x[i]! < 0)) {
      // sub-sample crossing position by linear interpolation
      const t = i - 1 + x[i - 1]! / (x[i - 1]! - x[i]!);
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return count > 1 ? ((count - 1) / 2) * (rate / (last - first)) : 0;
}

/** ffmpeg child processes of this process right now (from /proc; Linux only). */
export function ffmpegChildren(): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m && m[1] === 'ffmpeg' && Number(m[2]) === process.pid) pids.push(Number(e));
    } catch {
      // process went away
    }
  }
  return pids;
}
