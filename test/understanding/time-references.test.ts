import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTimeReferences, formatTime, formatTimestamp, parseTimeExpression } from '../../src/understanding/time-references.js';

// [prompt, duration, expected [start, end] of the single reference, extra flags]
const CASES: [string, number, [number, number], { point?: boolean; outOfRange?: boolean; clamped?: boolean }?][] = [
  ['Provide a transcript of the speech from 02:30 to 03:29.', 600, [150, 209]],
  ['transcribe 02:30-03:29 please', 600, [150, 209]],
  ['transcribe 02:30 – 03:29', 600, [150, 209]],
  ['transcribe 2:30—3:29', 600, [150, 209]],
  ['what is said between 2:30 and 3:29?', 600, [150, 209]],
  ['Provide a transcript of the speech between the timestamps 02:30 and 03:29.', 600, [150, 209]],
  ['from 1m30s to 2m', 600, [90, 120]],
  ['from 10 to 20 seconds', 600, [10, 20]],
  ['between 30 and 45 seconds', 600, [30, 45]],
  ['from 3:29 to 2:30', 600, [150, 209]],
  ['from 0:59.5 to 1:00.25', 600, [59.5, 60.25]],
  ['from 1:05:30 to 1:10:00', 7200, [3930, 4200]],
  ['at 1:05', 600, [65, 65], { point: true }],
  ['what happens around 02:30.5?', 600, [150.5, 150.5], { point: true }],
  ['what is said 90 seconds in', 600, [90, 90], { point: true }],
  ['what is said 1 minute and 30 seconds into the clip', 600, [90, 90], { point: true }],
  ['at 2 minutes 30 seconds', 600, [150, 150], { point: true }],
  ['what about 1:05:30?', 7200, [3930, 3930], { point: true }],
  ['after 1:00', 600, [60, 600]],
  ['everything from 2:00 onwards', 600, [120, 600]],
  ['before 0:45', 600, [0, 45]],
  ['until 2:00', 600, [0, 120]],
  ['the first 30 seconds', 600, [0, 30]],
  ['the first thirty seconds', 600, [0, 30]],
  ['the first minute', 600, [0, 60]],
  ['the last minute', 600, [540, 600]],
  ['the last 2 minutes', 600, [480, 600]],
  ['the final 10 seconds', 600, [590, 600]],
  ['the first half', 600, [0, 300]],
  ['the second half', 600, [300, 600]],
  ['the middle of the recording', 600, [200, 400]],
  // clamping and out of range
  ['the last 2 minutes', 11, [0, 11], { clamped: true }],
  ['before 0:45', 11, [0, 11], { clamped: true }],
  ['from 00:05 to 00:30', 11, [5, 11], { clamped: true }],
  ['from 02:30 to 03:29', 11, [11, 11], { outOfRange: true }],
  ['at 5:00', 11, [11, 11], { point: true, outOfRange: true }],
  ['after 0:11', 11, [11, 11], { outOfRange: true }],
];

for (const [prompt, dur, [start, end], flags] of CASES) {
  test(`time reference: "${prompt}" on ${dur} s`, () => {
    const refs = findTimeReferences(prompt, dur);
    assert.equal(refs.length, 1, JSON.stringify(refs));
    const r = refs[0];
    assert.ok(Math.abs(r.start - start) < 1e-6, `start ${r.start} != ${start}`);
    assert.ok(Math.abs(r.end - end) < 1e-6, `end ${r.end} != ${end}`);
    assert.equal(!!r.point, !!flags?.point, 'point');
    assert.equal(!!r.outOfRange, !!flags?.outOfRange, 'outOfRange');
    if (flags?.clamped !== undefined) assert.equal(!!r.clamped, flags.clamped, 'clamped');
    assert.ok(prompt.includes(r.text), 'text is a slice of the prompt');
    assert.equal(prompt.slice(r.index, r.index + r.text.length), r.text);
  });
}

test('prompts without time references give none', () => {
  for (const p of [
    'Describe this audio clip',
    'Please summarize the audio.',
    'How many times does the dog bark?',
    'ratio 3-4',
    'page 3 to 4',
    'what is the second clip about?',
    'the 2 speakers',
    'Summarize the talk in 3 sentences',
  ]) {
    assert.deepEqual(findTimeReferences(p, 600), [], p);
  }
});

test('several references come back in prompt order, with requested values kept', () => {
  const refs = findTimeReferences('Compare 0:10-0:20 with the last 30 seconds and what is said at 1:00', 120);
  assert.deepEqual(
    refs.map((r) => [r.start, r.end]),
    [
      [10, 20],
      [90, 120],
      [60, 60],
    ],
  );
  const out = findTimeReferences('from 02:30 to 03:29', 11)[0];
  assert.equal(out.requestedStart, 150);
  assert.equal(out.requestedEnd, 209);
});

test('parseTimeExpression reads clocks and spelled durations; 1:05:30 is H:MM:SS', () => {
  assert.equal(parseTimeExpression('1:05:30'), 3930);
  assert.equal(parseTimeExpression('01:05'), 65);
  assert.equal(parseTimeExpression('2:30.5'), 150.5);
  assert.equal(parseTimeExpression('1h 2m 3s'), 3723);
  assert.equal(parseTimeExpression('twenty five seconds'), 25);
  assert.equal(parseTimeExpression('1.5 minutes'), 90);
  assert.ok(Number.isNaN(parseTimeExpression('soon')));
});

test('formatTime and formatTimestamp', () => {
  assert.equal(formatTime(0), '0:00');
  assert.equal(formatTime(7.4), '0:07');
  assert.equal(formatTime(65), '1:05');
  assert.equal(formatTime(3930), '1:05:30');
  assert.equal(formatTime(6.14, true), '0:06.1');
  assert.equal(formatTimestamp(0.32), '00:00');
  assert.equal(formatTimestamp(150), '02:30');
  assert.equal(formatTimestamp(3930), '01:05:30');
});
