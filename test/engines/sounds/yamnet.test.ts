// The YAMNet engine end to end on the shared clips: scores match the independent reference within
// 0.01, events come out of real sirens and not out of silence, the clips are recognised, and the
// converted model is cached by sha256.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { meanScores, parseClassMap, topK } from '../../../src/engines/sounds/scores.js';
import { YAMNET_CLASSES } from '../../../src/engines/sounds/yamnet-classes.js';
import { soundLabels, yamnetPath } from '../../../src/engines/registry.js';
import { resolveConfig } from '../../../src/config/resolve.js';
import { createYamnet, frameStarts, verifyYamnet, YAMNET_SHA256, type YamnetEngine } from '../../../src/engines/sounds/yamnet.js';
import { SOUNDS_DIR, tempDir, YAMNET_DIR } from '../../helpers.js';
import { soxDecode16k } from './sox.js';

interface RefClip {
  frames: number;
  meanScoresTop10: [string, number][];
  firstFrameTop5: [string, number][];
}
const reference: Record<string, RefClip> = JSON.parse(readFileSync(path.join(YAMNET_DIR, 'reference-scores.json'), 'utf8'));
const modelPath = path.join(YAMNET_DIR, 'yamnet.tflite');
const labelsPath = path.join(YAMNET_DIR, 'yamnet_class_map.csv');

const cache = tempDir('earshot-yamnet-');
let engine: YamnetEngine;
const pcm = new Map<string, Float32Array>();

before(async () => {
  engine = await createYamnet({ modelPath, labelsPath, cacheDir: cache.dir, threads: 2 });
  for (const clip of Object.keys(reference)) pcm.set(clip, soxDecode16k(path.join(SOUNDS_DIR, clip)));
});

after(async () => {
  await engine?.close();
  cache.cleanup();
});

test('all 16 clips: mean top-10 over non-overlapping frames and first-frame top-5 match the reference within 0.01', async () => {
  const clips = readdirSync(SOUNDS_DIR).filter((f) => f.endsWith('.ogg'));
  assert.equal(clips.length, 16);
  assert.deepEqual(clips.sort(), Object.keys(reference).sort());
  for (const clip of clips) {
    const ref = reference[clip];
    const frames = await engine.classify(pcm.get(clip)!, { hopSeconds: 0.975, lastFrame: 'drop' });
    assert.equal(frames.length, ref.frames, `${clip}: frame count`);
    const mean = meanScores(frames);
    for (const [label, score] of ref.meanScoresTop10) {
      const got = mean[engine.labels.indexOf(label)];
      assert.ok(Math.abs(got - score) <= 0.01, `${clip} mean "${label}": ${got.toFixed(4)} vs reference ${score}`);
    }
    for (const [label, score] of ref.firstFrameTop5) {
      const got = frames[0].scores[engine.labels.indexOf(label)];
      assert.ok(Math.abs(got - score) <= 0.01, `${clip} first frame "${label}": ${got.toFixed(4)} vs reference ${score}`);
    }
    // the same classes come out on top
    const top = topK(frames[0].scores, engine.labels, 5).map((s) => s.label);
    assert.ok(top.includes(ref.firstFrameTop5[0][0]), `${clip}: reference top class missing from our top 5 (${top.join(', ')})`);
  }
});

test('top-5 recognition against labels.tsv: at least 12 of 16 clips', async () => {
  const rows = readFileSync(path.join(SOUNDS_DIR, 'labels.tsv'), 'utf8').trim().split('\n').slice(1);
  let hits = 0;
  const misses: string[] = [];
  for (const row of rows) {
    const [file, , accepted] = row.split('\t');
    const ok = new Set(accepted.split('|'));
    const frames = await engine.classify(pcm.get(file)!);
    const top = topK(meanScores(frames), engine.labels, 5).map((s) => s.label);
    if (top.some((l) => ok.has(l))) hits++;
    else misses.push(`${file}: ${top.join(', ')}`);
  }
  assert.equal(rows.length, 16);
  assert.ok(hits >= 12, `only ${hits}/16 recognised; misses:\n${misses.join('\n')}`);
});

test('the fire truck yields a siren-family event inside the clip', async () => {
  const audio = pcm.get('firetruck.ogg')!;
  const frames = await engine.classify(audio);
  // native hop: 0.48 s between frame starts
  assert.ok(Math.abs(frames[1].start - 0.48) < 1e-9);
  const events = engine.events(frames);
  const sirens = events.filter((e) => /siren|emergency vehicle|fire engine/i.test(e.label));
  assert.ok(sirens.length > 0, `no siren event; got ${events.map((e) => e.label).join(', ')}`);
  const duration = audio.length / 16000;
  for (const e of events) {
    assert.ok(e.start >= 0 && e.end <= duration + 1e-9 && e.start < e.end, `${e.label} ${e.start}-${e.end}`);
    assert.ok(e.score >= 0.25 && e.score <= 1);
  }
  assert.ok(
    sirens.some((e) => e.end - e.start > 3),
    'the siren lasts most of the clip',
  );
});

test('silence yields no events other than "Silence"', async () => {
  const frames = await engine.classify(new Float32Array(16000 * 3));
  assert.equal(frames.length, frameStarts(48000, 7680).length);
  const events = engine.events(frames);
  assert.deepEqual(
    events.filter((e) => e.label !== 'Silence'),
    [],
  );
});

test('empty audio gives no frames; short audio gives one padded frame', async () => {
  assert.deepEqual(await engine.classify(new Float32Array(0)), []);
  const short = await engine.classify(pcm.get('dog.ogg')!.subarray(0, 4000));
  assert.equal(short.length, 1);
  assert.equal(short[0].end, 0.25);
});

test('the converted model is cached by sha256; the second load converts nothing', async () => {
  assert.equal(engine.modelSha256, YAMNET_SHA256);
  assert.ok(readdirSync(cache.dir).some((f) => f.startsWith(`yamnet-${YAMNET_SHA256.slice(0, 32)}`) && f.endsWith('.onnx')));
  const again = await createYamnet({ modelPath, labelsPath, cacheDir: cache.dir, threads: 1 });
  try {
    assert.equal(again.fromCache, true);
    const clip = pcm.get('cow.ogg')!;
    const [a] = await again.classify(clip);
    const [b] = await engine.classify(clip);
    for (let i = 0; i < a.scores.length; i++) assert.ok(Math.abs(a.scores[i] - b.scores[i]) < 1e-5);
  } finally {
    await again.close();
  }
  assert.deepEqual(await verifyYamnet(modelPath), { ok: true, sha256: YAMNET_SHA256 });
});

test('a missing model file gives an error that says what to do', async () => {
  const missing = path.join(cache.dir, 'nope.tflite');
  assert.equal(existsSync(missing), false);
  await assert.rejects(createYamnet({ modelPath: missing, labelsPath }), /not found at .*download YAMNet/);
});

test('the class names shipped with Earshot are the class map beside the model, in order', async () => {
  const fromCsv = parseClassMap(readFileSync(labelsPath, 'utf8'));
  assert.equal(YAMNET_CLASSES.length, 521);
  assert.deepEqual([...YAMNET_CLASSES], fromCsv);
  const shipped = await createYamnet({ modelPath, cacheDir: cache.dir, threads: 1 });
  try {
    assert.deepEqual([...shipped.labels], fromCsv);
  } finally {
    await shipped.close();
  }
});

test('a model pulled into the models dir is found there first, and needs no class map beside it', () => {
  const models = tempDir('earshot-yamnet-models-');
  try {
    const config = resolveConfig({ modelsDir: models.dir }, {});
    assert.notEqual(yamnetPath(config), path.join(models.dir, 'yamnet.tflite'));
    symlinkSync(modelPath, path.join(models.dir, 'yamnet.tflite'));
    assert.equal(yamnetPath(config), path.join(models.dir, 'yamnet.tflite'));
    assert.equal(soundLabels(config).length, 521);
    assert.deepEqual(soundLabels(resolveConfig({ modelsDir: models.dir, engines: { sounds: 'none' } }, {})), []);
  } finally {
    models.cleanup();
  }
});
