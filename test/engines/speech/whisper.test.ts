// Runs the real whisper.cpp runtime (@fugood/whisper.node, CPU build) on a tiny generated model: a real ggml file
// with seeded weights whose decoder follows a token script (see test/fixtures/tiny-whisper.ts). Published models
// cannot be downloaded on the CI machine, so accuracy is not tested here; loading, decoding, timing, progress,
// abort and error reporting are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import {
  createWhisper,
  assembleSegments,
  WhisperModelError,
  inspectWhisperModel,
  type WhisperEngine,
} from '../../../src/engines/speech/whisper.js';
import { tinyWhisperModelPath, writeTinyWhisperModel, tokenText } from '../../fixtures/tiny-whisper.js';
import { SPEECH_DIR, tempDir } from '../../helpers.js';
import type { TranscriptSegment } from '../../../src/domain/analysis.js';

/** 16-bit PCM WAV -> Float32 samples */
function readWav(file: string): Float32Array {
  const buf = readFileSync(file);
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    if (id === 'data') {
      const n = Math.floor(size / 2);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(pos + 8 + 2 * i) / 32768;
      return out;
    }
    pos += 8 + size + (size & 1);
  }
  throw new Error(`no data chunk in ${file}`);
}

function assertWellFormed(segments: TranscriptSegment[], durationSec: number): void {
  let prevStart = 0;
  for (const s of segments) {
    assert.ok(s.start >= 0 && s.start <= s.end && s.end <= durationSec + 1e-6, `segment times ${s.start}..${s.end} in 0..${durationSec}`);
    assert.ok(s.start >= prevStart - 1e-6, 'segments in time order');
    prevStart = s.start;
    assert.ok(s.text.length > 0 && s.text === s.text.trim());
    assert.ok(s.words.length > 0);
    assert.equal(s.words.map((w) => w.text).join(''), s.text.replace(/\s+/g, ''), 'words spell the segment');
    for (const w of s.words) {
      assert.ok(
        w.start >= s.start - 1e-6 && w.end <= s.end + 1e-6 && w.start <= w.end,
        `word ${w.text} ${w.start}..${w.end} inside ${s.start}..${s.end}`,
      );
    }
  }
}

const jfk = readWav(path.join(SPEECH_DIR, 'jfk.wav'));
const jfkSec = jfk.length / 16000;
let engine: WhisperEngine;
let modelPath: string;
let script: string[];
const tmp = tempDir('earshot-whisper-');
// 375 encoder positions instead of 1500: the encoder then costs a quarter, and reads 7.5 s of each 30 s window
const FIXTURE = { seed: 7, language: 'de', audioCtx: 375 };

before(async () => {
  modelPath = tinyWhisperModelPath(FIXTURE);
  // the same generator call again, into a scratch file, tells us the token script the model follows
  script = writeTinyWhisperModel(path.join(tmp.dir, 'again.bin'), FIXTURE).script.map(tokenText);
  engine = await createWhisper({ modelPath, threads: 2 });
});
after(async () => {
  await engine?.close();
  tmp.cleanup();
});

test('loads a ggml model and reports what it is', () => {
  assert.equal(engine.name, 'whisper');
  assert.equal(engine.backend, 'cpu');
  assert.equal(engine.model.nVocab, 51865);
  assert.equal(engine.model.multilingual, true);
  assert.equal(engine.model.nTensors, 50);
});

test('transcribes jfk.wav into well-formed segments with word times, language and progress', async () => {
  const progress: number[] = [];
  const r = await engine.transcribe(jfk, { onProgress: (f) => progress.push(f) });
  assert.equal(r.language, 'de', 'language detected by whisper.cpp (the fixture model is built to detect German)');
  assert.ok(r.segments.length >= 2, `got ${r.segments.length} segments`);
  assertWellFormed(r.segments, jfkSec);
  // every decoded token comes from the model's script, in order
  const words = r.segments.flatMap((s) => s.words.map((w) => w.text));
  const expected = script.join('').split(/\s+/).filter(Boolean).join(' ');
  let at = 0;
  for (const w of words) {
    const found = expected.indexOf(w, at);
    assert.ok(found >= 0, `word ${w} from the script, in order`);
    at = found + w.length;
  }
  assert.ok(words.length >= 6);
  assert.ok(progress.length >= 1 && progress.every((p, i) => p > 0 && p <= 1 && (i === 0 || p > progress[i - 1])), `progress ${progress}`);
  assert.equal(progress[progress.length - 1], 1);
});

test('a language given by the caller is used instead of detection', async () => {
  const r = await engine.transcribe(jfk.subarray(0, 16000 * 3), { language: 'fr' });
  assert.equal(r.language, 'fr');
  assertWellFormed(r.segments, 3);
});

test('long audio is split into windows whose segments land on the file clock', async () => {
  const w = await createWhisper({ modelPath, threads: 2, windowSec: 12 });
  try {
    const pcm = new Float32Array(jfk.length * 2);
    pcm.set(jfk, 0);
    pcm.set(jfk, jfk.length);
    const r = await w.transcribe(pcm);
    assertWellFormed(r.segments, 2 * jfkSec);
    assert.ok(
      r.segments.some((s) => s.start >= 10),
      'the second window contributes segments after 10 s',
    );
    assert.ok(
      r.segments.some((s) => s.end <= 12),
      'the first window contributes segments',
    );
  } finally {
    await w.close();
  }
});

test('empty and too-short audio give no segments', async () => {
  assert.deepEqual((await engine.transcribe(new Float32Array(0))).segments, []);
  assert.deepEqual((await engine.transcribe(new Float32Array(800))).segments, []);
});

test('abort rejects promptly, and the engine still works afterwards', async () => {
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(engine.transcribe(jfk, { signal: pre.signal }), { name: 'AbortError' });

  // whisper.cpp cannot be interrupted inside a call, so the engine rejects at once and stops at the next window
  const windowed = await createWhisper({ modelPath, threads: 2, windowSec: 30 });
  try {
    const long = new Float32Array(16000 * 300);
    for (let i = 0; i < long.length; i += jfk.length) long.set(jfk.subarray(0, Math.min(jfk.length, long.length - i)), i);
    let t0 = performance.now();
    await windowed.transcribe(long.subarray(0, 16000 * 30));
    const oneWindow = performance.now() - t0;
    const ac = new AbortController();
    t0 = performance.now();
    const p = windowed.transcribe(long, { signal: ac.signal, onProgress: () => ac.abort() });
    await assert.rejects(p, { name: 'AbortError' });
    const abortedAfter = performance.now() - t0;
    const t1 = performance.now();
    const r = await windowed.transcribe(jfk.subarray(0, 16000 * 4));
    const next = performance.now() - t1;
    assertWellFormed(r.segments, 4);
    // the 300 s input would take ten windows; after abort at most the running one finishes before the next call
    // progress first fires inside the first window, so the abort lands during it; allow for a loaded machine,
    // while still failing if the ten windows ran on
    assert.ok(
      abortedAfter < 3 * oneWindow,
      `rejected after ${abortedAfter} ms; one window takes ${oneWindow} ms, ten would run ~${10 * oneWindow} ms`,
    );
    assert.ok(next < 4 * oneWindow, `next call after ${next} ms: the other nine windows (${oneWindow} ms each) were not run`);
  } finally {
    await windowed.close();
  }
});

test('missing, foreign, truncated and weightless model files give errors that say what to do', async () => {
  await assert.rejects(
    createWhisper({ modelPath: path.join(tmp.dir, 'nope.bin') }),
    (e: Error) => e instanceof WhisperModelError && /not found.*models pull/.test(e.message),
  );
  const junk = path.join(tmp.dir, 'junk.bin');
  writeFileSync(junk, Buffer.from('GGUF\x03\x00\x00\x00 not whisper'));
  await assert.rejects(createWhisper({ modelPath: junk }), /GGUF file/);
  writeFileSync(junk, Buffer.from('hello world, this is text'));
  await assert.rejects(createWhisper({ modelPath: junk }), /not a whisper.cpp ggml model/);
  const whole = readFileSync(modelPath);
  const cut = path.join(tmp.dir, 'cut.bin');
  writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
  await assert.rejects(
    createWhisper({ modelPath: cut }),
    (e: Error) => e instanceof WhisperModelError && /truncated: tensor '.+'/.test(e.message) && /re-download/.test(e.message),
  );
  // cut right after the vocabulary: whisper.cpp itself would load this as an "empty model for testing"
  const info = await inspectWhisperModel(modelPath);
  assert.equal(info.nTensors, 50);
  const vocabEnd = findVocabEnd(whole);
  writeFileSync(cut, whole.subarray(0, vocabEnd));
  await assert.rejects(createWhisper({ modelPath: cut }), /holds no weights/);
  copyFileSync(modelPath, cut);
  assert.equal((await inspectWhisperModel(cut)).bytes, whole.length);
});

function findVocabEnd(buf: Buffer): number {
  let pos = 4 + 44;
  const nMel = buf.readInt32LE(pos);
  const nFft = buf.readInt32LE(pos + 4);
  pos += 8 + nMel * nFft * 4;
  const n = buf.readInt32LE(pos);
  pos += 4;
  for (let i = 0; i < n; i++) pos += 4 + buf.readUInt32LE(pos);
  return pos;
}

test('assembleSegments regroups one-token segments into segments and words, clamped to the audio', () => {
  const tokens = [
    { text: '', t0: 0, t1: 0 },
    { text: ' And', t0: 0, t1: 300 },
    { text: ' so', t0: 300, t1: 500 },
    { text: ' my', t0: 500, t1: 700 },
    { text: ' fell', t0: 700, t1: 900 },
    { text: 'ow', t0: 900, t1: 1000 },
    { text: ',', t0: 1000, t1: 1050 },
    { text: ' ask', t0: 3000, t1: 3400 },
    { text: '.', t0: 3400, t1: 40000 },
  ];
  const segs = assembleSegments(tokens, [7, 2], 11);
  assert.deepEqual(segs, [
    {
      start: 0,
      end: 1.05,
      text: 'And so my fellow,',
      words: [
        { text: 'And', start: 0, end: 0.3 },
        { text: 'so', start: 0.3, end: 0.5 },
        { text: 'my', start: 0.5, end: 0.7 },
        { text: 'fellow,', start: 0.7, end: 1.05 },
      ],
    },
    { start: 3, end: 11, text: 'ask.', words: [{ text: 'ask.', start: 3, end: 11 }] },
  ]);
  // without whisper.cpp's grouping, sentence ends split segments
  const fallback = assembleSegments(tokens, [], 11);
  assert.equal(fallback.length, 1);
  assert.equal(fallback[0].text, 'And so my fellow, ask.');
});
