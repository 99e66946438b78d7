import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  combineWer,
  energyRegions,
  formatEvalTable,
  integerToWords,
  loadEvalSet,
  normalizeForWer,
  placeInNoise,
  runEval,
  top5Correct,
  vadFrameAccuracy,
  wordErrorRate,
  VAD_LEAD_SEC,
} from '../../src/eval/index.js';
import { createSileroVad } from '../../src/engines/vad/silero.js';
import { createPocketSphinx, pocketsphinxAvailable } from '../../src/engines/speech/pocketsphinx.js';
import { SHARED, SPEECH_DIR, tempDir } from '../helpers.js';
import { soxDecode } from '../engines/sox-decode.js';

test('normalizeForWer: case, punctuation, numbers, contractions, abbreviations', () => {
  assert.equal(normalizeForWer('And so, my fellow Americans: ask NOT!'), 'and so my fellow americans ask not');
  assert.equal(normalizeForWer('I have 10 apples and 21 pears'), 'i have ten apples and twenty one pears');
  assert.equal(
    normalizeForWer('It costs $1,205.5 — 3rd time, 50%'),
    'it costs one thousand two hundred five point five dollars third time fifty percent',
  );
  assert.equal(
    normalizeForWer("Don't you think it's Mr. Smith's? We'll see; I'm sure they're gone"),
    'do not you think it is mister smiths we will see i am sure they are gone',
  );
  assert.equal(normalizeForWer('won’t   can’t well-known'), 'will not can not well known');
  assert.equal(integerToWords('1000000'), 'one million');
  assert.equal(integerToWords('90'), 'ninety');
  assert.equal(integerToWords('0'), 'zero');
  assert.equal(normalizeForWer('20th 12th 1st'), 'twentieth twelfth first');
});

test('wordErrorRate counts substitutions, deletions and insertions', () => {
  assert.deepEqual(wordErrorRate('the cat sat on the mat', 'the cat sat on the mat'), {
    wer: 0,
    substitutions: 0,
    deletions: 0,
    insertions: 0,
    refWords: 6,
    hypWords: 6,
  });
  const r = wordErrorRate('the cat sat on the mat', 'a cat sat on mat');
  assert.equal(r.substitutions, 1);
  assert.equal(r.deletions, 1);
  assert.equal(r.insertions, 0);
  assert.equal(r.wer, 2 / 6);
  const ins = wordErrorRate('the cat sat', 'the black cat sat down');
  assert.deepEqual([ins.substitutions, ins.deletions, ins.insertions, ins.wer], [0, 0, 2, 2 / 3]);
  assert.equal(wordErrorRate('one two three', '').deletions, 3);
  assert.equal(wordErrorRate('', 'hello').wer, 1);
  assert.equal(wordErrorRate('', '').wer, 0);
  // Normalisation on both sides: "10" and "ten" match; it is off on request.
  assert.equal(wordErrorRate('I have 10 dogs.', 'i have ten dogs').wer, 0);
  assert.equal(wordErrorRate('I have 10 dogs.', 'i have ten dogs', { normalize: false }).wer, 3 / 4);
  const total = combineWer([wordErrorRate('a b c d', 'a b c d'), wordErrorRate('a b', 'x')]);
  assert.equal(total.refWords, 6);
  assert.equal(total.wer, 2 / 6);
});

test('top5Correct ranks classes by score or by frame means', () => {
  const labels = ['Speech', 'Dog', 'Bark', 'Cat', 'Music', 'Siren', 'Bird'];
  const scores = [0.9, 0.05, 0.3, 0.2, 0.1, 0.01, 0.02];
  const r = top5Correct(scores, labels, ['Bark', 'Bow-wow']);
  assert.equal(r.correct, true);
  assert.equal(r.bestAcceptedRank, 2);
  assert.deepEqual(
    r.top.map((t) => t.label),
    ['Speech', 'Bark', 'Cat', 'Music', 'Dog'],
  );
  assert.equal(top5Correct(scores, labels, ['siren']).correct, false, 'rank 7 is outside the top 5');
  assert.equal(top5Correct(scores, labels, ['siren']).bestAcceptedRank, 7);
  const frames = [
    { start: 0, end: 1, scores: Float32Array.from([0, 0, 0, 0, 0, 1, 0]) },
    { start: 1, end: 2, scores: Float32Array.from([0, 0, 0, 0, 0, 0.5, 0.9]) },
  ];
  const f = top5Correct(frames, labels, ['Siren'], 1);
  assert.equal(f.correct, true);
  assert.ok(Math.abs(f.top[0].score - 0.75) < 1e-6);
  assert.throws(() => top5Correct([1, 2], labels, ['Dog']), /2 scores for 7 labels/);
});

test('vadFrameAccuracy compares regions frame by frame', () => {
  const perfect = vadFrameAccuracy([{ start: 1, end: 2 }], [{ start: 1, end: 2 }], 4);
  assert.equal(perfect.accuracy, 1);
  assert.equal(perfect.f1, 1);
  const half = vadFrameAccuracy([{ start: 1, end: 3 }], [{ start: 2, end: 4 }], 4);
  assert.ok(Math.abs(half.accuracy - 0.5) < 0.01);
  assert.ok(Math.abs(half.recall - 0.5) < 0.01);
  assert.ok(Math.abs(half.precision - 0.5) < 0.01);
  const none = vadFrameAccuracy([{ start: 0, end: 1 }], [], 10);
  assert.equal(none.recall, 0);
  assert.ok(Math.abs(none.accuracy - 0.9) < 0.001);
});

test('energyRegions and placeInNoise build an honest synthetic VAD reference', () => {
  const clip = soxDecode(path.join(SPEECH_DIR, 'jfk.wav'));
  const regions = energyRegions(clip);
  assert.ok(regions.length >= 3, 'the pauses in jfk.wav are found despite its background hiss');
  assert.ok(regions[0].start > 0.1 && regions[0].start < 0.5);
  const { pcm, offsetSec } = placeInNoise(clip, 3);
  assert.equal(offsetSec, VAD_LEAD_SEC);
  assert.ok(pcm.length > clip.length);
  const lead = pcm.subarray(0, 16000);
  const rms = Math.sqrt(lead.reduce((a, x) => a + x * x, 0) / lead.length);
  assert.ok(rms > 0.0005 && rms < 0.002, `noise RMS ${rms} ≈ -60 dBFS`);
  assert.deepEqual(placeInNoise(clip, 3).pcm.subarray(0, 100), pcm.subarray(0, 100), 'deterministic');
});

test('loadEvalSet reads ../shared/audio', () => {
  const set = loadEvalSet(path.join(SHARED, 'audio'));
  assert.equal(set.speech.length, 7);
  assert.equal(set.sounds.length, 16);
  assert.deepEqual(set.vad, []);
  const dog = set.sounds.find((s) => s.file === 'dog.ogg');
  assert.ok(dog?.accepted.includes('Bark'));
  assert.ok(set.speech.find((s) => s.file === 'jfk.wav')?.transcript.startsWith('And so my fellow Americans'));
  const { dir, cleanup } = tempDir();
  try {
    assert.throws(() => loadEvalSet(dir), /speech\/transcripts\.tsv/);
  } finally {
    cleanup();
  }
});

test('runEval with real VAD and speech engines over a small labelled directory, and its table', async () => {
  const { dir, cleanup } = tempDir();
  const vad = await createSileroVad();
  try {
    mkdirSync(path.join(dir, 'speech'));
    for (const f of ['jfk.wav', 'sense_and_sensibility_01_austen_64kb-0880.wav'])
      symlinkSync(path.join(SPEECH_DIR, f), path.join(dir, 'speech', f));
    writeFileSync(
      path.join(dir, 'speech', 'transcripts.tsv'),
      'file\ttranscript\n' +
        'jfk.wav\tAnd so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.\n' +
        'sense_and_sensibility_01_austen_64kb-0880.wav\the was not an ill disposed young man\nmissing.wav\tnothing here\n',
    );
    const speech = pocketsphinxAvailable() ? await createPocketSphinx() : undefined;
    const result = await runEval(dir, { vad, speech }, async (p) => soxDecode(p));
    assert.equal(result.vad?.reference, 'synthetic-energy');
    assert.equal(result.vad?.rows.filter((r) => !r.error).length, 2);
    assert.ok(result.vad!.total.accuracy > 0.8, `VAD accuracy ${result.vad!.total.accuracy}`);
    assert.ok(result.vad!.total.recall > 0.9);
    assert.ok(result.vad!.total.xRealtime > 10);
    assert.ok(result.vad!.rows.find((r) => r.file === 'missing.wav')?.error, 'undecodable file becomes an error row');
    if (speech) {
      const rows = result.speech!.rows;
      assert.equal(rows.length, 3);
      assert.ok(rows[2].error && rows[2].wer === 1);
      assert.ok(rows[0].wer < 0.8 && rows[0].hypothesis.includes('country'));
      assert.ok(result.speech!.total.refWords === 22 + 8 + 2);
    }
    const table = formatEvalTable(result);
    assert.match(table, /## VAD \(silero/);
    assert.match(table, /\| \*\*total\*\* \|/);
    if (speech) assert.match(table, /## Speech \(pocketsphinx\)[\s\S]*jfk\.wav \| \d+\.\d%/);
  } finally {
    await vad.close();
    cleanup();
  }
});
