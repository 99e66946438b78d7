// The once-per-file pipeline with the real engines (Silero VAD, YAMNet, PocketSphinx) on real decoded audio:
// times across blocks and windows land on the file's clock, silence yields no words, long files take the
// streaming two-pass path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { analyzeAudio, cutWindows, type PipelineEngines } from '../../src/analysis/pipeline.js';
import { decodePcm } from '../../src/audio/decode.js';
import { probeAudio } from '../../src/audio/probe.js';
import { loadListeningEngines } from '../../src/engines/registry.js';
import { resolveConfig } from '../../src/config.js';
import { SPEECH_DIR, tempDir } from '../helpers.js';
import { speechAtOffset } from '../fixtures/speech.js';

const tmp = tempDir();
let engines: PipelineEngines;

before(async () => {
  const config = resolveConfig({ offline: true, modelsDir: path.join(tmp.dir, 'models'), engines: { speech: 'pocketsphinx' } });
  engines = await loadListeningEngines(config, { info() {}, warn() {} });
  assert.ok(engines.vad && engines.sounds && engines.speech, `engines missing: ${engines.warnings.join('; ')}`);
});

after(async () => {
  await Promise.all([engines.vad?.close?.(), engines.sounds?.close?.(), engines.speech?.close?.()]);
  tmp.cleanup();
});

async function analyze(file: string, blockSec?: number) {
  const probe = await probeAudio(file);
  const stages = new Set<string>();
  const a = await analyzeAudio((range, signal) => decodePcm(file, { ...range, signal }), engines, {
    sha256: 'x'.repeat(64),
    durationSec: probe.durationSec,
    blockSec,
    onProgress: (s) => stages.add(s),
  });
  return { a, stages };
}

test('cutWindows hands each window its exact samples, across chunk edges', async () => {
  const pcm = Float32Array.from({ length: 48_000 }, (_, i) => i);
  async function* chunks() {
    for (let i = 0; i < pcm.length; i += 7_000) yield pcm.subarray(i, i + 7_000);
  }
  const windows = [
    { start: 0.25, end: 1 },
    { start: 1.5, end: 2.9 },
  ];
  const out = [];
  for await (const w of cutWindows(chunks(), windows)) out.push(w);
  assert.equal(out.length, 2);
  assert.equal(out[0].pcm.length, 12_000);
  assert.equal(out[0].pcm[0], 4_000);
  assert.equal(out[1].pcm[0], 24_000);
  assert.equal(out[1].pcm[out[1].pcm.length - 1], 46_399);
});

test('jfk.wav: speech regions cover the speech, words include "country", sounds and loudness recorded', async () => {
  const { a, stages } = await analyze(path.join(SPEECH_DIR, 'jfk.wav'));
  assert.ok(Math.abs(a.durationSec - 11) < 0.01);
  const speech = a.speechRegions.reduce((s, r) => s + r.end - r.start, 0);
  assert.ok(speech > 6 && speech < 11, `speech ${speech}s`);
  assert.ok(a.speechRegions[0].start < 1.0);
  const words = a.segments.flatMap((s) => s.words.map((w) => w.text));
  assert.ok(words.includes('country'), words.join(' '));
  assert.ok(a.soundEvents.some((e) => /Speech/.test(e.label)));
  assert.ok(a.loudnessDb < 0 && a.loudnessDb > -40);
  assert.deepEqual(a.engines, { vad: engines.vad!.name, sounds: engines.sounds!.name, speech: 'pocketsphinx' });
  assert.ok(stages.has('listening') && stages.has('transcribing'));
});

test('a long file takes the streaming path: a sentence after minutes of silence keeps its time, silence has no words', async () => {
  const sentence = speechAtOffset(tmp.dir, 'late', 'Please remember to water the plants on Friday', 0.5, 0.5);
  const long = path.join(tmp.dir, 'long.flac');
  // 620 s of silence, the sentence, 10 s of silence: longer than the in-memory limit (600 s), several 120 s blocks
  execFileSync('sox', [sentence, long, 'pad', '620', '10']);
  const { a } = await analyze(long, 120);
  assert.ok(a.durationSec > 630);
  assert.equal(a.speechRegions.length, 1, JSON.stringify(a.speechRegions));
  const r = a.speechRegions[0];
  assert.ok(Math.abs(r.start - 620.5) < 0.3, `speech found at ${r.start}`);
  const words = a.segments.flatMap((s) => s.words);
  assert.ok(words.length > 0);
  // every word sits inside the sentence's span on the file's clock (a block or window offset error would move it)
  for (const w of words)
    assert.ok(w.start >= r.start - 0.3 && w.end <= r.end + 0.3, `word "${w.text}" at ${w.start}-${w.end}, speech ${r.start}-${r.end}`);
});
