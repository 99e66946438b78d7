// Transcription hints as data (src/domain/hints.ts) and the file's language by majority (src/domain/analysis.ts): one
// key for equal hints whatever their order or spelling, '' for none, and what an engine can use kept, the rest dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasHints, hintsKey, normaliseHints, unappliedHints, usableHints } from '../../src/domain/hints.js';
import { majorityLanguage, type TranscriptSegment } from '../../src/domain/analysis.js';

test('no hints, or only blanks, key as the base analysis: ""', () => {
  assert.equal(hintsKey(undefined), '');
  assert.equal(hintsKey({}), '');
  assert.equal(hintsKey({ languageCodes: [' ', ''], vocabulary: ['  '], translate: false }), '');
  assert.equal(hasHints({ vocabulary: ['\t'] }), false);
  assert.equal(hasHints({ translate: true }), true);
});

test('equal hints give one key: vocabulary is a set (trimmed, de-duplicated, sorted), codes keep their order', () => {
  const a = hintsKey({ vocabulary: ['Zyxlander', 'Quentin  Tarbuck'], languageCodes: ['en_us'] });
  const b = hintsKey({ languageCodes: ['EN-US', 'en-US'], vocabulary: [' Quentin Tarbuck ', 'Zyxlander', 'Zyxlander'] });
  assert.equal(a, b);
  assert.deepEqual(normaliseHints({ languageCodes: ['en_us', 'zh-hant-tw'], vocabulary: ['b', 'a', 'b'] }), {
    languageCodes: ['en-US', 'zh-Hant-TW'],
    vocabulary: ['a', 'b'],
  });
  // the first language is the fallback: order is part of the key
  assert.notEqual(hintsKey({ languageCodes: ['es', 'en'] }), hintsKey({ languageCodes: ['en', 'es'] }));
  // each field tells keys apart, and no field can pose as another
  const keys = [
    hintsKey({ languageCodes: ['es'] }),
    hintsKey({ vocabulary: ['es'] }),
    hintsKey({ translate: true }),
    hintsKey({ translate: true, languageCodes: ['es'] }),
    hintsKey({ vocabulary: ['a,b'] }),
    hintsKey({ vocabulary: ['a', 'b'] }),
  ];
  assert.equal(new Set(keys).size, keys.length);
});

test('what an engine cannot use is dropped, so nothing re-runs for it; unknown capabilities keep every hint', () => {
  const asked = { languageCodes: ['es'], vocabulary: ['Zyx'], translate: true };
  assert.deepEqual(usableHints(asked, { languageIdentification: false, translation: false, vocabulary: false }), {});
  assert.equal(hintsKey(usableHints(asked, {})), '', 'PocketSphinx: the base analysis answers');
  // an English-only Whisper model takes vocabulary only
  assert.deepEqual(usableHints(asked, { vocabulary: true }), { vocabulary: ['Zyx'] });
  assert.deepEqual(usableHints(asked, { languageIdentification: true, translation: true, vocabulary: true }), asked);
  assert.deepEqual(usableHints(asked, undefined), asked);
  assert.deepEqual(unappliedHints(asked, { vocabulary: ['Zyx'] }), ['languageCodes', 'translate']);
  assert.deepEqual(unappliedHints(asked, undefined), ['languageCodes', 'vocabulary', 'translate']);
  assert.deepEqual(unappliedHints({}, undefined), []);
});

const seg = (start: number, end: number, language?: string): TranscriptSegment => ({
  start,
  end,
  text: 'x',
  words: [],
  ...(language ? { language } : {}),
});

test("the file's language is the one most of its speech is in (by duration), not the first heard", () => {
  assert.equal(majorityLanguage([]), undefined);
  assert.equal(majorityLanguage([seg(0, 1), seg(1, 2)]), undefined);
  // a short English greeting, then a long Spanish talk
  assert.equal(majorityLanguage([seg(0, 2, 'en'), seg(3, 10, 'es'), seg(11, 12, 'en')]), 'es');
  // many short segments can outweigh one long one
  assert.equal(majorityLanguage([seg(0, 5, 'de'), seg(5, 7, 'fr'), seg(7, 9, 'fr'), seg(9, 11, 'fr')]), 'fr');
  // a tie goes to the language heard first
  assert.equal(majorityLanguage([seg(0, 3, 'it'), seg(3, 6, 'pt')]), 'it');
});
