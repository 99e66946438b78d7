// The upload pump on a real file: every byte hashed and written in order at the offset, a body over the
// limit refused without destroying the source (the HTTP layer still has to answer on its socket).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pumpInto } from '../../src/store/pump.js';
import { tempDir } from '../helpers.js';

/** 64 KiB pieces arriving asynchronously, like a socket's. */
const pieces = (data: Buffer) => {
  let at = 0;
  return new Readable({
    read() {
      setImmediate(() => {
        if (at >= data.length) return this.push(null);
        this.push(data.subarray(at, (at += 65536)));
      });
    },
  });
};

test('bytes land at the offset in order, hashed as they pass', async () => {
  const tmp = tempDir('earshot-pump-');
  try {
    const file = path.join(tmp.dir, 'part');
    writeFileSync(file, 'head-');
    const data = randomBytes(9 * 1024 * 1024 + 123);
    const hash = createHash('sha256').update('head-');
    const n = await pumpInto(pieces(data), { file, start: 5, mode: 0o600, hash, max: data.length, tooMuch: () => new Error('too much') });
    assert.equal(n, data.length);
    const onDisk = readFileSync(file);
    assert.ok(onDisk.equals(Buffer.concat([Buffer.from('head-'), data])));
    assert.equal(hash.digest('hex'), createHash('sha256').update(onDisk).digest('hex'));
  } finally {
    tmp.cleanup();
  }
});

test('a body over the limit is refused; the source is paused, not destroyed', async () => {
  const tmp = tempDir('earshot-pump-');
  try {
    const file = path.join(tmp.dir, 'part');
    writeFileSync(file, '');
    const body = pieces(randomBytes(1024 * 1024));
    await assert.rejects(
      pumpInto(body, { file, start: 0, mode: 0o600, hash: createHash('sha256'), max: 200_000, tooMuch: () => new Error('too much') }),
      /too much/,
    );
    assert.equal(body.destroyed, false);
    assert.equal(body.isPaused(), true);
  } finally {
    tmp.cleanup();
  }
});
