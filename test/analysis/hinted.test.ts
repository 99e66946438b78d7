// Hinted analyses (src/analysis/hinted.ts): the base analysis' speech re-run with a request's hints and nothing else.
// Real parts: Silero VAD, whisper-tiny.en (real weights; the CPU-built addon the server would take) on espeak-ng
// speech decoded by ffmpeg. The engines are wrapped only to COUNT calls and record the options they were given
// (every call still goes to the real engine). Plus the pure mapping of translated text onto transcript segments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { analyzeAudio, type PipelineEngines } from '../../src/analysis/pipeline.js';
import { analyzeWithHints, mapTranslations } from '../../src/analysis/hinted.js';
import { decodePcm } from '../../src/audio/decode.js';
import { createWhisper, type WhisperEngine } from '../../src/engines/speech/whisper.js';
import { createSileroVad } from '../../src/engines/vad/silero.js';
import { planWindows } from '../../src/engines/vad/windows.js';
import type { SpeechEngine, TranscribeOptions, VadEngine } from '../../src/engines/types.js';
import type { TranscriptSegment } from '../../src/domain/analysis.js';
import { tempDir } from '../helpers.js';
import { testModel, whisperAddon } from '../models/paths.js';

const seg = (start: number, end: number, text: string, extra: Partial<TranscriptSegment> = {}): TranscriptSegment => ({
  start,
  end,
  text,
  words: [],
  ...extra,
});

test('translations land on the segments they overlap most; a translated window leaves none silently missing', () => {
  const segments = [seg(0, 2, 'Hola a todos.'), seg(2.2, 5, 'El tren llega a las ocho.'), seg(10, 12, 'Gracias.'), seg(20, 22, 'Adiós.')];
  const windows = [
    // one window, translated in two pieces that do not match the transcript's cut
    { start: 0, end: 6, translated: [seg(0.1, 1.5, 'Hello everyone.'), seg(1.9, 4.8, 'The train arrives at eight.')] },
    // a window whose translation is one segment for two of the transcript's... (here one) and drifts outside it
    { start: 9.5, end: 12.5, translated: [seg(12.6, 13, 'Thank you.')] },
    // a window the translate task gave nothing for
    { start: 19.5, end: 22.5, translated: [] },
  ];
  const out = mapTranslations(segments, windows);
  assert.deepEqual(
    out.map((s) => s.translation),
    ['Hello everyone.', 'The train arrives at eight.', 'Thank you.', undefined],
  );
  assert.deepEqual(
    out.map((s) => s.text),
    segments.map((s) => s.text),
    'the transcript itself is kept',
  );
  // two translated pieces in one segment are joined in order; a segment given nothing gets '' (its words are in a neighbour's)
  const merged = mapTranslations(
    [seg(0, 3, 'Uno dos tres.'), seg(3, 3.3, 'eh')],
    [{ start: 0, end: 4, translated: [seg(0, 1.4, 'One two'), seg(1.5, 2.9, 'three.')] }],
  );
  assert.deepEqual(
    merged.map((s) => s.translation),
    ['One two three.', ''],
  );
});

const NATIVE = whisperAddon();
const tmp = tempDir('earshot-hinted-');
let whisper: WhisperEngine;
let vad: VadEngine;
let file: string;

before(async () => {
  whisper = await createWhisper({ modelPath: testModel('whisper-tiny.en'), nativeAddon: NATIVE });
  vad = await createSileroVad();
  const said = path.join(tmp.dir, 'said.wav');
  file = path.join(tmp.dir, 'clip.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '140', '-w', said, 'My colleague Aurelio Quaglieri arrives tomorrow from Milan.']);
  execFileSync('sox', [said, '-r', '16000', '-c', '1', file, 'pad', '1.5', '1.5']);
});
after(async () => {
  await whisper?.close();
  await vad?.close?.();
  tmp.cleanup();
});

test('a hinted analysis re-runs only the speech, once per window, with the hints the engine can use', async (t) => {
  const speechCalls: TranscribeOptions[] = [];
  let vadCalls = 0;
  const speech: SpeechEngine = {
    name: whisper.name,
    languageIdentification: whisper.languageIdentification,
    translation: whisper.translation,
    vocabulary: whisper.vocabulary,
    transcribe(pcm, options) {
      speechCalls.push(options ?? {});
      return whisper.transcribe(pcm, options);
    },
  };
  const countedVad: VadEngine = {
    name: vad.name,
    detect(pcm) {
      vadCalls++;
      return vad.detect(pcm);
    },
  };
  const engines: PipelineEngines = { vad: countedVad, speech, names: { vad: 'silero', speech: 'whisper:tiny.en' }, warnings: [] };
  const decode = (range?: { start?: number; end?: number }, signal?: AbortSignal) => decodePcm(file, { ...range, signal });

  const t0 = performance.now();
  const base = await analyzeAudio(decode, engines, { sha256: 'a'.repeat(64), durationSec: 6 });
  const baseMs = performance.now() - t0;
  const windows = planWindows(base.speechRegions, { maxWindowSec: 30 });
  assert.ok(vadCalls >= 1 && speechCalls.length === windows.length && windows.length >= 1);
  assert.equal(base.hints, undefined, 'the base analysis is made without hints');
  [vadCalls, speechCalls.length] = [0, 0];

  // tiny.en takes vocabulary but cannot be told a language: the language is dropped, the vocabulary used
  const t1 = performance.now();
  const hinted = await analyzeWithHints(decode, engines, base, { hints: { vocabulary: ['Aurelio Quaglieri'], languageCodes: ['it'] } });
  const hintedMs = performance.now() - t1;
  t.diagnostic(
    `base analysis ${baseMs.toFixed(0)} ms, hinted re-run ${hintedMs.toFixed(0)} ms; hinted text: ${hinted.segments.map((s) => s.text).join(' ')}`,
  );
  assert.equal(vadCalls, 0, 'VAD did not run again');
  assert.equal(speechCalls.length, windows.length, 'the recogniser ran once per window');
  for (const o of speechCalls) {
    assert.deepEqual(o.vocabulary, ['Aurelio Quaglieri']);
    assert.equal(o.languageCodes, undefined, 'a hint the engine cannot use never reaches it');
  }
  assert.deepEqual(hinted.hints, { vocabulary: ['Aurelio Quaglieri'] });
  assert.deepEqual(hinted.speechRegions, base.speechRegions);
  assert.equal(hinted.loudnessDb, base.loudnessDb);
  assert.ok(hinted.segments.length > 0 && hinted.segments.every((s) => s.start >= 1 && s.end <= 6), 'times on the file clock');

  // nothing usable (translation and languages on an English-only model): no decoding, no recogniser, the base transcript
  speechCalls.length = 0;
  const none = await analyzeWithHints(
    () => {
      throw new Error('decoded although nothing was to be re-run');
    },
    engines,
    base,
    { hints: { translate: true, languageCodes: ['es'] } },
  );
  assert.equal(speechCalls.length, 0);
  assert.deepEqual(none.segments, base.segments);
  assert.deepEqual(none.hints, {});
});
