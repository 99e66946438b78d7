// Audio MIME types and content sniffing: normalises declared types to canonical ones and tells,
// from a file's first bytes, which audio format it really is or what non-audio thing it is.

/** The audio MIME types the Gemini API documents. */
export const GEMINI_AUDIO_MIMES = ['audio/wav', 'audio/mp3', 'audio/aiff', 'audio/aac', 'audio/ogg', 'audio/flac'] as const;

/** Canonical MIME types this server accepts: Gemini's plus the containers browsers and phones record in. */
export const CANONICAL_AUDIO_MIMES = [...GEMINI_AUDIO_MIMES, 'audio/mp4', 'audio/webm', 'audio/x-matroska', 'audio/amr'] as const;
export type CanonicalAudioMime = (typeof CANONICAL_AUDIO_MIMES)[number];

const ALIASES: Record<string, CanonicalAudioMime> = {
  'audio/wav': 'audio/wav',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/x-pn-wav': 'audio/wav',
  'audio/mp3': 'audio/mp3',
  'audio/mpeg': 'audio/mp3',
  'audio/mpeg3': 'audio/mp3',
  'audio/x-mpeg': 'audio/mp3',
  'audio/x-mpeg-3': 'audio/mp3',
  'audio/x-mp3': 'audio/mp3',
  'audio/mpa': 'audio/mp3',
  'audio/mpg': 'audio/mp3',
  'audio/aiff': 'audio/aiff',
  'audio/x-aiff': 'audio/aiff',
  'audio/aifc': 'audio/aiff',
  'audio/x-aifc': 'audio/aiff',
  'audio/aac': 'audio/aac',
  'audio/x-aac': 'audio/aac',
  'audio/aacp': 'audio/aac',
  'audio/x-hx-aac-adts': 'audio/aac',
  'audio/ogg': 'audio/ogg',
  'audio/x-ogg': 'audio/ogg',
  'application/ogg': 'audio/ogg',
  'audio/vorbis': 'audio/ogg',
  'audio/x-vorbis+ogg': 'audio/ogg',
  'audio/opus': 'audio/ogg',
  'audio/flac': 'audio/flac',
  'audio/x-flac': 'audio/flac',
  'audio/mp4': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-m4a': 'audio/mp4',
  'audio/mp4a-latm': 'audio/mp4',
  'audio/m4b': 'audio/mp4',
  'audio/x-m4b': 'audio/mp4',
  'audio/webm': 'audio/webm',
  'audio/x-matroska': 'audio/x-matroska',
  'audio/amr': 'audio/amr',
  'audio/3gpp': 'audio/mp4', // 3GP is an MP4-family container (AAC or AMR inside)
};

/** Lower-cases, drops parameters ("audio/webm;codecs=opus" → "audio/webm") and maps aliases; undefined if not audio we know. */
export function normalizeAudioMime(mime: string | undefined | null): CanonicalAudioMime | undefined {
  if (!mime) return undefined;
  const bare = mime.split(';', 1)[0]!.trim().toLowerCase();
  return ALIASES[bare];
}

/** True when `mime` (with any parameters and any alias spelling) names an audio type this server accepts. */
export function isAudioMime(mime: string | undefined | null): boolean {
  return normalizeAudioMime(mime) !== undefined;
}

export type AudioFormat = 'wav' | 'mp3' | 'mp2' | 'aiff' | 'aac' | 'ogg' | 'flac' | 'm4a' | 'webm' | 'matroska' | 'amr';

export type SniffResult =
  | { kind: 'audio'; mime: CanonicalAudioMime; format: AudioFormat /** codec inside a container, when the head shows it */; codec?: string }
  | { kind: 'not-audio' /** e.g. "a PDF document", "an MP4 video", "plain text" */; what: string }
  | { kind: 'unknown' };

/** How many leading bytes sniffContent wants to see for its best answer (it works with fewer). */
export const SNIFF_BYTES = 64 * 1024;

const FORMAT_MIME: Record<AudioFormat, CanonicalAudioMime> = {
  wav: 'audio/wav',
  mp3: 'audio/mp3',
  mp2: 'audio/mp3',
  aiff: 'audio/aiff',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  webm: 'audio/webm',
  matroska: 'audio/x-matroska',
  amr: 'audio/amr',
};

/** The canonical MIME type for a sniffed format. */
export function mimeForFormat(format: AudioFormat): CanonicalAudioMime {
  return FORMAT_MIME[format];
}

function audio(format: AudioFormat, codec?: string): SniffResult {
  return codec ? { kind: 'audio', mime: FORMAT_MIME[format], format, codec } : { kind: 'audio', mime: FORMAT_MIME[format], format };
}
const notAudio = (what: string): SniffResult => ({ kind: 'not-audio', what });

const ascii = (b: Buffer, at: number, len: number): string => (at + len <= b.length ? b.toString('latin1', at, at + len) : '');
const startsWith = (b: Buffer, bytes: number[], at = 0): boolean => b.length >= at + bytes.length && bytes.every((v, i) => b[at + i] === v);

// ---- MPEG audio / ADTS frame headers -------------------------------------------------------------

const MPEG_BITRATES: Record<string, number[]> = {
  // [versionFamily][layer] kbps by index 1..14 (index 0 = free format, 15 = bad)
  '1-1': [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

interface MpegFrame {
  layer: 1 | 2 | 3;
  /** bytes, or 0 when free-format (unknown) */
  length: number;
}

/** Parses an MPEG-1/2/2.5 audio frame header at `at`; undefined if the bytes are not one. */
function mpegFrame(b: Buffer, at: number): MpegFrame | undefined {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return undefined;
  const version = (b[at + 1]! >> 3) & 3; // 3 = MPEG1, 2 = MPEG2, 0 = MPEG2.5, 1 reserved
  const layerBits = (b[at + 1]! >> 1) & 3; // 1 = III, 2 = II, 3 = I, 0 reserved
  const brIndex = b[at + 2]! >> 4;
  const srIndex = (b[at + 2]! >> 2) & 3;
  if (version === 1 || layerBits === 0 || brIndex === 15 || srIndex === 3) return undefined;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const sampleRate = MPEG_RATES[version]![srIndex]!;
  const padding = (b[at + 2]! >> 1) & 1;
  if (brIndex === 0) return { layer, length: 0 };
  const kbps = MPEG_BITRATES[`${version === 3 ? 1 : 2}-${layer}`]![brIndex - 1]!;
  const bps = kbps * 1000;
  let length: number;
  if (layer === 1) length = (Math.floor((12 * bps) / sampleRate) + padding) * 4;
  else if (layer === 3 && version !== 3) length = Math.floor((72 * bps) / sampleRate) + padding;
  else length = Math.floor((144 * bps) / sampleRate) + padding;
  return { layer, length };
}

/** Parses an ADTS (raw AAC) header at `at`; returns the frame length or undefined. */
function adtsFrame(b: Buffer, at: number): number | undefined {
  if (at + 7 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xf6) !== 0xf0) return undefined;
  const srIndex = (b[at + 2]! >> 2) & 0xf;
  if (srIndex > 12) return undefined;
  const length = ((b[at + 3]! & 3) << 11) | (b[at + 4]! << 3) | (b[at + 5]! >> 5);
  return length >= 7 ? length : undefined;
}

/**
 * A run of frames starting at `at`: true when the first header parses and, wherever the next header
 * falls inside `b`, it parses too (two consecutive headers rule out chance byte patterns).
 */
function framesAt(b: Buffer, at: number, frame: (b: Buffer, at: number) => number | undefined): boolean {
  const first = frame(b, at);
  if (first === undefined) return false;
  if (first === 0) return true; // free-format: cannot walk
  const next = at + first;
  if (next + 4 > b.length) return true;
  return frame(b, next) !== undefined;
}
const mpegLen = (b: Buffer, at: number): number | undefined => mpegFrame(b, at)?.length;

// ---- ISO BMFF (mp4/m4a/mov) ----------------------------------------------------------------------

const AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ', 'mp4a']);
const VIDEO_BRANDS = new Set(['M4V ', 'M4VH', 'M4VP', 'F4V ', 'F4P ', 'avc1', 'qt  ', 'mp71', 'iso4', 'iso5', 'iso6']);

function sniffIsoBmff(b: Buffer): SniffResult {
  const major = ascii(b, 8, 4);
  // hdlr boxes say what each track is: 'soun' (audio) or 'vide' (video). They live in moov, which is
  // in the head when the file was written "fast start"; otherwise only the brand can be judged.
  let sawAudio = false;
  let sawVideo = false;
  for (let i = b.indexOf('hdlr', 0, 'latin1'); i >= 0 && i + 16 <= b.length; i = b.indexOf('hdlr', i + 4, 'latin1')) {
    const handler = ascii(b, i + 12, 4);
    if (handler === 'soun') sawAudio = true;
    else if (handler === 'vide') sawVideo = true;
  }
  const what = major === 'qt  ' ? 'a QuickTime video' : 'an MP4 video';
  if (sawVideo) return notAudio(what);
  if (sawAudio) return audio('m4a');
  if (AUDIO_BRANDS.has(major)) return audio('m4a');
  if (VIDEO_BRANDS.has(major)) return notAudio(what);
  if (major.startsWith('heic') || major === 'mif1' || major === 'avif' || major === 'heix') return notAudio('an image (HEIF/AVIF)');
  // isom/mp41/mp42/3gp…: may be audio-only; the prober decides from the tracks.
  return { kind: 'unknown' };
}

// ---- Matroska / WebM -----------------------------------------------------------------------------

function sniffEbml(b: Buffer): SniffResult {
  const text = b.toString('latin1');
  const isWebm = text.includes('webm');
  // CodecID elements: ID 0x86, a one-byte size, then e.g. "A_OPUS" or "V_VP9"
  const codecs: string[] = [];
  for (const m of text.matchAll(/[AV]_[A-Z0-9/_]+/g)) {
    const p = m.index;
    if (p < 2 || b[p - 2] !== 0x86 || (b[p - 1]! & 0x80) === 0) continue;
    const len = b[p - 1]! & 0x7f;
    codecs.push(b.toString('latin1', p, Math.min(b.length, p + len)));
  }
  const video = codecs.some((c) => c.startsWith('V_'));
  const audioCodec = codecs.find((c) => c.startsWith('A_'));
  if (video) return notAudio(isWebm ? 'a WebM video' : 'a Matroska video');
  const fmt: AudioFormat = isWebm ? 'webm' : 'matroska';
  if (audioCodec) return audio(fmt, audioCodec.slice(2).toLowerCase());
  return { kind: 'unknown' };
}

// ---- Ogg -----------------------------------------------------------------------------------------

function sniffOgg(b: Buffer): SniffResult {
  // First page: 27-byte header, segment table, then the first packet, which names the codec.
  const segments = b.length > 26 ? b[26]! : 0;
  const p = 27 + segments;
  if (startsWith(b, [0x01, ...Buffer.from('vorbis')], p)) return audio('ogg', 'vorbis');
  if (ascii(b, p, 8) === 'OpusHead') return audio('ogg', 'opus');
  if (startsWith(b, [0x7f, ...Buffer.from('FLAC')], p)) return audio('ogg', 'flac');
  if (ascii(b, p, 8) === 'Speex   ') return audio('ogg', 'speex');
  if (startsWith(b, [0x80, ...Buffer.from('theora')], p)) return notAudio('an Ogg video');
  return audio('ogg');
}

// ---- text ----------------------------------------------------------------------------------------

/** Valid UTF-8 without control characters (a sequence cut off at the end of the head is allowed). */
function looksLikeText(b: Buffer): boolean {
  if (b.length === 0) return false;
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) return false;
      if (c === 0x7f) return false;
      i++;
      continue;
    }
    const n = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : -1;
    if (n < 0 || c > 0xf4) return false;
    for (let k = 1; k <= n; k++) {
      if (i + k >= b.length) return true; // truncated tail of the head
      if ((b[i + k]! & 0xc0) !== 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

function describeText(b: Buffer): string {
  const s = b
    .toString('utf8', 0, Math.min(b.length, 4096))
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (s.startsWith('<!doctype html') || s.startsWith('<html') || /^<(head|body|meta|title)\b/.test(s)) return 'an HTML page';
  if (s.startsWith('<?xml') || s.startsWith('<svg')) return s.includes('<svg') ? 'an SVG image' : 'an XML document';
  if (s.startsWith('{') || s.startsWith('[')) {
    try {
      JSON.parse(b.toString('utf8'));
      return 'JSON data';
    } catch {
      if (/^[[{]\s*["[{\]}]/.test(s)) return 'JSON data';
    }
  }
  if (s.startsWith('#extm3u')) return 'a playlist (M3U), not the audio itself';
  if (s.startsWith('[playlist]')) return 'a playlist (PLS), not the audio itself';
  if (s.startsWith('data:')) return 'a data: URL as text; send the decoded bytes instead';
  if (/^[a-z0-9+/\r\n]{64,}={0,2}\s*$/i.test(s.slice(0, 1024)) && !/\s\S/.test(s.slice(0, 256).trim())) {
    return 'base64 text; send the decoded bytes instead';
  }
  return 'plain text';
}

// ---- the sniffer -------------------------------------------------------------------------------

/**
 * What a file is, judged from its first bytes (pass up to SNIFF_BYTES; fewer works for most formats).
 * 'unknown' means nothing conclusive: let the decoder try.
 */
export function sniffContent(head: Buffer): SniffResult {
  const b = head;
  if (b.length === 0) return { kind: 'unknown' };
  const tag4 = ascii(b, 0, 4);

  // Audio containers
  if ((tag4 === 'RIFF' || tag4 === 'RIFX' || tag4 === 'RF64') && b.length >= 12) {
    const form = ascii(b, 8, 4);
    if (form === 'WAVE') return audio('wav');
    if (form === 'AVI ') return notAudio('an AVI video');
    if (form === 'WEBP') return notAudio('a WebP image');
    return { kind: 'unknown' };
  }
  if (tag4 === 'FORM' && b.length >= 12) {
    const form = ascii(b, 8, 4);
    if (form === 'AIFF' || form === 'AIFC') return audio('aiff');
    return { kind: 'unknown' };
  }
  if (tag4 === 'fLaC') return audio('flac');
  if (tag4 === 'OggS') return sniffOgg(b);
  if (ascii(b, 0, 5) === '#!AMR') return audio('amr');
  if (ascii(b, 4, 4) === 'ftyp') return sniffIsoBmff(b);
  if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])) return sniffEbml(b);
  if (ascii(b, 0, 3) === 'ID3' && b.length >= 10) {
    // ID3v2 tag; its size is "syncsafe" (7 bits a byte). Look at what follows the tag when it is in the head.
    const size = ((b[6]! & 0x7f) << 21) | ((b[7]! & 0x7f) << 14) | ((b[8]! & 0x7f) << 7) | (b[9]! & 0x7f);
    const footer = b[5]! & 0x10 ? 10 : 0;
    let at = 10 + size + footer;
    while (at < b.length && b[at] === 0) at++; // padding some taggers leave
    if (at + 4 <= b.length) {
      if (ascii(b, at, 4) === 'fLaC') return audio('flac');
      if (framesAt(b, at, adtsFrame)) return audio('aac');
      const f = mpegFrame(b, at);
      if (f) return audio(f.layer === 3 ? 'mp3' : 'mp2');
    }
    return audio('mp3');
  }

  // Text encodings with a byte-order mark (UTF-16's FF FE would otherwise look like an MPEG frame sync)
  if (startsWith(b, [0xff, 0xfe]) || startsWith(b, [0xfe, 0xff])) {
    const le = b[0] === 0xff;
    let zeros = 0;
    let n = 0;
    for (let i = 2; i + 1 < Math.min(b.length, 202); i += 2, n++) if (b[le ? i + 1 : i] === 0) zeros++;
    if (n > 0 && zeros / n > 0.8) return notAudio('plain text (UTF-16)');
  }

  // Raw frame streams
  if (b[0] === 0xff) {
    if (framesAt(b, 0, adtsFrame)) return audio('aac');
    const f = mpegFrame(b, 0);
    if (f && framesAt(b, 0, mpegLen)) return audio(f.layer === 3 ? 'mp3' : 'mp2');
  }

  // Things that are not audio
  if (ascii(b, 0, 5) === '%PDF-') return notAudio('a PDF document');
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return notAudio('a PNG image');
  if (startsWith(b, [0xff, 0xd8, 0xff])) return notAudio('a JPEG image');
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return notAudio('a GIF image');
  if (ascii(b, 0, 2) === 'BM' && b.length >= 26 && b.readUInt32LE(14) >= 12 && b.readUInt32LE(14) <= 124) return notAudio('a BMP image');
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return notAudio('a TIFF image');
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) {
    const inner = b.toString('latin1', 0, Math.min(b.length, 2048));
    if (inner.includes('word/')) return notAudio('a Word document (a ZIP archive)');
    if (inner.includes('xl/')) return notAudio('an Excel workbook (a ZIP archive)');
    if (inner.includes('ppt/')) return notAudio('a PowerPoint presentation (a ZIP archive)');
    return notAudio('a ZIP archive');
  }
  if (startsWith(b, [0x1f, 0x8b])) return notAudio('a gzip archive');
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return notAudio('a 7-Zip archive');
  if (ascii(b, 0, 4) === 'Rar!') return notAudio('a RAR archive');
  if (startsWith(b, [0x28, 0xb5, 0x2f, 0xfd])) return notAudio('a Zstandard archive');
  if (startsWith(b, [0x42, 0x5a, 0x68])) return notAudio('a bzip2 archive');
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return notAudio('an xz archive');
  if (b.length >= 262 && ascii(b, 257, 5) === 'ustar') return notAudio('a tar archive');
  if (startsWith(b, [0x7f, 0x45, 0x4c, 0x46])) return notAudio('an executable program (ELF)');
  if (ascii(b, 0, 2) === 'MZ') return notAudio('a Windows executable');
  if (startsWith(b, [0xcf, 0xfa, 0xed, 0xfe]) || startsWith(b, [0xca, 0xfe, 0xba, 0xbe]))
    return notAudio('an executable program (Mach-O or Java class)');
  if (ascii(b, 0, 4) === 'MThd') return notAudio('a MIDI file (note data, not recorded sound)');
  if (ascii(b, 0, 15) === 'SQLite format 3') return notAudio('an SQLite database');
  if (startsWith(b, [0x00, 0x61, 0x73, 0x6d])) return notAudio('a WebAssembly module');
  if (startsWith(b, [0x00, 0x00, 0x01, 0xba]) || startsWith(b, [0x00, 0x00, 0x01, 0xb3])) return notAudio('an MPEG video');
  if (startsWith(b, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return { kind: 'unknown' }; // ASF: WMA or WMV
  if (ascii(b, 0, 3) === 'FLV') return notAudio('a Flash video');
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return notAudio('an Office document (OLE)');
  if (ascii(b, 0, 5) === '{\\rtf') return notAudio('an RTF document');
  if (ascii(b, 0, 4) === 'wOFF' || ascii(b, 0, 4) === 'wOF2') return notAudio('a web font');

  const body = startsWith(b, [0xef, 0xbb, 0xbf]) ? b.subarray(3) : b;
  if (looksLikeText(body)) return notAudio(describeText(body));
  return { kind: 'unknown' };
}
