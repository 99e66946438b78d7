// Reads an audio file's facts (duration, channels, rate, codec) with ffprobe without decoding it, and
// refuses files that are not usable audio with an AudioError that says why.
//
// Duration policy: trust the container's stated duration after a cheap check, and only list packets
// (demux, no decode) when the duration is missing, estimated, or the check shows the header lies:
//  - PCM (wav/aiff…): clamp to what the bytes on disk can hold (a header may claim more data than exists);
//  - ogg: ffmpeg already reads the last page, so its duration is the real one;
//  - mp3: ffmpeg compares the Xing/LAME byte count with the file size and warns on a mismatch;
//  - others (flac, webm, m4a…): read the packets of the last ~2 s; if they end well before the stated
//    duration the file was cut short, and a full packet listing gives the true end.

import { open, stat } from 'node:fs/promises';

import type { AudioProbe } from '../domain/analysis.js';
import { AudioError, withoutPath } from './errors.js';
import { resolveFfmpeg, type FfmpegChoice } from './ffmpeg.js';

import { sniffContent, SNIFF_BYTES, type CanonicalAudioMime, type SniffResult } from './formats.js';

import { runTool, stderrTail } from './process.js';

export { AudioError } from './errors.js';
export type { AudioErrorReason } from './errors.js';

export interface ProbeOptions {
  /** Refuse ('too-long') audio longer than this many seconds. */
  maxDurationSec?: number;
  /** Which ffmpeg/ffprobe to run (found binaries or locate options); default: locateFfmpeg(). */
  ffmpeg?: FfmpegChoice;
  /** Accept files that also carry a real video track (default false: refused as 'not-audio'). */
  allowVideo?: boolean;
  signal?: AbortSignal;
  /** Limit for the header probe; a full packet scan gets 10× this. Default 30 s. */
  timeoutMs?: number;
}

export interface AudioProbeResult extends AudioProbe {
  /** canonical MIME type of what the file really is (from its bytes), when known */
  mime?: CanonicalAudioMime;
  /** 'header': the container's own figure; 'size': computed from the bytes present (PCM); 'scan': from listing packets */
  durationSource: 'header' | 'size' | 'scan';
  /** things worth telling the user, e.g. that the file looks cut short */
  warnings: string[];
}

interface FfStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  bits_per_sample?: number;
  bits_per_raw_sample?: string;
  bit_rate?: string;
  duration?: string;
  start_time?: string;
  disposition?: Record<string, number>;
}
interface FfFormat {
  format_name?: string;
  duration?: string;
  bit_rate?: string;
  start_time?: string;
}

const num = (s: string | number | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const n = typeof s === 'number' ? s : Number(s);
  return Number.isFinite(n) ? n : undefined;
};

const FORMAT_NAMES: Record<string, string> = {
  wav: 'WAV',
  mp3: 'MP3',
  mp2: 'MPEG audio',
  aiff: 'AIFF',
  aac: 'AAC',
  ogg: 'Ogg',
  flac: 'FLAC',
  m4a: 'M4A/MP4',
  webm: 'WebM',
  matroska: 'Matroska',
  amr: 'AMR',
};

const DEMUXER_FORMATS: Record<string, [string, CanonicalAudioMime]> = {
  wav: ['wav', 'audio/wav'],
  mp3: ['mp3', 'audio/mp3'],
  aiff: ['aiff', 'audio/aiff'],
  aac: ['aac', 'audio/aac'],
  ogg: ['ogg', 'audio/ogg'],
  flac: ['flac', 'audio/flac'],
  mov: ['m4a', 'audio/mp4'],
  matroska: ['matroska', 'audio/x-matroska'],
  amr: ['amr', 'audio/amr'],
};

/** The first `bytes` bytes of a file (fewer if it is shorter): what content sniffing looks at. */
export async function readHead(path: string, bytes: number = SNIFF_BYTES): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Where PCM sample data starts in a WAV/AIFF head and how many bytes its header says it holds
 * (declaredBytes undefined for "unknown", as streaming writers leave it). Undefined if not in the head.
 */
export function pcmDataChunk(head: Buffer): { offset: number; declaredBytes?: number } | undefined {
  const tag = head.toString('latin1', 0, 4);
  if ((tag === 'RIFF' || tag === 'RF64' || tag === 'RIFX') && head.toString('latin1', 8, 12) === 'WAVE') {
    const be = tag === 'RIFX';
    let pos = 12;
    while (pos + 8 <= head.length) {
      const id = head.toString('latin1', pos, pos + 4);
      const size = be ? head.readUInt32BE(pos + 4) : head.readUInt32LE(pos + 4);
      if (id === 'data') {
        const unknown = size === 0 || size === 0xffffffff || tag === 'RF64';
        return unknown ? { offset: pos + 8 } : { offset: pos + 8, declaredBytes: size };
      }
      pos += 8 + size + (size & 1);
    }
    return undefined;
  }
  if (tag === 'FORM') {
    let pos = 12;
    while (pos + 16 <= head.length) {
      const id = head.toString('latin1', pos, pos + 4);
      const size = head.readUInt32BE(pos + 4);
      if (id === 'SSND') {
        const skip = head.readUInt32BE(pos + 8);
        const offset = pos + 16 + skip;
        return size >= 8 ? { offset, declaredBytes: size - 8 - skip } : { offset };
      }
      pos += 8 + size + (size & 1);
    }
  }
  return undefined;
}

/** Sample bits per channel of a PCM codec name like pcm_s16le / pcm_f32be / pcm_u8 / pcm_mulaw. */
function pcmBits(codec: string, stream: FfStream): number | undefined {
  const m = /^pcm_[suf](\d+)/.exec(codec);
  if (m) return Number(m[1]);
  if (codec === 'pcm_alaw' || codec === 'pcm_mulaw') return 8;
  return stream.bits_per_sample || undefined;
}

interface PacketSpan {
  count: number;
  firstPts: number;
  end: number;
}

/** Lists the audio stream's packets (demux only, nothing decoded) and returns where they start and end. */
async function packetSpan(
  ffprobe: string,
  path: string,
  streamIndex: number,
  opts: { fromSec?: number; timeoutMs: number; signal?: AbortSignal },
): Promise<PacketSpan> {
  const span: PacketSpan = { count: 0, firstPts: Infinity, end: -Infinity };
  const re = /pts_time=(-?[\d.]+)\|duration_time=([\d.]+|N\/A)/;
  const args = ['-v', 'error', '-hide_banner', '-select_streams', String(streamIndex)];
  // an interval needs an end; 60 s past the stated end is plenty to confirm it
  if (opts.fromSec !== undefined) args.push('-read_intervals', `${opts.fromSec.toFixed(3)}%+62`);
  args.push('-show_entries', 'packet=pts_time,duration_time', '-of', 'compact=p=0', `file:${path}`);
  const r = await runTool(ffprobe, args, {
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    onLine: (line) => {
      const m = re.exec(line);
      if (!m) return;
      const pts = Number(m[1]);
      const d = m[2] === 'N/A' ? 0 : Number(m[2]);
      span.count++;
      if (pts < span.firstPts) span.firstPts = pts;
      if (pts + d > span.end) span.end = pts + d;
    },
  });
  if (r.timedOut) throw new AudioError('AUDIO_CORRUPT', { case: 'timeout', step: 'packets', seconds: opts.timeoutMs / 1000 });
  return span;
}

function failureFromProbe(stderr: string, sniff: SniffResult, size: number, path: string): AudioError {
  const tail = stderrTail(stderr);
  const said = withoutPath(tail, path);
  if (/moov atom not found/i.test(stderr)) return new AudioError('AUDIO_TRUNCATED', { case: 'mp4-index' }, { detail: tail });
  if (sniff.kind === 'audio') {
    const format = FORMAT_NAMES[sniff.format] ?? sniff.format;
    if (size < 1024 || /end of file|truncat|partial file/i.test(stderr)) {
      return new AudioError('AUDIO_TRUNCATED', { case: 'cut', format, bytes: size }, { detail: tail });
    }
    return new AudioError('AUDIO_CORRUPT', { case: 'unreadable', format, tail: said }, { detail: tail });
  }
  return new AudioError('AUDIO_UNSUPPORTED', { case: 'format', tail: said }, { detail: tail });
}

/** Probe `path`: its duration, channels, sample rate and codec. Throws AudioError for unusable files. */
export async function probeAudio(path: string, opts: ProbeOptions = {}): Promise<AudioProbeResult> {
  const bins = resolveFfmpeg(opts.ffmpeg);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const st = await stat(path);
  if (st.size === 0) throw new AudioError('AUDIO_EMPTY', { case: 'file' });

  const head = await readHead(path, SNIFF_BYTES);
  const sniff = sniffContent(head);
  if (sniff.kind === 'not-audio' && !(opts.allowVideo && / video$/.test(sniff.what)))
    throw new AudioError('AUDIO_NOT_AUDIO', { case: 'content', subject: 'file', what: sniff.what });

  const r = await runTool(
    bins.ffprobe,
    ['-v', 'warning', '-hide_banner', '-print_format', 'json', '-show_format', '-show_streams', `file:${path}`],
    { timeoutMs, signal: opts.signal },
  );
  if (r.timedOut) throw new AudioError('AUDIO_CORRUPT', { case: 'timeout', step: 'header', seconds: timeoutMs / 1000 });
  if (r.code !== 0) throw failureFromProbe(r.stderr, sniff, st.size, path);

  let info: { streams?: FfStream[]; format?: FfFormat };
  try {
    info = JSON.parse(r.stdout) as typeof info;
  } catch {
    throw new AudioError(
      'AUDIO_CORRUPT',
      { case: 'no-description', tail: withoutPath(stderrTail(r.stderr), path) },
      { detail: stderrTail(r.stderr) },
    );
  }
  const streams = info.streams ?? [];
  const fmt = info.format ?? {};
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  const videos = streams.filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!audioStream) {
    if (videos.length) throw new AudioError('AUDIO_NOT_AUDIO', { case: 'silent-video', codec: videos[0]!.codec_name ?? 'unknown codec' });
    throw new AudioError('AUDIO_NOT_AUDIO', { case: 'no-stream', demuxer: fmt.format_name ?? 'unknown' });
  }
  if (videos.length && !opts.allowVideo) {
    throw new AudioError('AUDIO_NOT_AUDIO', { case: 'video', codec: videos[0]!.codec_name ?? 'unknown codec' });
  }
  const codec = audioStream.codec_name ?? '';
  if (!codec || codec === 'none' || codec === 'unknown') {
    throw new AudioError('AUDIO_UNSUPPORTED', { case: 'codec' });
  }
  const sampleRate = num(audioStream.sample_rate) ?? 0;
  const channels = audioStream.channels ?? 0;
  if (!sampleRate || !channels) throw new AudioError('AUDIO_CORRUPT', { case: 'no-rate', codec });

  const warnings: string[] = [];
  const estimated = /Estimating duration from bitrate|invalid concatenated file/i.test(r.stderr);
  const sizeMismatch = /filesize and duration do not match/i.test(r.stderr);
  const startTime = num(audioStream.start_time) ?? num(fmt.start_time) ?? 0;
  const stated = num(fmt.duration) ?? num(audioStream.duration);
  const bitRate = num(audioStream.bit_rate) ?? num(fmt.bit_rate);
  const demuxer = (fmt.format_name ?? 'unknown').split(',')[0]!;
  // when the head alone was inconclusive (e.g. an audio-only MP4 with a generic 'isom' brand)
  const fromDemuxer = DEMUXER_FORMATS[demuxer];
  const formatName = sniff.kind === 'audio' ? sniff.format : (fromDemuxer?.[0] ?? demuxer);
  const isOgg = (fmt.format_name ?? '').split(',').includes('ogg');

  let durationSec: number | undefined;
  let durationSource: AudioProbeResult['durationSource'] = 'header';
  const cutShort = (): void => {
    warnings.push('the file ends before the length its header states (it was probably cut off); only the audio present is used');
  };

  const scan = async (): Promise<number> => {
    const span = await packetSpan(bins.ffprobe, path, audioStream.index, { timeoutMs: timeoutMs * 10, signal: opts.signal });
    durationSource = 'scan';
    if (span.count === 0) return 0;
    // mp3 marks its encoder delay with a positive start time; those samples are dropped when decoding.
    const origin = codec === 'mp3' && startTime > 0 && startTime < 0.2 ? startTime : Math.max(0, span.firstPts);
    return Math.max(0, span.end - origin);
  };

  const bits = codec.startsWith('pcm_') ? pcmBits(codec, audioStream) : undefined;
  if (bits) {
    // PCM: count whole sample frames, from the header's data size when the bytes are all there
    const chunk = pcmDataChunk(head);
    const frameBytes = (bits / 8) * channels;
    const presentFrames = Math.floor(Math.max(0, st.size - (chunk?.offset ?? 0)) / frameBytes);
    const declaredFrames = chunk?.declaredBytes !== undefined ? Math.floor(chunk.declaredBytes / frameBytes) : undefined;
    if (declaredFrames !== undefined && declaredFrames <= presentFrames) {
      durationSec = declaredFrames / sampleRate;
    } else if (declaredFrames !== undefined) {
      cutShort();
      durationSec = presentFrames / sampleRate;
      durationSource = 'size';
    } else if (stated !== undefined && !estimated && stated <= presentFrames / sampleRate + 1 / sampleRate) {
      durationSec = stated;
    } else {
      durationSec = presentFrames / sampleRate;
      durationSource = 'size';
    }
  } else if (stated === undefined || estimated || sizeMismatch) {
    if (sizeMismatch) cutShort();
    durationSec = await scan();
  } else {
    // header duration, adjusted for codec delay signalled through the start time
    let d = stated;
    if (codec === 'mp3' && startTime > 0 && startTime < 0.2) d -= startTime;
    else if (startTime < 0 && startTime > -0.2) d += startTime;
    durationSec = d;
    // ogg: ffmpeg read the last page; mp3: ffmpeg checked the Xing byte count against the file size
    if (!isOgg && codec !== 'mp3') {
      const from = Math.max(0, startTime + stated - 2);
      const tail = await packetSpan(bins.ffprobe, path, audioStream.index, { fromSec: from, timeoutMs, signal: opts.signal });
      if (tail.count === 0 || tail.end < stated - 0.25) {
        const scanned = await scan();
        if (scanned < d - 0.25) cutShort();
        durationSec = scanned;
      }
    }
  }

  if (!(durationSec > 0)) throw new AudioError('AUDIO_EMPTY', { case: 'no-samples', format: FORMAT_NAMES[formatName] ?? formatName });
  if (opts.maxDurationSec !== undefined && durationSec > opts.maxDurationSec) {
    throw new AudioError('AUDIO_TOO_LONG', { durationSec, maxSec: opts.maxDurationSec });
  }

  const result: AudioProbeResult = {
    durationSec,
    channels,
    sampleRate,
    codec,
    format: formatName,
    durationSource,
    warnings,
  };
  if (bitRate !== undefined) result.bitRate = bitRate;
  if (sniff.kind === 'audio') result.mime = sniff.mime;
  else if (fromDemuxer) result.mime = fromDemuxer[1];
  return result;
}
