// probeAudio on real files of every format, broken files and non-audio, with the npm-shipped and the
// system ffprobe (the system run is skipped where no ffmpeg is installed on the machine).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AudioError, probeAudio, type AudioProbeResult } from '../../src/audio/probe.js';
import { decodeAll } from '../../src/audio/decode.js';
import { locateFfmpeg, type FfmpegBinaries } from '../../src/audio/ffmpeg.js';
import { sniffContent, SNIFF_BYTES } from '../../src/audio/formats.js';
import { tempDir, SPEECH_DIR, SOUNDS_DIR } from '../helpers.js';
import { ffmpegCli, makeToneFiles, truncateCopy, TONE_SEC, type FormatFixture } from './fixtures.js';

function binaries(source: 'system' | 'npm'): FfmpegBinaries | undefined {
  try {
    return locateFfmpeg({ prefer: source, strict: true });
  } catch {
    return undefined;
  }
}

async function refusal(p: Promise<unknown>): Promise<AudioError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AudioError, `expected AudioError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the probe to refuse the file');
}

let tmp: ReturnType<typeof tempDir>;
let tones: FormatFixture[];
before(() => {
  tmp = tempDir('earshot-probe-');
  tones = makeToneFiles(tmp.dir);
});
after(() => tmp.cleanup());

for (const source of ['npm', 'system'] as const) {
  const bins = binaries(source);
  describe(`probeAudio with ${source} ffprobe`, { skip: bins ? false : `no usable ${source} ffmpeg/ffprobe on this machine` }, () => {
    const opts = { ffmpeg: bins! };

    test('a 3-second tone in every format probes to 3.0 s without decoding', async () => {
      for (const f of tones) {
        const p = await probeAudio(f.file, opts);
        // raw ADTS AAC has no header length and no record of the encoder's priming samples: its
        // packets (hence the decoded audio) run ~1024+ samples longer than the source.
        const tol = f.name === 'aac' ? 0.05 : 0.02;
        assert.ok(Math.abs(p.durationSec - TONE_SEC) <= tol, `${f.name}: ${p.durationSec}`);
        assert.equal(p.codec, f.codec, f.name);
        assert.equal(p.format, f.format, f.name);
        assert.equal(p.mime, f.mime, f.name);
        assert.equal(p.channels, 1, f.name);
        assert.equal(p.sampleRate, f.sampleRate, f.name);
        assert.deepEqual(p.warnings, [], f.name);
        // only raw AAC, whose length is not stated anywhere, needs its packets listed
        assert.equal(p.durationSource, f.name === 'aac' ? 'scan' : 'header', f.name);
      }
    });

    test('jfk.wav is 11.0 s of 16 kHz mono; jfk.mp3 agrees', async () => {
      const wav = await probeAudio(path.join(SPEECH_DIR, 'jfk.wav'), opts);
      assert.equal(wav.durationSec, 11);
      assert.equal(wav.sampleRate, 16000);
      assert.equal(wav.channels, 1);
      assert.equal(wav.codec, 'pcm_s16le');
      const mp3 = await probeAudio(path.join(SPEECH_DIR, 'jfk.mp3'), opts);
      assert.ok(Math.abs(mp3.durationSec - 11) < 0.03, String(mp3.durationSec));
      assert.equal(mp3.format, 'mp3');
    });

    test('the sounds .ogg clips probe to the length they decode to', async () => {
      for (const name of ['dog.ogg', 'violin.ogg']) {
        const file = path.join(SOUNDS_DIR, name);
        const p = await probeAudio(file, opts);
        assert.equal(p.format, 'ogg');
        const pcm = await decodeAll(file, {}, { ffmpeg: bins!, durationSec: p.durationSec });
        // the 2018 npm ffmpeg does not trim Vorbis priming by the Ogg granule positions: up to ~45 ms longer
        const tol = source === 'npm' ? 0.05 : 0.01;
        assert.ok(Math.abs(pcm.length / 16000 - p.durationSec) < tol, `${name}: probe ${p.durationSec}, decoded ${pcm.length / 16000}`);
      }
    });

    test('mp3 bytes in a file named .wav are probed as mp3', async () => {
      const mp3 = tones.find((t) => t.name === 'mp3')!;
      const liar = path.join(tmp.dir, `${source}-really-mp3.wav`);
      copyFileSync(mp3.file, liar);
      const p = await probeAudio(liar, opts);
      assert.equal(p.format, 'mp3');
      assert.equal(p.mime, 'audio/mp3');
      assert.equal(p.codec, 'mp3');
    });

    test('non-audio files are refused with a message naming what they are', async () => {
      const png = path.join(tmp.dir, `${source}-pic.png`);
      ffmpegCli(['-f', 'lavfi', '-i', 'color=c=blue:s=8x8', '-frames:v', '1', png]);
      const pdf = path.join(tmp.dir, `${source}-doc.pdf`);
      writeFileSync(pdf, '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
      const txt = path.join(tmp.dir, `${source}-notes.txt`);
      writeFileSync(txt, 'These are my meeting notes, not a recording.\n');
      for (const [file, what] of [
        [png, 'a PNG image'],
        [pdf, 'a PDF document'],
        [txt, 'plain text'],
      ] as const) {
        const e = await refusal(probeAudio(file, opts));
        assert.equal(e.reason, 'not-audio');
        assert.equal(e.message, `the file is ${what}, not audio`);
      }
    });

    test('a video is refused unless allowed', async () => {
      // index at the end, beyond the sniffed head, so sniffing cannot tell: the prober sees the video track
      const mp4 = path.join(tmp.dir, `${source}-clip.mp4`);
      ffmpegCli([
        '-f',
        'lavfi',
        '-i',
        'testsrc=s=640x480:d=2',
        '-f',
        'lavfi',
        '-i',
        'sine=d=2',
        '-c:v',
        'mpeg4',
        '-q:v',
        '1',
        '-c:a',
        'aac',
        '-shortest',
        mp4,
      ]);
      assert.deepEqual(sniffContent(readFileSync(mp4).subarray(0, SNIFF_BYTES)), { kind: 'unknown' });
      const e = await refusal(probeAudio(mp4, opts));
      assert.equal(e.reason, 'not-audio');
      assert.match(e.message, /video \(mpeg4\)/);
      const p = await probeAudio(mp4, { ...opts, allowVideo: true });
      assert.equal(p.codec, 'aac');
    });

    test('an audio-only .mp4 with a generic brand and its index at the end is M4A audio', async () => {
      const mp4 = path.join(tmp.dir, `${source}-audio-only.mp4`);
      ffmpegCli(['-f', 'lavfi', '-i', 'sine=frequency=600:duration=8', '-c:a', 'aac', '-b:a', '128k', mp4]);
      assert.equal(readFileSync(mp4).toString('latin1', 8, 12), 'isom');
      assert.deepEqual(sniffContent(readFileSync(mp4).subarray(0, SNIFF_BYTES)), { kind: 'unknown' });
      const p = await probeAudio(mp4, opts);
      assert.deepEqual([p.format, p.mime, p.codec, p.durationSec], ['m4a', 'audio/mp4', 'aac', 8]);
    });

    test('zero-length file is empty; a WAV header with no samples is empty', async () => {
      const zero = path.join(tmp.dir, `${source}-zero.wav`);
      writeFileSync(zero, Buffer.alloc(0));
      assert.equal((await refusal(probeAudio(zero, opts))).reason, 'empty');
      const headerOnly = path.join(tmp.dir, `${source}-header-only.wav`);
      ffmpegCli(['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '0', '-c:a', 'pcm_s16le', headerOnly]);
      const e = await refusal(probeAudio(headerOnly, opts));
      assert.equal(e.reason, 'empty');
      assert.match(e.message, /no audio samples/);
    });

    test('a WAV cut inside its header is truncated; random bytes are unsupported', async () => {
      const wav = tones.find((t) => t.name === 'wav')!;
      const cut = truncateCopy(wav.file, path.join(tmp.dir, `${source}-cut-header.wav`), 20 / readFileSync(wav.file).length);
      assert.equal((await refusal(probeAudio(cut, opts))).reason, 'truncated');
      const noise = path.join(tmp.dir, `${source}-noise.bin`);
      const b = Buffer.alloc(8192);
      let s = 7;
      for (let i = 0; i < b.length; i++) b[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
      b[0] = 0;
      writeFileSync(noise, b);
      const e = await refusal(probeAudio(noise, opts));
      assert.equal(e.reason, 'unsupported');
      assert.match(e.message, /supported: WAV, MP3/);
    });

    test('an M4A whose index was cut off is truncated', async () => {
      const src = path.join(tmp.dir, `${source}-long.m4a`);
      ffmpegCli(['-f', 'lavfi', '-i', 'sine=frequency=500:duration=10', '-c:a', 'aac', src]);
      const cut = truncateCopy(src, path.join(tmp.dir, `${source}-half.m4a`), 0.5);
      const e = await refusal(probeAudio(cut, opts));
      assert.equal(e.reason, 'truncated');
      assert.match(e.message, /upload the complete file/);
    });

    test('maxDurationSec refuses long audio, saying how long it is', async () => {
      const e = await refusal(probeAudio(path.join(SPEECH_DIR, 'jfk.wav'), { ...opts, maxDurationSec: 5 }));
      assert.equal(e.reason, 'too-long');
      assert.match(e.message, /11 s long.*at most 5 s/);
      await probeAudio(path.join(SPEECH_DIR, 'jfk.wav'), { ...opts, maxDurationSec: 11 });
    });
  });
}

describe('files whose header lies about their length', () => {
  const opts = { ffmpeg: locateFfmpeg() };
  let long: Record<string, string>;
  before(() => {
    long = {};
    for (const ext of ['mp3', 'flac', 'webm', 'aiff', 'ogg']) {
      long[ext] = path.join(tmp.dir, `long20.${ext}`);
      ffmpegCli(['-f', 'lavfi', '-i', 'sine=frequency=700:sample_rate=44100:duration=20', long[ext]!]);
    }
  });

  async function checkCut(ext: string, expectSource: AudioProbeResult['durationSource'][]): Promise<void> {
    const cut = truncateCopy(long[ext]!, path.join(tmp.dir, `cut40.${ext}`), 0.4);
    const p = await probeAudio(cut, opts);
    const decoded = (await decodeAll(cut, {}, { ffmpeg: opts.ffmpeg, durationSec: p.durationSec })).length / 16000;
    assert.ok(p.durationSec > 5 && p.durationSec < 10, `${ext}: probe says ${p.durationSec} for a 20 s file cut to 40 %`);
    assert.ok(Math.abs(p.durationSec - decoded) < 0.15, `${ext}: probe ${p.durationSec} vs decoded ${decoded}`);
    assert.ok(expectSource.includes(p.durationSource), `${ext}: ${p.durationSource}`);
    if (ext !== 'ogg') assert.match(p.warnings.join(' '), /cut off/, ext);
  }

  test('truncated mp3 (its Xing header still counts the whole file)', () => checkCut('mp3', ['scan']));
  test('truncated flac (STREAMINFO still counts every sample)', () => checkCut('flac', ['scan']));
  test('truncated webm (Segment duration still says 20 s)', () => checkCut('webm', ['scan']));
  test('truncated aiff (COMM still counts every frame)', () => checkCut('aiff', ['size']));
  test('truncated ogg (the demuxer finds the real last page)', () => checkCut('ogg', ['header']));

  test('a WAV whose header claims 10 s but holds 2 s probes and decodes to exactly 2 s', async () => {
    const wav = path.join(tmp.dir, 'two.wav');
    ffmpegCli(['-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=16000:duration=2', '-c:a', 'pcm_s16le', wav]);
    const bytes = readFileSync(wav);
    const dataAt = bytes.indexOf('data', 12, 'latin1');
    assert.equal(bytes.readUInt32LE(dataAt + 4), 2 * 16000 * 2);
    bytes.writeUInt32LE(10 * 16000 * 2, dataAt + 4); // the lie
    bytes.writeUInt32LE(10 * 16000 * 2 + dataAt, 4);
    const liar = path.join(tmp.dir, 'liar.wav');
    writeFileSync(liar, bytes);
    const p = await probeAudio(liar, opts);
    assert.equal(p.durationSec, 2);
    assert.equal(p.durationSource, 'size');
    assert.match(p.warnings.join(' '), /cut off/);
    const pcm = await decodeAll(liar, {}, opts);
    assert.equal(pcm.length, 32000);
  });

  test('a WAV written while streaming (data size left 0xFFFFFFFF) is not called cut off', async () => {
    const wav = path.join(tmp.dir, 'stream.wav');
    ffmpegCli(['-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=16000:duration=1.5', '-c:a', 'pcm_s16le', wav]);
    const bytes = readFileSync(wav);
    const dataAt = bytes.indexOf('data', 12, 'latin1');
    bytes.writeUInt32LE(0xffffffff, dataAt + 4);
    bytes.writeUInt32LE(0xffffffff, 4);
    writeFileSync(wav, bytes);
    const p = await probeAudio(wav, opts);
    assert.equal(p.durationSec, 1.5);
    assert.deepEqual(p.warnings, []);
  });
});
