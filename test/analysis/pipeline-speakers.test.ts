// Diarization inside the once-per-file pipeline, on real engines (Silero VAD, PocketSphinx, Resemblyzer's real
// weights): a conversation of two voices yields two speakers, every word carries the speaker of its turn, and
// without a speaker model the analysis says so instead of guessing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { analyzeAudio } from '../../src/analysis/pipeline.js';
import { loadListeningEngines } from '../../src/engines/registry.js';
import { resolveConfig } from '../../src/config.js';
import { diarizationErrorRate } from '../../src/eval/diarization.js';
import { diarizationEngines } from '../engines/speakers/listening-engines.js';
import { tempDir } from '../helpers.js';
import { conversation } from '../engines/speakers/conversation.js';
import { jfkEveryMinute } from '../engines/speakers/real-voices.js';

const tmp = tempDir();
const engines = diarizationEngines();
after(() => tmp.cleanup());

async function* once(pcm: Float32Array) {
  yield pcm;
}

test('two voices: two speakers, labelled in order, words carry their turn’s speaker', async () => {
  const c = conversation(2);
  const a = await analyzeAudio(() => once(c.pcm), engines(), { sha256: 'x'.repeat(64), durationSec: c.pcm.length / 16000 });
  assert.ok(a.speakers, 'the analysis has speaker turns');
  const der = diarizationErrorRate(c.turns, a.speakers);
  assert.equal(der.hypothesisSpeakers, 2);
  assert.ok(der.der <= 0.1, `DER ${der.der}`);
  assert.equal(a.engines.speakers, 'resemblyzer-ge2e');
  // each word's speaker is the hypothesis speaker mapped to the reference turn it sits in
  const words = a.segments.flatMap((s) => s.words);
  assert.ok(words.length > 20, `words heard: ${words.length}`);
  const refOf = (t: number) => c.turns.find((r) => r.start - 0.3 <= t && t <= r.end + 0.3)?.speaker;
  const pairs = new Map<string, Map<string, number>>();
  for (const w of words) {
    assert.ok(w.speaker, `word "${w.text}" at ${w.start} has a speaker`);
    const ref = refOf((w.start + w.end) / 2);
    if (!ref) continue;
    const m = pairs.get(w.speaker) ?? new Map<string, number>();
    m.set(ref, (m.get(ref) ?? 0) + 1);
    pairs.set(w.speaker, m);
  }
  for (const [spk, refs] of pairs) {
    const total = [...refs.values()].reduce((x, y) => x + y, 0);
    const top = Math.max(...refs.values());
    assert.ok(top / total >= 0.9, `${spk}: ${JSON.stringify([...refs])}`);
  }
  // segments never mix speakers
  for (const s of a.segments) for (const w of s.words) assert.equal(w.speaker, s.speaker);
});

test('one man repeated every minute stays one speaker through the pipeline, every word his', async () => {
  const rec = jfkEveryMinute(3);
  const a = await analyzeAudio(() => once(rec.pcm), engines(), { sha256: 'z'.repeat(64), durationSec: rec.pcm.length / 16000 });
  assert.ok(a.speakers && a.speakers.length > 0, 'the analysis has speaker turns');
  assert.deepEqual([...new Set(a.speakers.map((t) => t.speaker))], ['spk_1'], JSON.stringify(a.speakers));
  const words = a.segments.flatMap((s) => s.words);
  assert.ok(words.length > 30, `words heard: ${words.length}`);
  assert.ok(words.every((w) => w.speaker === 'spk_1'));
});

test('without a speaker model: no speaker field, and a warning that says what to install', async () => {
  const config = resolveConfig({ offline: true, modelsDir: path.join(tmp.dir, 'empty'), engines: { speech: 'none', sounds: 'none' } });
  const bare = await loadListeningEngines(config, { info() {}, warn() {} });
  try {
    assert.equal(bare.speakers, undefined);
    assert.ok(
      bare.warnings.some((w) => /earshot models pull resemblyzer/.test(w)),
      bare.warnings.join('; '),
    );
    const c = conversation(2, 2);
    const a = await analyzeAudio(() => once(c.pcm), bare, { sha256: 'y'.repeat(64), durationSec: c.pcm.length / 16000 });
    assert.equal(a.speakers, undefined);
    assert.ok(a.warnings.some((w) => /Speakers were not told apart/.test(w)));
  } finally {
    await bare.vad?.close?.();
  }
});
