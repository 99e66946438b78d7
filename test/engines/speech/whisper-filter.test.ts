// The pure parts around Whisper's output: dropping what it writes on non-speech, sharpening word starts on the
// audio's onsets, language hints and the vocabulary prompt. Audio here is generated tones and silence with
// onsets known to the sample; the real-model behaviour is in whisper-real*.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropHallucinations, isAnnotation, isSilent } from '../../../src/engines/speech/whisper-filter.js';
import { alignOnsets, energyTrack, onsets, refineWordStarts } from '../../../src/engines/speech/word-onsets.js';
import { planLanguage, toBcp47, toWhisperLanguage } from '../../../src/engines/speech/whisper-languages.js';
import { vocabularyPrompt } from '../../../src/engines/speech/whisper.js';
import { isEarshotError } from '../../../src/domain/errors.js';
import type { TranscriptSegment } from '../../../src/domain/analysis.js';

const SR = 16000;

/** `seconds` of silence with 220 Hz tone bursts at `bursts` ([start, length] in seconds). */
function bursts(seconds: number, list: [number, number][], noise = 0): Float32Array {
  const pcm = new Float32Array(seconds * SR);
  let seed = 1;
  for (let i = 0; i < pcm.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    pcm[i] = noise * ((seed / 2 ** 32) * 2 - 1);
  }
  for (const [at, len] of list)
    for (let i = 0; i < len * SR; i++) pcm[Math.round(at * SR) + i] += 0.3 * Math.sin((2 * Math.PI * 220 * i) / SR);
  return pcm;
}

const seg = (start: number, end: number, text: string): TranscriptSegment => ({
  start,
  end,
  text,
  words: text.split(' ').map((w, i, all) => ({
    text: w,
    start: start + ((end - start) * i) / all.length,
    end: start + ((end - start) * (i + 1)) / all.length,
  })),
});

test('onsets are found at the start of each sound after a pause, to the frame', () => {
  const found = onsets(
    energyTrack(
      bursts(6, [
        [0.5, 0.4],
        [1.73, 0.3],
        [3.2, 1],
        [4.5, 0.2],
      ]),
    ),
  );
  assert.deepEqual(
    found.map((o) => Math.round(o * 100) / 100),
    [0.5, 1.73, 3.2, 4.5],
  );
});

test('word starts move onto the onsets their tokens span; connected words keep their times', () => {
  const pcm = bursts(6, [
    [0.7, 0.3],
    [1.6, 0.3],
    [3.3, 0.4],
  ]);
  // whisper.cpp style: contiguous tokens, each pause given to the token after it
  const segs: TranscriptSegment[] = [
    {
      start: 0.7,
      end: 4,
      text: 'one two three',
      words: [
        { text: 'one', start: 0.7, end: 1.0 },
        { text: 'two', start: 1.0, end: 2.6 },
        { text: 'three', start: 2.6, end: 4 },
      ],
    },
  ];
  const [r] = refineWordStarts(segs, pcm);
  assert.deepEqual(
    r.words.map((w) => w.start),
    [0.7, 1.6, 3.3],
  );
  assert.equal(r.start, 0.7);
  // no pauses at all: nothing to align to
  const continuous = bursts(4, [[0.2, 3.5]]);
  const [c] = refineWordStarts([seg(0.2, 3, 'a b c d')], continuous);
  const ms = (t: number) => Math.round(t * 1000);
  assert.deepEqual(
    c.words.map((w) => ms(w.start)),
    seg(0.2, 3, 'a b c d').words.map((w) => ms(w.start)),
  );
  // an onset outside every word's reach is left alone
  assert.deepEqual(alignOnsets([{ start: 1, end: 1.5 }], [3]), [-1]);
});

test('annotations, decoding loops and unsupported stock phrases are dropped; speech is kept', () => {
  assert.ok(
    isAnnotation('[BLANK_AUDIO]') && isAnnotation('(Bell)') && isAnnotation(' ♪♪ ') && isAnnotation('*music*') && isAnnotation('...'),
  );
  assert.ok(!isAnnotation('Thank you.') && !isAnnotation('(He laughs) and then left'));
  const speech = bursts(30, [
    [1, 0.6],
    [10, 2],
    [20, 0.5],
  ]);
  const kept = dropHallucinations(
    [
      seg(1, 1.6, 'Thank you.'), // a real, short thank-you over sound
      seg(2, 9, 'Thank you.'), // stretched over 7 s of silence
      seg(10, 12, 'This is real speech.'),
      seg(13, 14, '[Music]'),
      seg(14, 15, 'nd'),
      seg(15, 16, 'nd'),
      seg(16, 17, 'nd'),
      seg(20, 20.5, 'Hi.'),
    ],
    speech,
  );
  assert.deepEqual(
    kept.map((s) => s.text),
    ['Thank you.', 'This is real speech.', 'Hi.'],
  );
  // steady noise: a short "word" over it has nothing standing out of the floor
  const noise = bursts(10, [], 0.05);
  assert.deepEqual(dropHallucinations([seg(0, 5, 'nd')], noise), []);
  assert.ok(isSilent(new Float32Array(1000)) && !isSilent(noise));
});

test('language hints: BCP-47 to whisper codes and back; one forces, several restrict, none detects', () => {
  assert.equal(toWhisperLanguage('en-US'), 'en');
  assert.equal(toWhisperLanguage('pt_BR'), 'pt');
  assert.equal(toWhisperLanguage('jv'), 'jw');
  assert.equal(toBcp47('jw'), 'jv');
  assert.throws(
    () => toWhisperLanguage('xx'),
    (e: unknown) => isEarshotError(e, 'SPEECH_LANGUAGE_UNSUPPORTED'),
  );
  assert.deepEqual(planLanguage(undefined, 'auto'), { mode: 'detect' });
  assert.deepEqual(planLanguage([], undefined), { mode: 'detect' });
  assert.deepEqual(planLanguage(['de-DE'], 'fr'), { mode: 'force', language: 'de' });
  assert.deepEqual(planLanguage(undefined, 'fr'), { mode: 'force', language: 'fr' });
  assert.deepEqual(planLanguage(['fr', 'en-GB', 'fr-CA'], undefined), { mode: 'hinted', hints: ['fr', 'en'] });
});

test('vocabulary becomes one prompt line of distinct terms', () => {
  assert.equal(vocabularyPrompt(undefined), undefined);
  assert.equal(vocabularyPrompt([' ', '']), undefined);
  assert.equal(vocabularyPrompt(['Aurelio  Quaglieri', 'Earshot', 'Earshot']), 'Aurelio Quaglieri, Earshot.');
});
