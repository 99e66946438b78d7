// Framing and score helpers: frame placement rules, class-map parsing, top-k, event merging.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { mergeEvents, parseClassMap, topK } from '../../../src/engines/sounds/scores.js';
import { frameStarts, YAMNET_FRAME } from '../../../src/engines/sounds/yamnet.js';
import type { SoundFrame } from '../../../src/engines/types.js';
import { YAMNET_DIR } from '../../helpers.js';

test('frameStarts: full frames, a trailing partial frame only when at least half a frame', () => {
  const F = YAMNET_FRAME;
  assert.deepEqual(frameStarts(3 * F + F / 2, F, 'half'), [0, F, 2 * F, 3 * F]);
  assert.deepEqual(frameStarts(3 * F + F / 2 - 1, F, 'half'), [0, F, 2 * F]);
  assert.deepEqual(frameStarts(3 * F + F - 1, F, 'drop'), [0, F, 2 * F]);
  assert.deepEqual(frameStarts(100, F, 'drop'), [0]); // short audio still gets one frame
  assert.deepEqual(frameStarts(0, F), []);
  assert.deepEqual(frameStarts(2 * F, 7680, 'drop'), [0, 7680, 15360]);
  assert.deepEqual(frameStarts(2 * F, 7680, 'half'), [0, 7680, 15360, 23040]);
});

test('parseClassMap reads quoted names with commas and CRLF lines', () => {
  const labels = parseClassMap(readFileSync(path.join(YAMNET_DIR, 'yamnet_class_map.csv'), 'utf8'));
  assert.equal(labels.length, 521);
  assert.equal(labels[0], 'Speech');
  assert.equal(labels[1], 'Child speech, kid speaking');
  assert.ok(labels.includes('Siren'));
  assert.deepEqual(parseClassMap('index,mid,display_name\n0,/m/a,"Say ""hi"", now"\n1,/m/b,B\n'), ['Say "hi", now', 'B']);
  assert.throws(() => parseClassMap('a,b\n1,2\n'), /display_name/);
});

test('topK returns the best classes first', () => {
  const r = topK(Float32Array.from([0.1, 0.9, 0.5]), ['a', 'b', 'c'], 2);
  assert.deepEqual(
    r.map((x) => x.label),
    ['b', 'c'],
  );
  assert.equal(r[0].index, 1);
  assert.ok(Math.abs(r[0].score - 0.9) < 1e-6);
});

test('mergeEvents joins frames above threshold, bridges one-frame dips, splits at longer gaps', () => {
  const labels = ['Speech', 'Dog', 'Silence'];
  const f = (start: number, s: number[]): SoundFrame => ({ start, end: start + 1, scores: Float32Array.from(s) });
  const frames = [f(0, [0.9, 0.1, 0]), f(0.5, [0.8, 0.3, 0]), f(1, [0.1, 0.6, 0]), f(1.5, [0.7, 0.1, 0.5])];
  const events = mergeEvents(frames, labels, { threshold: 0.25, exclude: new Set(['Silence']), bridgeFrames: 0 });
  assert.deepEqual(events, [
    { label: 'Speech', start: 0, end: 1.5, score: 0.9 },
    { label: 'Dog', start: 0.5, end: 2, score: 0.6 },
    { label: 'Speech', start: 1.5, end: 2.5, score: 0.7 },
  ]);
});

test('mergeEvents bridges a dip of up to bridgeFrames frames', () => {
  const f = (start: number, s: number): SoundFrame => ({ start, end: start + 1, scores: Float32Array.from([s]) });
  const frames = [f(0, 0.5), f(1, 0.1), f(2, 0.6), f(3, 0.1), f(4, 0.1), f(5, 0.4)];
  assert.deepEqual(mergeEvents(frames, ['Siren'], { threshold: 0.25 }), [
    { label: 'Siren', start: 0, end: 3, score: 0.6 },
    { label: 'Siren', start: 5, end: 6, score: 0.4 },
  ]);
  assert.equal(mergeEvents(frames, ['Siren'], { threshold: 0.25, bridgeFrames: 2 }).length, 1);
});
