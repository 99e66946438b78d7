// Word-start scoring: alignment by text, errors per matched word, nearest-rank quantiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, wordStartErrors } from '../../src/eval/word-times.js';

test('quantile by nearest rank', () => {
  assert.equal(quantile([3, 1, 2, 4], 0.5), 2);
  assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100], 0.95), 19);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('matched words are scored by their start; missing, extra and reworded words are skipped', () => {
  const ref = [
    { text: 'Bring', start: 1 },
    { text: 'seven', start: 2 },
    { text: 'green', start: 3 },
    { text: 'apples', start: 4 },
  ];
  const hyp = [
    { text: 'um', start: 0.2 },
    { text: 'bring', start: 1.1 },
    { text: '7', start: 1.8 },
    { text: 'apples.', start: 4.5 },
  ];
  const r = wordStartErrors(ref, hyp);
  assert.equal(r.total, 4);
  assert.equal(r.matched, 3, '"7" matches "seven" after normalisation; "green" is missing');
  assert.deepEqual(
    r.errors.map((e) => Math.round(e * 10) / 10),
    [0.1, 0.2, 0.5],
  );
  assert.equal(Math.round(r.median * 10) / 10, 0.2);
  assert.equal(r.max, 0.5);
});
