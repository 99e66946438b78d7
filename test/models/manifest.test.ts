// The test-model manifest accepts a file only with its exact pinned checksum: one changed byte is rejected, both
// on a small file and on the real verified source weights; and testModel() says how to get a missing model.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, openSync, readSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_MODELS, findTestModel, sourcesOf, verifyFile } from './manifest.js';
import { cacheDir, testModel } from './paths.js';
import { tempDir } from '../helpers.js';

function flipByte(file: string, at: number): void {
  const fd = openSync(file, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, at);
  b[0] ^= 0x01;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
}

test('verification accepts the exact bytes and rejects one changed byte or a wrong size', async () => {
  const tmp = tempDir('earshot-verify-');
  try {
    const file = path.join(tmp.dir, 'weights.bin');
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff));
    writeFileSync(file, bytes);
    const want = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    assert.deepEqual(await verifyFile(file, want), { ok: true });
    flipByte(file, 2048);
    const bad = await verifyFile(file, want);
    assert.equal(bad.ok, false);
    assert.match(bad.problem!, /SHA-256 [0-9a-f]{64}, expected/);
    assert.match((await verifyFile(file, { ...want, bytes: 4095 })).problem!, /4096 bytes, expected 4095/);
    assert.match((await verifyFile(path.join(tmp.dir, 'none'), want)).problem!, /does not exist/);
  } finally {
    tmp.cleanup();
  }
});

test('every manifest entry pins a size and a SHA-256 for each source, with where the checksum is published', () => {
  for (const m of TEST_MODELS) {
    for (const s of sourcesOf(m)) {
      assert.match(s.sha256, /^[0-9a-f]{64}$/, s.id);
      assert.ok(s.bytes > 0 && s.checksumPublished.length > 20, s.id);
      for (const p of s.parts) assert.match(p.dist.sha256, /^[0-9a-f]{64}$/, p.dist.file);
    }
  }
  assert.equal(findTestModel('ggml-base.bin').name, 'whisper-base');
  // a file taken as-is: its parts are the pieces of that one file
  const llm = findTestModel('qwen2.5-coder-0.5b-instruct');
  assert.equal(llm.build.kind, 'extract');
  assert.equal(llm.build.model.parts.length, 6);
  assert.throws(() => findTestModel('whisper-huge'), /known: whisper-base/);
});

// The real source weights exist once `npm run test-models` ran (always in CI, where a missing file fails the test).
const tinySource = findTestModel('whisper-tiny.en').build.model;
const tinyFile = path.join(cacheDir(), 'sources', tinySource.id);
test('the real tiny.en source weights verify, and a copy with one byte changed is rejected', {
  skip: !process.env.CI && !existsSync(tinyFile) && 'run npm run test-models first',
}, async () => {
  assert.deepEqual(await verifyFile(tinyFile, tinySource), { ok: true });
  const tmp = tempDir('earshot-verify-real-');
  try {
    const copy = path.join(tmp.dir, 'model.bin');
    copyFileSync(tinyFile, copy);
    flipByte(copy, Math.floor(tinySource.bytes / 2));
    const v = await verifyFile(copy, tinySource);
    assert.equal(v.ok, false);
    assert.match(v.problem!, new RegExp(`expected ${tinySource.sha256}`));
  } finally {
    tmp.cleanup();
  }
});

test('testModel() names the command to run when the models are not fetched', () => {
  const saved = process.env.EARSHOT_TEST_MODELS_DIR;
  process.env.EARSHOT_TEST_MODELS_DIR = path.join(cacheDir(), 'no-such-dir');
  try {
    assert.throws(() => testModel('whisper-base'), /npm run test-models/);
  } finally {
    if (saved === undefined) delete process.env.EARSHOT_TEST_MODELS_DIR;
    else process.env.EARSHOT_TEST_MODELS_DIR = saved;
  }
});
