// Overlapping speech is two people, not three: two espeak-ng voices talking over each other at three turn
// changes, and JFK and the LibriVox reader overlapping by 1.5 s at two, mixed by `sox -m`, through the real
// pipeline (Silero VAD, PocketSphinx, Resemblyzer's real weights). Exactly two speakers are found; outside the
// overlaps every turn is right (DER ≤ 10 %, 0.25 s collar, the overlap spans taken out of both reference and
// hypothesis, so they are scored for neither); and every word inside an overlap carries one of the two speakers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignSpeakers, type EmbeddedWindow } from '../../../src/engines/speakers/diarize.js';
import { analyzeAudio } from '../../../src/analysis/pipeline.js';
import { diarizationErrorRate, type LabelledSpan } from '../../../src/eval/diarization.js';
import { diarizationEngines } from './listening-engines.js';
import { espeakOverlap, jfkReaderOverlap, type OverlapRecording } from './overlap.js';

const engines = diarizationEngines();

/** `spans` with the `holes` cut out of them. */
function without<T extends { start: number; end: number }>(spans: T[], holes: { start: number; end: number }[]): T[] {
  let out = spans;
  for (const h of holes)
    out = out.flatMap((s) => {
      if (h.end <= s.start || h.start >= s.end) return [s];
      const parts: T[] = [];
      if (h.start > s.start) parts.push({ ...s, end: h.start });
      if (h.end < s.end) parts.push({ ...s, start: h.end });
      return parts;
    });
  return out;
}

async function* once(pcm: Float32Array) {
  yield pcm;
}

async function check(rec: OverlapRecording, sha: string) {
  const overlapSec = rec.overlaps.reduce((s, o) => s + o.end - o.start, 0);
  const a = await analyzeAudio(() => once(rec.pcm), engines(), { sha256: sha.repeat(64), durationSec: rec.pcm.length / 16000 });
  const turns: LabelledSpan[] = a.speakers ?? [];
  const summary = JSON.stringify(turns.map((t) => [t.start, t.end, t.speaker]));
  // never a third "overlap" speaker
  assert.deepEqual([...new Set(turns.map((t) => t.speaker))].sort(), ['spk_1', 'spk_2'], summary);
  // the turns outside the overlaps are right
  const der = diarizationErrorRate(without(rec.turns, rec.overlaps), without(turns, rec.overlaps));
  assert.equal(der.referenceSpeakers, 2);
  assert.ok(der.der <= 0.1, `DER ${(der.der * 100).toFixed(1)} % outside ${overlapSec.toFixed(1)} s of overlap: ${summary}`);
  // the words spoken while both talk belong to one of the two, and the first voice heard is spk_1
  const words = a.segments.flatMap((s) => s.words);
  const inside = words.filter((w) => rec.overlaps.some((o) => o.start <= (w.start + w.end) / 2 && (w.start + w.end) / 2 <= o.end));
  assert.ok(inside.length >= rec.overlaps.length, `${inside.length} words heard inside the overlaps`);
  for (const w of inside) assert.ok(w.speaker === 'spk_1' || w.speaker === 'spk_2', `"${w.text}" at ${w.start}: ${w.speaker}`);
  assert.equal(turns[0]?.speaker, 'spk_1');
  return `DER ${(der.der * 100).toFixed(1)} % over ${der.scored.toFixed(1)} s (confusion ${der.confusion.toFixed(2)} s), ${overlapSec.toFixed(1)} s of overlap unscored, ${inside.length} words inside it`;
}

test('two espeak-ng voices overlapping by 1–2 s at three turn changes are two speakers, turns right', async (t) => {
  const rec = espeakOverlap();
  assert.equal(rec.overlaps.length, 3);
  assert.ok(
    rec.overlaps.every((o) => o.end - o.start >= 0.9 && o.end - o.start <= 2.1),
    JSON.stringify(rec.overlaps),
  );
  t.diagnostic(await check(rec, 'e'));
});

test('JFK and the LibriVox reader overlapping by 1.5 s at two turn changes are two speakers, turns right', async (t) => {
  const rec = jfkReaderOverlap(1.5);
  assert.equal(rec.overlaps.length, 2);
  assert.ok(
    rec.overlaps.every((o) => Math.abs(o.end - o.start - 1.5) < 0.2),
    JSON.stringify(rec.overlaps),
  );
  t.diagnostic(await check(rec, 'j'));
});

// Constructed unit vectors (no audio): the rule itself, apart from what the encoder happens to do.
test('a small cluster between two speakers folds into them; one off their arc, or a count given, stays a third', () => {
  const vec = (angle: number, lift: number) => {
    const v = new Float32Array(256);
    v[0] = Math.cos(lift) * Math.cos(angle);
    v[1] = Math.cos(lift) * Math.sin(angle);
    v[2] = Math.sin(lift);
    return v;
  };
  const ab = Math.acos(0.3); // two voices at cosine 0.3
  const windows = (n: number, from: number, embedding: Float32Array): EmbeddedWindow[] =>
    Array.from({ length: n }, (_, i) => ({ start: from + i * 2, end: from + i * 2 + 1.6, embedding }));
  const speakersOf = (third: Float32Array, options = {}) => {
    const all = [...windows(20, 0, vec(0, 0)), ...windows(20, 40, vec(ab, 0)), ...windows(6, 80, third)];
    return new Set(assignSpeakers(all, all, options).map((t) => t.speaker)).size;
  };
  // halfway between them and lifted off their plane to cosine 0.8 from the arc (0.64 from each voice)
  const blend = vec(ab / 2, Math.acos(0.8));
  assert.equal(speakersOf(blend), 2);
  assert.equal(speakersOf(blend, { numSpeakers: 3 }), 3);
  assert.equal(speakersOf(blend, { minSpeakers: 3 }), 3);
  // the same direction, but at cosine 0.6 from the arc: a voice of its own
  assert.equal(speakersOf(vec(ab / 2, Math.acos(0.6))), 3);
});
