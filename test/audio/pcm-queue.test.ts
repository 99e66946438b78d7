// PcmQueue: float32 samples split anywhere across stream chunks come out whole and in order; skip drops
// without copying; read-ahead stops at the limit (the stream is paused) and resumes as the queue drains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { PcmQueue } from '../../src/audio/pcm-queue.js';

function samples(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 0.37) * 0.9 + i * 1e-6;
  return a;
}

test('samples split at odd byte offsets come out exactly, in order, after a skip', async () => {
  const src = samples(10_007);
  const bytes = Buffer.from(src.buffer);
  const stream = new PassThrough();
  const q = new PcmQueue(stream, 1 << 20);
  // chunk sizes that cut through samples (1, 3, 5, 4093 … bytes)
  const sizes = [1, 3, 5, 7, 4093, 2, 11, 8191, 6];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, bytes.length - at);
    stream.write(bytes.subarray(at, at + n));
    at += n;
  }
  stream.end();
  let skipped = 0;
  while (skipped < 123) {
    const d = await q.skip(123 - skipped);
    assert.ok(d > 0);
    skipped += d;
  }
  const got: number[] = [];
  for (;;) {
    const out = await q.next(1000);
    if (!out) break;
    assert.ok(out.length > 0 && out.length <= 1000);
    assert.equal(out.byteOffset % 4, 0);
    got.push(...out);
  }
  assert.equal(got.length, src.length - 123);
  for (let i = 0; i < got.length; i++) assert.equal(got[i], src[i + 123], `sample ${i + 123}`);
});

test('read-ahead pauses the stream at the limit and resumes when the consumer drains it', async () => {
  const stream = new PassThrough();
  const q = new PcmQueue(stream, 64 * 1024);
  const block = Buffer.from(samples(4096).buffer); // 16 KB
  for (let i = 0; i < 8; i++) stream.write(block);
  await new Promise((r) => setImmediate(r));
  assert.equal(stream.isPaused(), true, 'paused once 64 KB are queued');
  let n = 0;
  while (n < 3 * 4096) n += (await q.next(4096))!.length;
  assert.equal(stream.isPaused(), false, 'resumed below half the limit');
  stream.end();
  for (;;) {
    const out = await q.next(1 << 16);
    if (!out) break;
    n += out.length;
  }
  assert.equal(n, 8 * 4096);
});

test('a failure is thrown from the next pull, even with data queued', async () => {
  const stream = new PassThrough();
  const q = new PcmQueue(stream, 1 << 20);
  stream.write(Buffer.alloc(4096));
  await new Promise((r) => setImmediate(r));
  q.fail(new Error('client went away'));
  await assert.rejects(q.next(100), /client went away/);
});
