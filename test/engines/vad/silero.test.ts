import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createSileroVad, regionsFromProbabilities, SILERO_WINDOW } from '../../../src/engines/vad/silero.js';
import { energyRegions, vadFrameAccuracy } from '../../../src/eval/vad.js';
import type { SpeechRegion } from '../../../src/domain/analysis.js';
import { SPEECH_DIR } from '../../helpers.js';
import { espeak, placeAt, soxDecode } from '../sox-decode.js';

const vad = await createSileroVad();
test.after(() => vad.close());

function covered(regions: SpeechRegion[], from: number, to: number): number {
  let s = 0;
  for (const r of regions) s += Math.max(0, Math.min(to, r.end) - Math.max(from, r.start));
  return s / (to - from);
}

test('jfk.wav: regions cover the speech from ~0.3 s to ~10.5 s and nothing outside it', async () => {
  const pcm = soxDecode(path.join(SPEECH_DIR, 'jfk.wav'));
  const regions = await vad.detect(pcm);
  assert.ok(regions.length >= 1);
  assert.ok(regions[0].start >= 0.05 && regions[0].start <= 0.5, `first region starts at ${regions[0].start}`);
  const last = regions[regions.length - 1];
  assert.ok(last.end >= 10.2 && last.end <= 11, `last region ends at ${last.end}`);
  assert.ok(covered(regions, 0.3, 10.5) > 0.7, 'most of 0.3–10.5 s is speech');
  for (let i = 1; i < regions.length; i++) assert.ok(regions[i].start >= regions[i - 1].end, 'regions are ordered and disjoint');
  // Against the energy reference of the clean clip: nearly all voiced frames are inside a region.
  const score = vadFrameAccuracy(energyRegions(pcm), regions, pcm.length / 16000);
  assert.ok(score.recall > 0.95, `recall ${score.recall}`);
});

test('pure silence and low white noise give no regions', async () => {
  assert.deepEqual(await vad.detect(new Float32Array(16000 * 10)), []);
  const noise = new Float32Array(16000 * 10);
  let s = 12345;
  for (let i = 0; i < noise.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    noise[i] = (s / 2 ** 32 - 0.5) * 0.02; // about -45 dBFS RMS
  }
  assert.deepEqual(await vad.detect(noise), []);
  assert.deepEqual(await vad.detect(new Float32Array(0)), []);
});

test('an espeak sentence placed at 4.0 s inside 10 s of silence is found at that offset', async () => {
  const clip = espeak('the weather is lovely today and the children are playing in the park');
  const voiced = energyRegions(clip);
  const onset = 4 + voiced[0].start;
  const offset = 4 + voiced[voiced.length - 1].end;
  const regions = await vad.detect(placeAt(clip, 4, 10));
  assert.ok(regions.length >= 1, 'found speech');
  assert.ok(Math.abs(regions[0].start - onset) <= 0.3, `start ${regions[0].start} vs ${onset}`);
  assert.ok(Math.abs(regions[regions.length - 1].end - offset) <= 0.3, `end ${regions[regions.length - 1].end} vs ${offset}`);
});

test('batched chunks agree with the exact sequential run on long audio', async () => {
  const parts = ['jfk.wav', 'sense_and_sensibility_01_austen_64kb-0870.wav', 'sense_and_sensibility_01_austen_64kb-0920.wav'].map((f) =>
    soxDecode(path.join(SPEECH_DIR, f)),
  );
  const long = new Float32Array(parts.reduce((a, p) => a + p.length, 0) * 2);
  let o = 0;
  for (let r = 0; r < 2; r++)
    for (const p of parts) {
      long.set(p, o);
      o += p.length;
    }
  const exact = await createSileroVad({ maxBatch: 1 });
  try {
    const probsExact = await exact.probabilities(long);
    const probsFast = await vad.probabilities(long);
    assert.equal(probsFast.length, Math.ceil(long.length / SILERO_WINDOW));
    let diff = 0;
    for (let i = 0; i < probsExact.length; i++) diff += Math.abs(probsExact[i] - probsFast[i]);
    assert.ok(diff / probsExact.length < 0.02, `mean probability difference ${diff / probsExact.length}`);
    const agreement = vadFrameAccuracy(await exact.detect(long), await vad.detect(long), long.length / 16000);
    assert.ok(agreement.accuracy > 0.97, `frame agreement ${agreement.accuracy}`);
  } finally {
    await exact.close();
  }
});

test('regionsFromProbabilities: hysteresis, minimum speech, minimum silence, padding', () => {
  const w = SILERO_WINDOW / 16000; // 32 ms per window
  const probs = (pattern: number[]) => Float32Array.from(pattern);
  const total = (n: number) => n * SILERO_WINDOW;
  // 20 windows speech, dip to 0.4 (between thresholds) for 10 windows, 20 windows speech: one region.
  const p1 = probs([...Array(10).fill(0), ...Array(20).fill(0.9), ...Array(10).fill(0.4), ...Array(20).fill(0.9), ...Array(10).fill(0)]);
  const r1 = regionsFromProbabilities(p1, total(70), { speechPadMs: 0 });
  assert.deepEqual(r1, [{ start: +(10 * w).toFixed(3), end: +(60 * w).toFixed(3) }]);
  // Same with a real dip (0.1) of 10 windows = 320 ms ≥ 200 ms: two regions.
  const p2 = probs([...Array(10).fill(0), ...Array(20).fill(0.9), ...Array(10).fill(0.1), ...Array(20).fill(0.9), ...Array(10).fill(0)]);
  assert.equal(regionsFromProbabilities(p2, total(70), { speechPadMs: 0 }).length, 2);
  // A dip of 4 windows (128 ms) < 200 ms keeps one region.
  const p3 = probs([...Array(10).fill(0), ...Array(20).fill(0.9), ...Array(4).fill(0.1), ...Array(20).fill(0.9), ...Array(10).fill(0)]);
  assert.equal(regionsFromProbabilities(p3, total(64), { speechPadMs: 0 }).length, 1);
  // 5 windows (160 ms) of speech is below 250 ms: dropped.
  const p4 = probs([...Array(10).fill(0), ...Array(5).fill(0.9), ...Array(20).fill(0)]);
  assert.deepEqual(regionsFromProbabilities(p4, total(35)), []);
  // Padding 100 ms each side, clamped at 0 and at the end of the audio.
  const p5 = probs([...Array(20).fill(0.9), ...Array(20).fill(0)]);
  const r5 = regionsFromProbabilities(p5, total(40));
  assert.equal(r5[0].start, 0);
  assert.ok(Math.abs(r5[0].end - (20 * w + 0.1)) < 0.002);
  const p6 = probs([...Array(20).fill(0), ...Array(20).fill(0.9)]);
  const r6 = regionsFromProbabilities(p6, total(40));
  assert.ok(Math.abs(r6[0].start - (20 * w - 0.1)) < 0.002);
  assert.equal(r6[0].end, +(40 * w).toFixed(3));
});
