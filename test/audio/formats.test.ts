// MIME normalisation and content sniffing, on real files encoded by ffmpeg and real non-audio files.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, openSync, readSync, closeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { isAudioMime, normalizeAudioMime, sniffContent, GEMINI_AUDIO_MIMES, SNIFF_BYTES } from '../../src/audio/formats.js';
import { tempDir, SPEECH_DIR, SOUNDS_DIR } from '../helpers.js';
import { ffmpegCli, makeToneFiles, type FormatFixture } from './fixtures.js';

function head(file: string, n = SNIFF_BYTES): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

describe('MIME types', () => {
  test('Gemini types are their own canonical form', () => {
    for (const m of GEMINI_AUDIO_MIMES) assert.equal(normalizeAudioMime(m), m);
  });

  test('aliases, case and parameters normalise', () => {
    const cases: [string, string][] = [
      ['audio/mpeg', 'audio/mp3'],
      ['audio/x-wav', 'audio/wav'],
      ['audio/wave', 'audio/wav'],
      ['audio/vnd.wave', 'audio/wav'],
      ['audio/x-aiff', 'audio/aiff'],
      ['audio/x-flac', 'audio/flac'],
      ['audio/mp4', 'audio/mp4'],
      ['audio/x-m4a', 'audio/mp4'],
      ['audio/m4a', 'audio/mp4'],
      ['audio/opus', 'audio/ogg'],
      ['audio/vorbis', 'audio/ogg'],
      ['audio/x-aac', 'audio/aac'],
      ['audio/aacp', 'audio/aac'],
      ['audio/webm', 'audio/webm'],
      ['Audio/WebM; codecs="opus"', 'audio/webm'],
      ['AUDIO/MPEG', 'audio/mp3'],
      [' audio/wav ;rate=16000', 'audio/wav'],
    ];
    for (const [input, want] of cases) assert.equal(normalizeAudioMime(input), want, input);
  });

  test('non-audio and unknown types are not audio', () => {
    for (const m of ['video/mp4', 'image/png', 'application/pdf', 'text/plain', 'audio/x-unknown-thing', '', 'audio', 'mp3']) {
      assert.equal(isAudioMime(m), false, m);
    }
    assert.equal(isAudioMime(undefined), false);
    assert.equal(isAudioMime('audio/x-wav'), true);
  });
});

describe('sniffing real audio files', () => {
  let tmp: ReturnType<typeof tempDir>;
  let files: FormatFixture[];
  before(() => {
    tmp = tempDir('earshot-formats-');
    files = makeToneFiles(tmp.dir);
  });
  after(() => tmp.cleanup());

  test('every encoded format is recognised with its canonical MIME type', () => {
    for (const f of files) {
      const r = sniffContent(head(f.file));
      assert.equal(r.kind, 'audio', f.name);
      if (r.kind !== 'audio') continue;
      assert.equal(r.format, f.format, f.name);
      assert.equal(r.mime, f.mime, f.name);
      if (f.innerCodec) assert.equal(r.codec, f.innerCodec, f.name);
      assert.ok(isAudioMime(r.mime));
    }
  });

  test('a short head (64 bytes) is enough for the container formats', () => {
    for (const f of files.filter((x) => ['wav', 'aiff', 'flac', 'ogg', 'opus', 'm4a'].includes(x.name))) {
      const r = sniffContent(head(f.file, 64));
      assert.equal(r.kind, 'audio', f.name);
    }
  });

  test('mp3 is found by frame sync without an ID3 tag, and behind one', () => {
    const bare = path.join(tmp.dir, 'bare.mp3');
    ffmpegCli(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-id3v2_version', '0', '-write_xing', '0', bare]);
    assert.notEqual(head(bare, 3).toString('latin1'), 'ID3');
    assert.deepEqual(sniffContent(head(bare)), { kind: 'audio', mime: 'audio/mp3', format: 'mp3' });

    const tagged = path.join(tmp.dir, 'tagged.mp3');
    ffmpegCli(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-metadata', 'title=Test', tagged]);
    assert.equal(head(tagged, 3).toString('latin1'), 'ID3');
    assert.equal((sniffContent(head(tagged)) as { format: string }).format, 'mp3');
  });

  test('FLAC inside Ogg is reported as Ogg with codec flac', () => {
    const f = path.join(tmp.dir, 'flac.oga');
    ffmpegCli(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'flac', '-f', 'ogg', f]);
    assert.deepEqual(sniffContent(head(f)), { kind: 'audio', mime: 'audio/ogg', format: 'ogg', codec: 'flac' });
  });

  test('shared reference files: jfk.wav, jfk.mp3 and a sounds .ogg', () => {
    assert.equal((sniffContent(head(path.join(SPEECH_DIR, 'jfk.wav'))) as { format: string }).format, 'wav');
    assert.equal((sniffContent(head(path.join(SPEECH_DIR, 'jfk.mp3'))) as { format: string }).format, 'mp3');
    assert.equal((sniffContent(head(path.join(SOUNDS_DIR, 'dog.ogg'))) as { format: string }).format, 'ogg');
  });

  test('mp3 bytes are mp3 whatever the declared type says', () => {
    const mp3 = files.find((f) => f.name === 'mp3')!;
    // e.g. uploaded as "recording.wav" with mime audio/wav
    const r = sniffContent(readFileSync(mp3.file));
    assert.equal(r.kind === 'audio' && r.mime, 'audio/mp3');
  });
});

describe('sniffing non-audio', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir('earshot-notaudio-');
  });
  after(() => tmp.cleanup());

  const whatOf = (b: Buffer): string => {
    const r = sniffContent(b);
    assert.equal(r.kind, 'not-audio', `expected not-audio, got ${JSON.stringify(r)}`);
    return (r as { what: string }).what;
  };

  test('images made by ffmpeg: PNG, JPEG, GIF', () => {
    for (const [ext, what] of [
      ['png', 'a PNG image'],
      ['jpg', 'a JPEG image'],
      ['gif', 'a GIF image'],
    ]) {
      const f = path.join(tmp.dir, `img.${ext}`);
      ffmpegCli(['-f', 'lavfi', '-i', 'color=c=red:s=16x16', '-frames:v', '1', f]);
      assert.equal(whatOf(head(f)), what);
    }
  });

  test('an MP4 video (index at the front) is a video; an M4A with the same codec is audio', () => {
    const f = path.join(tmp.dir, 'clip.mp4');
    ffmpegCli([
      '-f',
      'lavfi',
      '-i',
      'testsrc=s=64x48:d=1',
      '-f',
      'lavfi',
      '-i',
      'sine=d=1',
      '-c:v',
      'mpeg4',
      '-c:a',
      'aac',
      '-movflags',
      '+faststart',
      f,
    ]);
    assert.equal(whatOf(head(f)), 'an MP4 video');
    const webm = path.join(tmp.dir, 'clip.webm');
    ffmpegCli(['-f', 'lavfi', '-i', 'testsrc=s=64x48:d=1', '-c:v', 'libvpx', '-b:v', '100k', webm]);
    assert.equal(whatOf(head(webm)), 'a WebM video');
  });

  test('documents, archives, programs', () => {
    assert.equal(whatOf(Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1')), 'a PDF document');
    assert.equal(whatOf(gzipSync(Buffer.from('hello'))), 'a gzip archive');
    // an empty ZIP archive is just its end-of-central-directory record
    assert.equal(whatOf(Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)])), 'a ZIP archive');
    assert.equal(whatOf(head(process.execPath, 4096)), 'an executable program (ELF)');
  });

  test('text of several kinds', () => {
    assert.equal(whatOf(Buffer.from('<!DOCTYPE html><html><body>hi</body></html>')), 'an HTML page');
    assert.equal(whatOf(Buffer.from('{"error": {"code": 404}}')), 'JSON data');
    assert.equal(whatOf(Buffer.from('Meeting notes\nTuesday — café at 10:00\n')), 'plain text');
    assert.equal(whatOf(Buffer.from('\uFEFFhello world', 'utf16le').subarray(0)), 'plain text (UTF-16)');
  });

  test('random bytes are unknown, not claimed as anything', () => {
    let seed = 12345;
    const b = Buffer.alloc(4096);
    for (let i = 0; i < b.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      b[i] = seed >>> 24;
    }
    b[0] = 0x00; // avoid a chance frame sync at byte 0
    assert.deepEqual(sniffContent(b), { kind: 'unknown' });
    assert.deepEqual(sniffContent(Buffer.alloc(0)), { kind: 'unknown' });
  });
});
