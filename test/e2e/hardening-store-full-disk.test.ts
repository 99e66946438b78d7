// Issue 13 #1: a full disk. On a real, small tmpfs data volume (needs root to mount; skipped otherwise) the
// server stays up, a chunk that meets the full disk gets RESOURCE_EXHAUSTED "storage is full" (not a 400
// "send it again"), nothing half-written is listed, the session's quota reservation is released, and
// everything works again once space is freed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { startServer } from './harness.js';
import { tempDir } from '../helpers.js';

function mountTmpfs(dir: string, size: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fill the volume to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(1 << 16, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  try {
    for (;;) writeSync(fd, block, 0, 512);
  } catch {
    /* full */
  } finally {
    closeSync(fd);
  }
  return file;
}

const KEY = 'full-disk';
const SIZE = 2 * 1024 * 1024;

async function start(url: string) {
  const res = await fetch(`${url}/upload/v1beta/files`, {
    method: 'POST',
    headers: {
      'x-goog-api-key': KEY,
      'x-goog-upload-protocol': 'resumable',
      'x-goog-upload-command': 'start',
      'x-goog-upload-header-content-type': 'application/octet-stream',
      'x-goog-upload-header-content-length': String(SIZE),
      'content-type': 'application/json',
    },
    body: '{}',
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.headers.get('x-goog-upload-url')!;
}

const chunk = (url: string, body: Buffer) =>
  fetch(url, {
    method: 'POST',
    headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' },
    body: new Uint8Array(body),
  });

test('a full disk: server up, storage error in Google shape, nothing listed, reservation released, recovery', async (t) => {
  const tmp = tempDir('earshot-full-');
  const mnt = path.join(tmp.dir, 'vol');
  mkdirSync(mnt);
  if (!mountTmpfs(mnt, '24m')) {
    tmp.cleanup();
    return t.skip('needs root and tmpfs to build a small data volume');
  }
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  const dataDir = path.join(mnt, 'data');
  const server = await startServer({
    offline: true,
    dataDir,
    modelsDir: path.join(tmp.dir, 'models'),
    engines: { speech: 'none', sounds: 'none', vad: 'none' },
    // room for one 2 MiB upload and not two: a reservation kept by the failed session would refuse the retry
    limits: { maxProjectBytes: 3 * 1024 * 1024 },
  });
  try {
    const bytes = Buffer.alloc(SIZE, 7);
    const url = await start(server.url);
    const filler = fill(mnt);

    const res = await chunk(url, bytes);
    const body = (await res.json()) as { error: { code: number; status: string; message: string } };
    assert.equal(res.status, 429, JSON.stringify(body));
    assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
    assert.match(body.error.message, /storage is full/i);
    assert.doesNotMatch(body.error.message, /send it again/i);
    assert.equal(res.headers.get('x-goog-upload-status'), 'cancelled', 'the session ends (its reservation is released)');

    // the server is up and lists nothing half-written
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const list = (await (await fetch(`${server.url}/v1beta/files`, { headers: { 'x-goog-api-key': KEY } })).json()) as {
      files?: unknown[];
    };
    assert.equal(list.files?.length ?? 0, 0);
    assert.deepEqual(readdirSync(path.join(dataDir, 'uploads')), [], 'no part file left behind');

    // space freed: the same upload works (the failed session's 2 MiB no longer counts against the 3 MiB quota)
    rmSync(filler);
    const again = await chunk(await start(server.url), bytes);
    assert.equal(again.status, 200, await again.clone().text());
    const { file } = (await again.json()) as { file: { name: string } };
    let state = '';
    for (let i = 0; i < 100 && state !== 'ACTIVE'; i++) {
      const got = (await (await fetch(`${server.url}/v1beta/${file.name}`, { headers: { 'x-goog-api-key': KEY } })).json()) as {
        state: string;
      };
      state = got.state;
      if (state !== 'ACTIVE') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state, 'ACTIVE');
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await server.close();
    execFileSync('umount', [mnt]);
    tmp.cleanup();
  }
});
