import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  createPocketSphinx,
  parseCtm,
  pocketsphinxAvailable,
  wordsToSegments,
  type PocketSphinx,
} from '../../../src/engines/speech/pocketsphinx.js';
import { energyRegions } from '../../../src/eval/vad.js';
import { SPEECH_DIR } from '../../helpers.js';
import { espeak, placeAt, soxDecode } from '../sox-decode.js';

const available = pocketsphinxAvailable();
const skip = available ? false : 'pocketsphinx not installed (apt-get install pocketsphinx pocketsphinx-en-us)';
let ps: PocketSphinx;
if (available) ps = await createPocketSphinx();

test('jfk.wav: recognises "country", with ordered word times inside the audio and 0..1 confidences', { skip }, async () => {
  const pcm = soxDecode(path.join(SPEECH_DIR, 'jfk.wav'));
  const progress: number[] = [];
  const { segments, language } = await ps.transcribe(pcm, { onProgress: (f) => progress.push(f) });
  assert.equal(language, undefined, 'an English-only engine identifies no language');
  assert.equal(ps.languageIdentification, false);
  const words = segments.flatMap((s) => s.words);
  assert.ok(
    words.some((w) => w.text === 'country'),
    `words: ${words.map((w) => w.text).join(' ')}`,
  );
  assert.ok(words.length >= 12);
  let prev = 0;
  for (const w of words) {
    assert.ok(w.start >= prev - 1e-9 && w.end > w.start && w.end <= 11.01, `word ${w.text} ${w.start}-${w.end}`);
    assert.ok(w.confidence !== undefined && w.confidence >= 0 && w.confidence <= 1);
    assert.ok(/^[a-z']+$/.test(w.text), `no fillers or pronunciation suffixes: ${w.text}`);
    prev = w.start;
  }
  for (const s of segments) assert.equal(s.text, s.words.map((w) => w.text).join(' '));
  // The last word ends where the speech energy ends (~10.4 s), the first starts where it starts (~0.3 s).
  const voiced = energyRegions(pcm);
  assert.ok(Math.abs(words[0].start - voiced[0].start) < 0.3, `first word at ${words[0].start}`);
  assert.ok(words[words.length - 1].end > 10 && words[words.length - 1].end < 10.8);
  assert.equal(progress[progress.length - 1], 1);
});

test('silence gives no words', { skip }, async () => {
  const { segments } = await ps.transcribe(new Float32Array(16000 * 4));
  assert.deepEqual(segments, []);
  assert.deepEqual((await ps.transcribe(new Float32Array(100))).segments, []);
});

test('word times of an espeak sentence map through a 4.0 s offset', { skip }, async () => {
  const clip = espeak('the weather is lovely today and the children are playing in the park');
  const near = placeAt(clip, 0.5, clip.length / 16000 + 1.5);
  const far = placeAt(clip, 4, 10);
  const a = (await ps.transcribe(near)).segments.flatMap((s) => s.words);
  const b = (await ps.transcribe(far)).segments.flatMap((s) => s.words);
  assert.ok(a.length >= 3 && b.length >= 3, 'words recognised in both');
  const voiced = energyRegions(clip);
  const onset = voiced[0].start;
  const offsetEnd = voiced[voiced.length - 1].end;
  assert.ok(Math.abs(b[0].start - (4 + onset)) <= 0.3, `first word at ${b[0].start}, speech from ${4 + onset}`);
  assert.ok(Math.abs(b[b.length - 1].end - (4 + offsetEnd)) <= 0.5, `last word ends ${b[b.length - 1].end}, speech to ${4 + offsetEnd}`);
  // Words common to both runs sit at the same place relative to the clip.
  let matched = 0;
  for (const w of b) {
    const twin = a.find((x) => x.text === w.text && Math.abs(x.start - 0.5 - (w.start - 4)) < 0.3);
    if (twin) matched++;
  }
  assert.ok(matched >= Math.min(a.length, b.length) / 2, `${matched} words at consistent times`);
});

test('longer input than one utterance is decoded in pieces with times on the input clock', { skip }, async () => {
  const pcm = soxDecode(path.join(SPEECH_DIR, 'jfk.wav'));
  const short = await createPocketSphinx({ maxUtteranceSec: 6 });
  const words = (await short.transcribe(pcm)).segments.flatMap((s) => s.words);
  // Decoding restarts mid-sentence after each cut, so only times and coverage are checked, not the words.
  assert.ok(
    words.some((w) => w.start > 6),
    'words after the first piece',
  );
  assert.ok(words[words.length - 1].end > 10 && words[words.length - 1].end < 10.8, `last word ends ${words[words.length - 1].end}`);
  assert.ok(words[0].start < 0.6);
  for (let i = 1; i < words.length; i++) assert.ok(words[i].start >= words[i - 1].start);
});

test('aborting kills the decoder', { skip }, async () => {
  const controller = new AbortController();
  const pcm = soxDecode(path.join(SPEECH_DIR, 'jfk.wav'));
  const run = ps.transcribe(pcm, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error('stop')), 100);
  await assert.rejects(run, /stop/);
});

test('a missing binary or model says what to install', async () => {
  await assert.rejects(createPocketSphinx({ binary: 'no-such-pocketsphinx-binary' }), /apt-get install pocketsphinx pocketsphinx-en-us/);
  await assert.rejects(createPocketSphinx({ modelDir: '/nonexistent/model' }), /apt-get install pocketsphinx pocketsphinx-en-us/);
  assert.equal(pocketsphinxAvailable({ binary: 'no-such-pocketsphinx-binary' }), false);
});

test('parseCtm drops fillers, strips pronunciation variants, clamps posteriors', () => {
  const ctm = [
    'u0 1 0.10 0.20 <s> 1.000',
    'u0 1 0.30 0.25 the(2) 0.9',
    'u0 1 0.56 0.10 [NOISE] 0.5',
    'u0 1 0.70 0.30 country 1.000300',
    'u1 1 0.05 0.20 <sil> 0.8',
    'u1 1 0.25 0.40 ++um++ 0.3',
    'u1 1 0.70 0.30 you 0.25',
    'garbage line',
  ].join('\n');
  const words = parseCtm(ctm);
  assert.deepEqual(
    words.map((w) => [w.utterance, w.word, w.start, +w.end.toFixed(2), w.posterior]),
    [
      ['u0', 'the', 0.3, 0.55, 0.9],
      ['u0', 'country', 0.7, 1, 1],
      ['u1', 'you', 0.7, 1, 0.25],
    ],
  );
  const segs = wordsToSegments([
    { text: 'a', start: 0, end: 0.2, confidence: 1 },
    { text: 'b', start: 0.3, end: 0.5, confidence: 0.5 },
    { text: 'c', start: 1.2, end: 1.4, confidence: 0 },
  ]);
  assert.deepEqual(
    segs.map((s) => [s.text, s.start, s.end, s.confidence]),
    [
      ['a b', 0, 0.5, 0.75],
      ['c', 1.2, 1.4, 0],
    ],
  );
});
