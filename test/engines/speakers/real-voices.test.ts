// Diarization never invents a speaker on real voices (Silero VAD, Resemblyzer's real weights): one man's clip
// repeated every minute is one speaker, one LibriVox reader is one speaker, and JFK taking turns with that
// reader is exactly two, with the turns right (DER ≤ 10 %).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSileroVad } from '../../../src/engines/vad/silero.js';
import { loadResemblyzer } from '../../../src/engines/speakers/resemblyzer.js';
import { assignSpeakers, embedRegions, type EmbeddedWindow } from '../../../src/engines/speakers/diarize.js';
import { diarizationErrorRate } from '../../../src/eval/diarization.js';
import { testModel } from '../../models/paths.js';
import { jfkAndReader, jfkEveryMinute, oneReader, type RealRecording } from './real-voices.js';

const vad = await createSileroVad();
const encoder = await loadResemblyzer({ modelPath: testModel('resemblyzer') });
test.after(async () => {
  await vad.close();
  await encoder.close();
});

async function diarize(rec: RealRecording) {
  const regions = await vad.detect(rec.pcm);
  const windows = await embedRegions(encoder, rec.pcm, 0, regions, 16000);
  const turns = assignSpeakers(windows, regions);
  const seconds = new Map<string, number>();
  for (const t of turns) seconds.set(t.speaker, (seconds.get(t.speaker) ?? 0) + t.end - t.start);
  return { turns, windows, der: diarizationErrorRate(rec.turns, turns), summary: JSON.stringify([...seconds]) };
}

test('jfk.wav at the start of every minute for 12 minutes is one speaker', async () => {
  const { turns, windows, der, summary } = await diarize(jfkEveryMinute(12));
  // the recording holds the short region ("ask not", 1.3 s) whose window embeds far from the rest of his voice
  assert.ok(
    windows.some((w) => w.partial),
    'a region shorter than the encoder window is heard',
  );
  assert.equal(der.hypothesisSpeakers, 1, summary);
  assert.ok(turns.reduce((s, t) => s + t.end - t.start, 0) > 90, summary);
  assert.ok(der.der <= 0.1, `DER ${(der.der * 100).toFixed(1)} %`);
});

test('the five LibriVox clips (one reader), twice over, are one speaker', async () => {
  const { der, summary } = await diarize(oneReader(2));
  assert.equal(der.hypothesisSpeakers, 1, summary);
  assert.ok(der.der <= 0.1, `DER ${(der.der * 100).toFixed(1)} %`);
});

test('JFK and the LibriVox reader taking turns are exactly two speakers, turns right (DER ≤ 10 %)', async () => {
  const rec = jfkAndReader();
  const { turns, der, summary } = await diarize(rec);
  assert.equal(der.referenceSpeakers, 2);
  assert.equal(der.hypothesisSpeakers, 2, summary);
  assert.ok(der.der <= 0.1, `DER ${(der.der * 100).toFixed(1)} % (confusion ${der.confusion.toFixed(2)} s)`);
  assert.ok(der.scored > 40, `${der.scored} s scored`);
  // the first voice heard (JFK) is spk_1
  assert.equal(turns[0]?.speaker, 'spk_1');
});

// Constructed unit vectors (no audio): the rule itself, where real audio cannot isolate it.
test('short-region windows never found a speaker, but join the nearest one; alone they still vote', () => {
  const unit = (angle: number) => {
    const v = new Float32Array(256);
    v[0] = Math.cos(angle);
    v[1] = Math.sin(angle);
    return v;
  };
  const whole: EmbeddedWindow[] = Array.from({ length: 20 }, (_, i) => ({
    start: i * 2,
    end: i * 2 + 1.6,
    embedding: unit(0.01 * (i % 3)),
  }));
  // ten identical short windows far (cos 0.5) from the voice: a cluster of a third of the speech
  const short: EmbeddedWindow[] = Array.from({ length: 10 }, (_, i) => ({
    start: 41 + i * 2,
    end: 42,
    embedding: unit(Math.PI / 3),
    partial: true,
  }));
  const regions = [...whole, ...short].map((w) => ({ start: w.start, end: w.end }));
  assert.equal(new Set(assignSpeakers([...whole, ...short], regions).map((t) => t.speaker)).size, 1);
  // the same windows, whole, are a second speaker
  const unflagged = short.map((w) => ({ ...w, partial: undefined }));
  assert.equal(new Set(assignSpeakers([...whole, ...unflagged], regions).map((t) => t.speaker)).size, 2);
  // a file of short regions only: they decide the speakers between them
  const onlyShort = [...whole.slice(0, 10), ...short].map((w) => ({ ...w, partial: true }));
  assert.equal(
    new Set(
      assignSpeakers(
        onlyShort,
        onlyShort.map((w) => ({ start: w.start, end: w.end })),
      ).map((t) => t.speaker),
    ).size,
    2,
  );
});
