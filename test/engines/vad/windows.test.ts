import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planWindows } from '../../../src/engines/vad/windows.js';

const span = (ws: { start: number; end: number }[]) => ws.map((w) => w.end - w.start);

test('short speech: one window from first speech start to last speech end', () => {
  assert.deepEqual(
    planWindows([
      { start: 1, end: 3 },
      { start: 3.5, end: 8 },
    ]),
    [{ start: 1, end: 8 }],
  );
  assert.deepEqual(planWindows([]), []);
});

test('cuts at the longest pause that keeps windows within the maximum', () => {
  // Regions every 5 s with 0.2 s pauses, except one 1.0 s pause ending at 21 s and one 0.6 s pause ending at 27 s.
  const regions = [
    { start: 0, end: 4.8 },
    { start: 5, end: 9.8 },
    { start: 10, end: 14.8 },
    { start: 15, end: 20 },
    { start: 21, end: 26.4 },
    { start: 27, end: 32 },
    { start: 32.2, end: 40 },
  ];
  const ws = planWindows(regions, { maxWindowSec: 30 });
  assert.deepEqual(ws[0], { start: 0, end: 20 }, 'first window ends at the 1 s pause, not at the last fitting 0.6 s one');
  assert.deepEqual(ws[1], { start: 21, end: 40 });
  for (const len of span(ws)) assert.ok(len <= 30);
});

test('long pauses always split; no window carries long silence', () => {
  const ws = planWindows(
    [
      { start: 0, end: 2 },
      { start: 10, end: 12 },
    ],
    { maxWindowSec: 30 },
  );
  assert.deepEqual(ws, [
    { start: 0, end: 2 },
    { start: 10, end: 12 },
  ]);
});

test('a single region longer than the maximum is cut at its quietest point', () => {
  // 70 s of loud tone with quiet dips at 22 s and 47 s.
  const sr = 16000;
  const pcm = new Float32Array(70 * sr);
  for (let i = 0; i < pcm.length; i++) pcm[i] = 0.5 * Math.sin(i * 0.1);
  for (const dip of [22, 47]) pcm.fill(0, Math.round((dip - 0.05) * sr), Math.round((dip + 0.05) * sr));
  const ws = planWindows([{ start: 0, end: 70 }], { maxWindowSec: 30, pcm });
  assert.equal(ws.length, 3);
  assert.ok(Math.abs(ws[0].end - 22) < 0.06, `first cut at ${ws[0].end}`);
  assert.ok(Math.abs(ws[1].end - 47) < 0.06, `second cut at ${ws[1].end}`);
  assert.equal(ws[2].end, 70);
  for (let i = 1; i < ws.length; i++) assert.equal(ws[i].start, ws[i - 1].end, 'pieces are contiguous');
  // Without audio: cut exactly at the maximum.
  assert.deepEqual(
    planWindows([{ start: 0, end: 70 }], { maxWindowSec: 30 }).map((w) => w.end),
    [30, 60, 70],
  );
});

test('every region is covered by exactly one window and windows never exceed the maximum', () => {
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let trial = 0; trial < 50; trial++) {
    const regions = [];
    let t = rand() * 2;
    for (let k = 0; k < 40; k++) {
      const len = 0.3 + rand() * 12;
      regions.push({ start: t, end: t + len });
      t += len + rand() * (rand() < 0.1 ? 5 : 1.2);
    }
    const max = 10 + rand() * 25;
    const ws = planWindows(regions, { maxWindowSec: max });
    for (const w of ws) assert.ok(w.end - w.start <= max + 0.002);
    for (let i = 1; i < ws.length; i++) assert.ok(ws[i].start >= ws[i - 1].end);
    for (const r of regions) {
      const inside = ws.filter((w) => w.start < r.end && w.end > r.start);
      const coveredLen = inside.reduce((a, w) => a + Math.min(w.end, r.end) - Math.max(w.start, r.start), 0);
      assert.ok(Math.abs(coveredLen - (r.end - r.start)) < 0.01, 'region fully covered');
      if (r.end - r.start <= max) assert.equal(inside.length, 1, 'a region that fits is never cut');
    }
  }
});
