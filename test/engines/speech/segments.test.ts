import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shiftSegments, planWindows } from '../../../src/engines/speech/segments.js';
import type { TranscriptSegment } from '../../../src/domain/analysis.js';

test('shiftSegments moves segments and their words onto the file clock without touching the input', () => {
  const segs: TranscriptSegment[] = [
    {
      start: 0.5,
      end: 2.25,
      text: 'hello there',
      confidence: 0.9,
      words: [
        { text: 'hello', start: 0.5, end: 1 },
        { text: 'there', start: 1.2, end: 2.25, confidence: 0.8 },
      ],
    },
  ];
  const out = shiftSegments(segs, 600.125);
  assert.deepEqual(out, [
    {
      start: 600.625,
      end: 602.375,
      text: 'hello there',
      confidence: 0.9,
      words: [
        { text: 'hello', start: 600.625, end: 601.125 },
        { text: 'there', start: 601.325, end: 602.375, confidence: 0.8 },
      ],
    },
  ]);
  assert.equal(segs[0].start, 0.5);
  assert.deepEqual(shiftSegments(segs, 0), segs);
  assert.throws(() => shiftSegments(segs, Number.NaN), RangeError);
});

test('planWindows keeps short audio whole and cuts long audio in its quietest stretch', () => {
  const sr = 100; // 10 samples per 100 ms frame keeps the test readable
  assert.deepEqual(planWindows(new Float32Array(500), 10, sr), [{ start: 0, end: 500 }]);
  assert.deepEqual(planWindows(new Float32Array(0), 10, sr), [{ start: 0, end: 0 }]);
  const pcm = new Float32Array(2500).fill(0.5);
  pcm.fill(0, 870, 880); // a pause 8.7 s in, inside the last fifth of the first 10 s window
  const w = planWindows(pcm, 10, sr);
  assert.equal(w[0].start, 0);
  assert.equal(w[0].end, 875);
  for (let i = 1; i < w.length; i++) assert.equal(w[i].start, w[i - 1].end);
  assert.equal(w[w.length - 1].end, 2500);
  for (const x of w) assert.ok(x.end - x.start <= 1000 && x.end > x.start);
});
