// Error-catalogue group: a user's audio that cannot be used (AUDIO_*). One code per reason; the params say
// which case, so every sentence lives here. Messages never hold file-system paths; the decoder's own output
// travels as the fact `detail` (for logs), not as prose.

import { entry } from './catalogue-entry.js';
import { formatDuration } from './audio.js';

const SUPPORTED = 'WAV, MP3, AIFF, AAC, OGG (Vorbis/Opus), FLAC, M4A, WebM';

export const AUDIO_ERRORS = {
  AUDIO_EMPTY: entry<{ case: 'data' } | { case: 'file' } | { case: 'no-samples'; format: string }>('INVALID_ARGUMENT', (p) => {
    switch (p.case) {
      case 'data':
        return 'the audio data is empty (0 bytes)';
      case 'file':
        return 'the file is empty (0 bytes); upload the audio again';
      case 'no-samples':
        return `the ${p.format} file contains no audio samples`;
    }
  }),
  AUDIO_NOT_AUDIO: entry<
    | { case: 'content'; subject: 'data' | 'file'; what: string }
    | { case: 'silent-video'; codec: string }
    | { case: 'video'; codec: string }
    | { case: 'no-stream'; demuxer: string }
  >('INVALID_ARGUMENT', (p) => {
    switch (p.case) {
      case 'content':
        return `the ${p.subject} is ${p.what}, not audio`;
      case 'silent-video':
        return `the file is a video without a sound track (${p.codec}), not audio`;
      case 'video':
        return `the file is a video (${p.codec}), not audio; extract its sound first, e.g. "ffmpeg -i in.mp4 -vn -c:a copy out.m4a"`;
      case 'no-stream':
        return `the file has no audio stream (the decoder reads it as "${p.demuxer}")`;
    }
  }),
  AUDIO_CORRUPT: entry<
    | { case: 'decode-failed'; exit: number | null; tail: string }
    | { case: 'timeout'; step: 'header' | 'packets'; seconds: number }
    | { case: 'unreadable'; format: string; tail: string }
    | { case: 'no-description'; tail: string }
    | { case: 'no-rate'; codec: string }
  >('INVALID_ARGUMENT', (p) => {
    switch (p.case) {
      case 'decode-failed':
        return `the audio could not be decoded (ffmpeg exit ${p.exit}): ${p.tail || 'no details'}`;
      case 'timeout':
        return p.step === 'header'
          ? `reading the file's header took longer than ${p.seconds} s; the file may be damaged`
          : `listing the audio packets took longer than ${p.seconds} s; the file may be damaged`;
      case 'unreadable':
        return `the file looks like ${p.format} audio but cannot be read (${p.tail}); re-export it or convert it to WAV or MP3`;
      case 'no-description':
        return `could not read the decoder's description of the file (${p.tail})`;
      case 'no-rate':
        return `the audio stream has no sample rate or channel count (${p.codec}); the file may be damaged`;
    }
  }),
  AUDIO_TRUNCATED: entry<{ case: 'mp4-index' } | { case: 'cut'; format: string; bytes: number }>('INVALID_ARGUMENT', (p) => {
    switch (p.case) {
      case 'mp4-index':
        return 'the MP4/M4A file is incomplete: its index (moov box) is missing, which happens when an upload or recording is cut off; upload the complete file';
      case 'cut':
        return `the ${p.format} file is cut short (${p.bytes} bytes) and holds no decodable audio; upload the complete file`;
    }
  }),
  AUDIO_UNSUPPORTED: entry<{ case: 'format'; tail: string } | { case: 'codec' }>('INVALID_ARGUMENT', (p) => {
    switch (p.case) {
      case 'format':
        return `the file is not in an audio format this server can read (${p.tail || 'unrecognised data'}); supported: ${SUPPORTED}`;
      case 'codec':
        return `the file's audio codec is not one the decoder supports; convert it to WAV, MP3 or FLAC`;
    }
  }),
  AUDIO_TOO_LONG: entry<{ durationSec: number; maxSec: number }>(
    'INVALID_ARGUMENT',
    (p) =>
      `the audio is ${formatDuration(p.durationSec)} long; this server accepts at most ${formatDuration(p.maxSec)} (split the file or raise the server's maximum duration)`,
  ),
  // ── operator-facing: the decoder itself is missing or broken (INTERNAL: clients see only "Internal error encountered.") ──
  FFMPEG_NOT_RUNNABLE: entry<{ binary: string; reason: string }>(
    'INTERNAL',
    (p) => `could not run ffmpeg ("${p.binary}"): ${p.reason}; install ffmpeg or run "npm install" for the bundled binaries`,
  ),
  FFMPEG_CONFIGURED_BROKEN: entry<{ tool: string; binary: string; why: string }>(
    'INTERNAL',
    (p) => `the configured ${p.tool} binary "${p.binary}" does not run (${p.why}); fix the path or leave it unset`,
  ),
  FFMPEG_NOT_FOUND: entry<{ tool: string; tried: string[] }>(
    'INTERNAL',
    (p) =>
      `no usable ${p.tool} found; tried ${p.tried.join('; ')}. Install ffmpeg (e.g. "apt-get install ffmpeg") ` +
      `or run "npm install" so the bundled @ffmpeg-installer/@ffprobe-installer binaries are present.`,
  ),
} as const;

/** The machine reason of each AUDIO_* code (the old AudioError.reason, which the CLI and tests still read). */
export const AUDIO_REASON = {
  AUDIO_EMPTY: 'empty',
  AUDIO_NOT_AUDIO: 'not-audio',
  AUDIO_CORRUPT: 'corrupt',
  AUDIO_TRUNCATED: 'truncated',
  AUDIO_UNSUPPORTED: 'unsupported',
  AUDIO_TOO_LONG: 'too-long',
} as const;

export type AudioErrorCode = keyof typeof AUDIO_REASON;
export type AudioErrorReason = (typeof AUDIO_REASON)[AudioErrorCode];
