// decodePcm/decodeAll/decodeBuffer on real files of every format with the system and the npm ffmpeg:
// frequency preserved, channels mixed, exact lengths and sample-exact cuts, constant memory, cleanup.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeAll, decodeBuffer, decodePcm, encodeWav16, rmsDb } from '../../src/audio/decode.js';
import { AudioError } from '../../src/audio/errors.js';
import { locateFfmpeg, type FfmpegBinaries } from '../../src/audio/ffmpeg.js';
import { probeAudio } from '../../src/audio/probe.js';
import { tempDir, SPEECH_DIR, SOUNDS_DIR } from '../helpers.js';
import {
  encodeFrom,
  ffmpegChildren,
  ffmpegCli,
  goertzel,
  makeToneFiles,
  TONE_HZ,
  TONE_SEC,
  zeroCrossingHz,
  type FormatFixture,
} from './fixtures.js';

function binaries(source: 'system' | 'npm'): FfmpegBinaries | undefined {
  try {
    return locateFfmpeg({ prefer: source, strict: true });
  } catch {
    return undefined;
  }
}

/** Samples of jfk.wav as the file stores them (16-bit, 16 kHz mono), scaled to -1..1. */
function jfkSamples(): Float32Array {
  const b = readFileSync(path.join(SPEECH_DIR, 'jfk.wav'));
  const at = b.indexOf('data', 12, 'latin1') + 8;
  const n = b.readUInt32LE(at - 4) / 2;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = b.readInt16LE(at + i * 2) / 32768;
  return out;
}

async function waitNoFfmpegChildren(ms = 2000): Promise<number[]> {
  const until = Date.now() + ms;
  let kids = ffmpegChildren();
  while (kids.length && Date.now() < until) {
    await sleep(25);
    kids = ffmpegChildren();
  }
  return kids;
}

let tmp: ReturnType<typeof tempDir>;
let tones: FormatFixture[];
before(() => {
  tmp = tempDir('earshot-decode-');
  tones = makeToneFiles(tmp.dir);
});
after(() => tmp.cleanup());

for (const source of ['system', 'npm'] as const) {
  const bins = binaries(source);
  describe(`decoding with ${source} ffmpeg`, { skip: bins ? false : `no usable ${source} ffmpeg on this machine` }, () => {
    const opts = { ffmpeg: bins! };

    test('a 1 kHz tone at 44.1/48 kHz in every format is still 1 kHz at 16 kHz, and 3.0 s long', async () => {
      for (const f of tones) {
        const pcm = await decodeAll(f.file, {}, opts);
        // raw ADTS AAC keeps the encoder's priming and padding (≈ 42 ms): nothing in the stream says to drop them
        const tol = f.name === 'aac' ? 0.05 : 0.02;
        assert.ok(Math.abs(pcm.length / 16000 - TONE_SEC) <= tol, `${f.name}: ${pcm.length / 16000} s`);
        const hz = zeroCrossingHz(pcm);
        assert.ok(Math.abs(hz - TONE_HZ) < 2, `${f.name}: ${hz} Hz`);
        const on = goertzel(pcm, TONE_HZ);
        for (const off of [500, 1500, 3000, 7000]) assert.ok(on > 1000 * goertzel(pcm, off), `${f.name}: energy at ${off} Hz`);
        // amplitude 0.5 sine → RMS −9.03 dBFS; lossy codecs stay within half a dB
        const level = rmsDb(pcm.subarray(1600, pcm.length - 1600));
        assert.ok(Math.abs(level - -9.03) < 0.5, `${f.name}: ${level} dB`);
      }
    });

    test('other input rates (8, 22.05, 96 kHz) and 5.1 channels come out as 16 kHz mono', async () => {
      for (const [rate, layout] of [
        [8000, 'mono'],
        [22050, 'stereo'],
        [96000, '5.1'],
      ] as const) {
        const file = path.join(tmp.dir, `${source}-r${rate}.flac`);
        ffmpegCli([
          '-f',
          'lavfi',
          '-i',
          `sine=frequency=440:sample_rate=${rate}:duration=2`,
          '-af',
          `aformat=channel_layouts=${layout}`,
          file,
        ]);
        const p = await probeAudio(file, opts);
        assert.equal(p.sampleRate, rate);
        assert.equal(p.channels, layout === 'mono' ? 1 : layout === 'stereo' ? 2 : 6);
        const pcm = await decodeAll(file, {}, opts);
        assert.equal(pcm.length, 32000, `${rate} Hz ${layout}`);
        assert.ok(Math.abs(zeroCrossingHz(pcm) - 440) < 1, `${rate} Hz ${layout}`);
      }
    });

    test('stereo with opposite-phase channels mixes to near silence; in-phase keeps its level', async () => {
      const anti = path.join(tmp.dir, `${source}-anti.wav`);
      ffmpegCli([
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=1000:sample_rate=44100:duration=2',
        '-af',
        'volume=4,pan=stereo|c0=c0|c1=-1*c0',
        anti,
      ]);
      assert.equal((await probeAudio(anti, opts)).channels, 2);
      const mixed = await decodeAll(anti, {}, opts);
      assert.ok(rmsDb(mixed) < -40, `opposite phase: ${rmsDb(mixed)} dB`);
      const same = path.join(tmp.dir, `${source}-same.wav`);
      ffmpegCli(['-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=44100:duration=2', '-af', 'volume=4,pan=stereo|c0=c0|c1=c0', same]);
      // channels are averaged: the level of each channel, not their (louder, possibly > full scale) sum
      assert.ok(Math.abs(rmsDb(await decodeAll(same, {}, opts)) - -9.03) < 0.1);
    });

    test('range [1.0, 2.0) of a WAV is exactly 16000 samples equal to the same samples of the full decode', async () => {
      const wav = tones.find((t) => t.name === 'wav')!;
      const full = await decodeAll(wav.file, {}, opts);
      const cut = await decodeAll(wav.file, { start: 1, end: 2 }, opts);
      assert.equal(cut.length, 16000);
      let worst = 0;
      for (let i = 0; i < cut.length; i++) worst = Math.max(worst, Math.abs(cut[i]! - full[16000 + i]!));
      assert.ok(worst < 1e-5, `max difference ${worst}`);
    });

    test('cuts of speech match the full decode sample for sample in every container', async () => {
      const src = path.join(tmp.dir, `${source}-speech-44k.wav`);
      ffmpegCli(['-i', path.join(SPEECH_DIR, 'jfk.wav'), '-ar', '44100', src]);
      for (const [ext, args] of [
        ['wav', []],
        ['flac', []],
        ['mp3', ['-b:a', '128k']],
        ['ogg', ['-c:a', 'libvorbis']],
        ['opus', ['-c:a', 'libopus']],
        ['m4a', ['-c:a', 'aac']],
        ['webm', ['-c:a', 'libopus']],
      ] as const) {
        const file = encodeFrom(src, path.join(tmp.dir, `${source}-speech.${ext}`), [...args]);
        const full = await decodeAll(file, {}, opts);
        for (const [start, end] of [
          [2.5, 3.5],
          [7.3705, 8.0],
        ]) {
          const cut = await decodeAll(file, { start, end }, opts);
          const s = Math.round(start * 16000);
          assert.equal(cut.length, Math.round(end * 16000) - s, `${ext} [${start}, ${end})`);
          let err = 0;
          let energy = 0;
          for (let i = 0; i < cut.length; i++) {
            err += (cut[i]! - full[s + i]!) ** 2;
            energy += full[s + i]! ** 2;
          }
          // speech at -20 dB: a shift of even one sample would leave error energy near the signal's
          assert.ok(err < energy * 1e-4, `${ext} [${start}, ${end}): error/energy ${err / energy}`);
        }
      }
    });

    test('ranges are sample exact at odd boundaries and stop at the end of the file', async () => {
      const wav = tones.find((t) => t.name === 'wav')!;
      assert.equal((await decodeAll(wav.file, { start: 0.5, end: 0.5 + 123 / 16000 }, opts)).length, 123);
      assert.equal((await decodeAll(wav.file, { start: 0.00003, end: 0.7 }, opts)).length, 11200);
      assert.equal((await decodeAll(wav.file, { start: 2.5, end: 10 }, opts)).length, 8000);
      assert.equal((await decodeAll(wav.file, { start: 5, end: 6 }, opts)).length, 0);
      assert.equal((await decodeAll(wav.file, { start: 1, end: 1 }, opts)).length, 0);
    });

    test('jfk.wav decodes to its own samples exactly; jfk.mp3 to the same speech', async () => {
      const ref = jfkSamples();
      const wav = await decodeAll(path.join(SPEECH_DIR, 'jfk.wav'), {}, opts);
      assert.equal(wav.length, 176000);
      assert.deepEqual(wav, ref);
      const mp3 = await decodeAll(path.join(SPEECH_DIR, 'jfk.mp3'), {}, opts);
      assert.ok(Math.abs(mp3.length - 176000) <= 320, `${mp3.length}`);
      let dot = 0;
      let a = 0;
      let b = 0;
      for (let i = 0; i < Math.min(mp3.length, ref.length); i++) {
        dot += mp3[i]! * ref[i]!;
        a += mp3[i]! ** 2;
        b += ref[i]! ** 2;
      }
      assert.ok(dot / Math.sqrt(a * b) > 0.9, `correlation ${dot / Math.sqrt(a * b)}`);
    });

    test('a sounds .ogg clip decodes', async () => {
      const pcm = await decodeAll(path.join(SOUNDS_DIR, 'cuckoo.ogg'), {}, opts);
      assert.ok(Math.abs(pcm.length / 16000 - 1.486) < 0.05);
      assert.ok(rmsDb(pcm) > -50);
    });

    test('stopping early and aborting kill ffmpeg', async () => {
      const jfk = path.join(SPEECH_DIR, 'jfk.mp3');
      for await (const chunk of decodePcm(jfk, opts)) {
        assert.ok(chunk.length > 0);
        assert.equal(ffmpegChildren().length, 1);
        break;
      }
      assert.deepEqual(await waitNoFfmpegChildren(), []);

      const ac = new AbortController();
      let chunks = 0;
      await assert.rejects(
        (async () => {
          for await (const _ of decodePcm(jfk, { ...opts, signal: ac.signal })) {
            chunks++;
            ac.abort(new Error('client went away'));
          }
        })(),
        /client went away/,
      );
      assert.equal(chunks, 1);
      assert.deepEqual(await waitNoFfmpegChildren(), []);
    });

    test('ffmpeg failures carry its stderr', async () => {
      const bogus = path.join(tmp.dir, `${source}-bogus.mp3`);
      writeFileSync(bogus, 'this is not audio at all, just a sentence in a file\n');
      const err = await decodeAll(bogus, {}, { ...opts, durationSec: 1 }).then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof AudioError);
      assert.equal(err.reason, 'corrupt');
      assert.match(err.message, /^the audio could not be decoded \(ffmpeg exit \d+\): .*bogus\.mp3/);
      assert.ok(err.detail && err.detail.length > 10);
    });
  });
}

describe('streaming keeps memory constant', () => {
  test('a consumer that stops pulling holds ffmpeg back (it reads little past what was consumed)', async () => {
    // 20 min of 16 kHz mono 16-bit WAV = 38.4 MB; with backpressure ffmpeg can only run ahead by pipe
    // and read buffers, not through the file.
    const big = path.join(tmp.dir, 'twenty-minutes.wav');
    ffmpegCli(['-f', 'lavfi', '-i', 'sine=frequency=200:sample_rate=16000:duration=1200', '-c:a', 'pcm_s16le', big]);
    const gen = decodePcm(big);
    const first = await gen.next();
    assert.ok(!first.done && first.value.length > 0);
    await sleep(1500);
    const kids = ffmpegChildren();
    assert.equal(kids.length, 1, 'ffmpeg is still running, waiting for us');
    const io = readFileSync(`/proc/${kids[0]}/io`, 'utf8');
    const rchar = Number(/rchar: (\d+)/.exec(io)![1]);
    assert.ok(rchar < 8 * 1024 * 1024, `ffmpeg read ${rchar} bytes of a 38.4 MB file while we held one chunk`);
    await gen.return(undefined);
    assert.deepEqual(await waitNoFfmpegChildren(), []);
  });
});

describe('inline data, WAV encoding, loudness', () => {
  test('decodeBuffer: mp3 bytes declared audio/wav decode as mp3; PNG and empty data are refused', async () => {
    const mp3 = readFileSync(tones.find((t) => t.name === 'mp3')!.file);
    const pcm = await decodeBuffer(mp3, 'audio/wav');
    assert.ok(Math.abs(pcm.length / 16000 - TONE_SEC) <= 0.02);
    assert.ok(Math.abs(zeroCrossingHz(pcm) - TONE_HZ) < 2);
    const part = await decodeBuffer(mp3, 'audio/mpeg', { start: 1, end: 1.5 });
    assert.equal(part.length, 8000);

    const png = path.join(tmp.dir, 'inline.png');
    ffmpegCli(['-f', 'lavfi', '-i', 'color=c=green:s=8x8', '-frames:v', '1', png]);
    await assert.rejects(decodeBuffer(readFileSync(png), 'audio/wav'), (e: unknown) => {
      assert.ok(e instanceof AudioError);
      assert.equal(e.reason, 'not-audio');
      assert.equal(e.message, 'the data is a PNG image, not audio');
      return true;
    });
    await assert.rejects(decodeBuffer(Buffer.alloc(0)), (e: unknown) => e instanceof AudioError && e.reason === 'empty');
  });

  test('encodeWav16 writes a 16 kHz mono 16-bit WAV that decodes back to the same samples', async () => {
    const n = 16000 + 7;
    const pcm = new Float32Array(n);
    for (let i = 0; i < n; i++) pcm[i] = 0.6 * Math.sin((2 * Math.PI * 440 * i) / 16000) + (i % 2 ? 0.001 : -0.001);
    pcm[10] = 1.7; // clipped to full scale
    pcm[11] = -3;
    const wav = encodeWav16(pcm);
    assert.equal(wav.length, 44 + 2 * n);
    assert.equal(wav.toString('latin1', 0, 4), 'RIFF');
    assert.equal(wav.readUInt32LE(4), wav.length - 8);
    assert.equal(wav.readUInt16LE(22), 1);
    assert.equal(wav.readUInt32LE(24), 16000);
    assert.equal(wav.readUInt16LE(34), 16);
    assert.equal(wav.readInt16LE(44 + 20), 32767);
    assert.equal(wav.readInt16LE(44 + 22), -32768);
    const file = path.join(tmp.dir, 'encoded.wav');
    writeFileSync(file, wav);
    const p = await probeAudio(file);
    assert.deepEqual([p.codec, p.sampleRate, p.channels, p.durationSec], ['pcm_s16le', 16000, 1, n / 16000]);
    const back = await decodeAll(file);
    assert.equal(back.length, n);
    for (let i = 0; i < n; i++) {
      const want = Math.max(-1, Math.min(32767 / 32768, pcm[i]!));
      assert.ok(Math.abs(back[i]! - want) <= 0.5 / 32768 + 1e-9, `sample ${i}: ${back[i]} vs ${want}`);
    }
  });

  test('rmsDb: full-scale sine −3.01 dB, half-scale square −6.02 dB, silence at the floor', () => {
    const sine = new Float32Array(16000).map((_, i) => Math.sin((2 * Math.PI * 100 * i) / 16000));
    assert.ok(Math.abs(rmsDb(sine) - -3.0103) < 0.001);
    const square = new Float32Array(1000).map((_, i) => (i % 20 < 10 ? 0.5 : -0.5));
    assert.ok(Math.abs(rmsDb(square) - -6.0206) < 0.001);
    assert.equal(rmsDb(new Float32Array(100)), -120);
    assert.equal(rmsDb(new Float32Array(0)), -120);
    assert.equal(rmsDb(new Float32Array(100), -90), -90);
  });
});
