import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSileroVad } from '../../../src/engines/vad/silero.js';
import { loadResemblyzer } from '../../../src/engines/speakers/resemblyzer.js';
import { assignSpeakers, embedRegions, speakerAt } from '../../../src/engines/speakers/diarize.js';
import { readLegacyCheckpoint } from '../../../src/engines/speakers/torch-checkpoint.js';
import { melFilterbank } from '../../../src/engines/speakers/ge2e-graph.js';
import { cosine } from '../../../src/engines/speakers/cluster.js';
import { diarizationErrorRate } from '../../../src/eval/diarization.js';
import { SPEECH_DIR, tempDir } from '../../helpers.js';
import { testModel } from '../../models/paths.js';
import { espeak, soxDecode } from '../sox-decode.js';
import { conversation, VOICES } from './conversation.js';

// Real weights: Resemblyzer's pretrained.pt from its authors' PyPI wheel (checksum verified by npm run test-models).
const modelPath = testModel('resemblyzer');
const vad = await createSileroVad();
const encoder = await loadResemblyzer({ modelPath });
test.after(async () => {
  await vad.close();
  await encoder.close();
});

async function diarize(pcm: Float32Array, options = {}) {
  const regions = await vad.detect(pcm);
  const windows = await embedRegions(encoder, pcm, 0, regions, 16000);
  return assignSpeakers(windows, regions, options);
}

test('the checkpoint reader yields every GE2E tensor with its shape', () => {
  const state = readLegacyCheckpoint(readFileSync(modelPath));
  assert.deepEqual(state.get('lstm.weight_ih_l0')?.shape, [1024, 40]);
  assert.deepEqual(state.get('lstm.weight_hh_l2')?.shape, [1024, 256]);
  assert.deepEqual(state.get('linear.weight')?.shape, [256, 256]);
  assert.equal(state.size, 16);
  // a cut-off file is refused, not half-read
  const { dir, cleanup } = tempDir();
  try {
    const cut = path.join(dir, 'cut.pt');
    writeFileSync(cut, readFileSync(modelPath).subarray(0, 1_000_000));
    assert.throws(() => readLegacyCheckpoint(readFileSync(cut)));
  } finally {
    cleanup();
  }
});

test('mel filterbank: 40 non-negative triangles with Slaney area normalisation', () => {
  const fb = melFilterbank();
  const bins = 201;
  for (let m = 0; m < 40; m++) {
    let area = 0;
    let peakBin = 0;
    let peak = 0;
    for (let k = 0; k < bins; k++) {
      const w = fb[k * 40 + m] ?? 0;
      assert.ok(w >= 0);
      area += w * 40; // bin width 40 Hz
      if (w > peak) [peak, peakBin] = [w, k];
    }
    if (m > 2) assert.ok(Math.abs(area - 1) < 0.15, `filter ${m} area ${area}`);
    if (m > 0) assert.ok(peakBin > 0);
  }
});

test('embeddings: one voice saying different things is closer than two voices saying the same', async () => {
  const a1 = espeak('Yesterday I went to the market and bought some apples and fresh bread.', VOICES[0]);
  const a2 = espeak('The quick brown fox jumps over the lazy dog near the old red barn.', VOICES[0]);
  const b1 = espeak('Yesterday I went to the market and bought some apples and fresh bread.', VOICES[1]);
  const mean = async (pcm: Float32Array) => {
    const starts: number[] = [];
    for (let s = 0; s + 1.6 <= pcm.length / 16000; s += 0.8) starts.push(s);
    const e = await encoder.embed(pcm, starts);
    const m = new Float32Array(256);
    for (const x of e) for (let i = 0; i < 256; i++) m[i] = (m[i] ?? 0) + (x[i] ?? 0);
    return m;
  };
  const [ea1, ea2, eb1] = [await mean(a1), await mean(a2), await mean(b1)];
  const same = cosine(ea1, ea2);
  const other = cosine(ea1, eb1);
  assert.ok(same > 0.8, `same voice ${same}`);
  assert.ok(other < same - 0.1, `other voice ${other} vs same ${same}`);
});

for (const n of [2, 3, 4]) {
  test(`a conversation of ${n} voices: ${n} speakers found, DER ≤ 10 %`, async () => {
    const c = conversation(n);
    const turns = await diarize(c.pcm);
    const der = diarizationErrorRate(c.turns, turns);
    assert.equal(der.hypothesisSpeakers, n, JSON.stringify(turns));
    assert.ok(der.der <= 0.1, `DER ${(der.der * 100).toFixed(1)} %`);
    // labels in order of first appearance
    assert.equal(turns[0]?.speaker, 'spk_1');
    const order = [...new Set(turns.map((t) => t.speaker))];
    assert.deepEqual(
      order,
      Array.from({ length: n }, (_, i) => `spk_${i + 1}`),
    );
  });
}

test('one real speaker (jfk, LibriVox) is one speaker; silence has no turns', async () => {
  for (const f of ['jfk.wav', 'sense_and_sensibility_01_austen_64kb-0870.wav']) {
    const turns = await diarize(soxDecode(path.join(SPEECH_DIR, f)));
    assert.equal(new Set(turns.map((t) => t.speaker)).size, 1, `${f}: ${JSON.stringify(turns)}`);
  }
  assert.deepEqual(await diarize(new Float32Array(16000 * 5)), []);
});

test('a requested speaker count is honoured, and speakerAt picks the majority speaker', async () => {
  const c = conversation(3);
  const turns = await diarize(c.pcm, { numSpeakers: 2 });
  assert.equal(new Set(turns.map((t) => t.speaker)).size, 2);
  const t0 = turns[0];
  assert.ok(t0);
  assert.equal(speakerAt(turns, t0.start, t0.end), t0.speaker);
  assert.equal(speakerAt(turns, 10_000, 10_001), undefined);
});
