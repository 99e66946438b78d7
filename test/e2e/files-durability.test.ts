// Durability of the file store with `earshot serve` as a real child process: an upload resumed across a
// restart, a kill -9 in the middle of a large upload (nothing partial visible afterwards, the part cut
// back to what was acknowledged, the database consistent), and content deduplication on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { spawnServer, startServer } from './harness.js';
import { tempDir } from '../helpers.js';

/** A Buffer as a fetch body (typed as the DOM's BodyInit wants; no copy). */
const bodyOf = (b: Buffer | string): BodyInit =>
  typeof b === 'string' ? b : new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.length);

const KEY = 'durable';
const wire = (hex: string) => Buffer.from(hex).toString('base64');

async function start(url: string, size: number): Promise<string> {
  const res = await fetch(`${url}/upload/v1beta/files`, {
    method: 'POST',
    headers: {
      'x-goog-api-key': KEY,
      'X-Goog-Upload-Protocol': 'resumable',
      'X-Goog-Upload-Command': 'start',
      'X-Goog-Upload-Header-Content-Length': String(size),
      'X-Goog-Upload-Header-Content-Type': 'application/octet-stream',
    },
    body: '{"file":{"displayName":"durable"}}',
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.headers.get('x-goog-upload-url')!;
}

/** Send a command to an upload URL on (possibly) another server: only host and port change. */
function send(base: string, uploadUrl: string, command: string, offset?: number, body?: Buffer): Promise<Response> {
  const u = new URL(uploadUrl);
  const b = new URL(base);
  u.host = b.host;
  const headers: Record<string, string> = { 'X-Goog-Upload-Command': command };
  if (offset !== undefined) headers['X-Goog-Upload-Offset'] = String(offset);
  return fetch(u, { method: 'POST', headers, body: bodyOf(body ?? '') });
}

async function listNames(url: string): Promise<string[]> {
  const res = await fetch(`${url}/v1beta/files?pageSize=100`, { headers: { 'x-goog-api-key': KEY } });
  assert.equal(res.status, 200);
  return ((await res.json()).files ?? []).map((f: { name: string }) => f.name);
}

const filesIn = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => path.join(d.parentPath ?? d.path, d.name))
    : [];

test('an upload resumes across a server restart and its hash matches', async () => {
  const tmp = tempDir('earshot-restart-');
  try {
    const data = randomBytes(3_000_000);
    let srv = await spawnServer(tmp.dir);
    const url = await start(srv.url, data.length);
    const half = 1_500_000;
    assert.equal((await send(srv.url, url, 'upload', 0, data.subarray(0, half))).status, 200);
    assert.equal(await srv.stop('SIGTERM'), 0, srv.output());

    srv = await spawnServer(tmp.dir);
    try {
      const q = await send(srv.url, url, 'query');
      assert.equal(q.status, 200);
      assert.equal(q.headers.get('x-goog-upload-status'), 'active');
      assert.equal(q.headers.get('x-goog-upload-size-received'), String(half));
      const fin = await send(srv.url, url, 'upload, finalize', half, data.subarray(half));
      assert.equal(fin.status, 200, await fin.clone().text());
      const { file } = await fin.json();
      assert.equal(file.sha256Hash, wire(createHash('sha256').update(data).digest('hex')));
      assert.equal(file.sizeBytes, String(data.length));
      assert.deepEqual(await listNames(srv.url), [file.name]);
    } finally {
      await srv.stop();
    }
  } finally {
    tmp.cleanup();
  }
});

/** Deterministic bytes: 1 MiB blocks of one random buffer, each stamped with its index. */
function block(base: Buffer, i: number): Buffer {
  const b = Buffer.from(base);
  b.writeUInt32BE(i, 0);
  return b;
}

test('kill -9 during a large upload: nothing partial, part cut back, database consistent, new uploads work', async () => {
  const tmp = tempDir('earshot-crash-');
  const MiB = 1 << 20;
  const total = 200 * MiB;
  const base = randomBytes(MiB);
  try {
    let srv = await spawnServer(tmp.dir);
    const url = await start(srv.url, total);
    // first 8 MiB acknowledged
    const hash = createHash('sha256');
    const first = Buffer.concat(Array.from({ length: 8 }, (_, i) => block(base, i)));
    hash.update(first);
    assert.equal((await send(srv.url, url, 'upload', 0, first)).status, 200);
    // a media upload and the big chunk both in flight when the process dies
    const u = new URL(url);
    let sent = 0;
    await new Promise<void>((resolve) => {
      const req = http.request(u, {
        method: 'POST',
        headers: {
          'X-Goog-Upload-Command': 'upload, finalize',
          'X-Goog-Upload-Offset': String(8 * MiB),
          'Content-Length': String(total - 8 * MiB),
        },
      });
      req.on('error', () => resolve());
      req.on('response', (r) => {
        r.resume();
        resolve();
      });
      let i = 8;
      const pump = () => {
        while (i < 200) {
          const b = block(base, i++);
          sent += b.length;
          if (sent >= 60 * MiB && srv.proc.exitCode === null && !srv.proc.killed) {
            srv.proc.kill('SIGKILL');
            return;
          }
          if (!req.write(b)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    await srv.stop(); // waits for the exit
    assert.equal(srv.proc.signalCode, 'SIGKILL');
    const partFile = path.join(tmp.dir, 'uploads', `${u.searchParams.get('upload_id')}.part`);
    assert.ok(statSync(partFile).size > 8 * MiB, 'the killed server had written unacknowledged bytes');

    srv = await spawnServer(tmp.dir);
    try {
      assert.deepEqual(await listNames(srv.url), [], 'nothing partial is listed');
      const q = await send(srv.url, url, 'query');
      assert.equal(q.headers.get('x-goog-upload-size-received'), String(8 * MiB), 'only acknowledged bytes count');
      const uploadId = u.searchParams.get('upload_id')!;
      const stray = filesIn(path.join(tmp.dir, 'uploads'));
      assert.deepEqual(
        stray.map((f) => path.basename(f)),
        [`${uploadId}.part`],
        'no stray part files',
      );
      assert.equal(statSync(stray[0]).size, 8 * MiB, 'the part is cut back to the received size');
      assert.deepEqual(filesIn(path.join(tmp.dir, 'blobs')), [], 'no stray blobs');
      const db = new Database(path.join(tmp.dir, 'earshot.sqlite'), { readonly: true });
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        assert.equal((db.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n, 0);
        const row = db.prepare('SELECT status, received FROM uploads WHERE id = ?').get(uploadId) as { status: string; received: number };
        assert.deepEqual(row, { status: 'active', received: 8 * MiB });
      } finally {
        db.close();
      }

      // finish the interrupted upload from where the server says it is
      await resumeTo(srv.url, url, 8 * MiB, total, base, hash);
      const names = await listNames(srv.url);
      assert.equal(names.length, 1);
      const got = await (await fetch(`${srv.url}/v1beta/${names[0]}`, { headers: { 'x-goog-api-key': KEY } })).json();
      assert.equal(got.sha256Hash, wire(hash.digest('hex')));
      assert.equal(got.sizeBytes, String(total));
      assert.deepEqual(filesIn(path.join(tmp.dir, 'uploads')), []);
      assert.equal(filesIn(path.join(tmp.dir, 'blobs')).length, 1);

      // and new uploads work
      const small = await fetch(`${srv.url}/upload/v1beta/files`, {
        method: 'POST',
        headers: { 'x-goog-api-key': KEY, 'Content-Type': 'text/plain' },
        body: 'after the crash',
      });
      assert.equal(small.status, 200);
    } finally {
      await srv.stop();
    }
  } finally {
    tmp.cleanup();
  }
});

/** Send blocks [from/MiB, total/MiB) in 8 MiB chunks, the last one finalizing. */
async function resumeTo(base: string, url: string, from: number, total: number, blockBase: Buffer, hash: Hash): Promise<void> {
  const MiB = 1 << 20;
  for (let off = from; off < total; off += 8 * MiB) {
    const end = Math.min(off + 8 * MiB, total);
    const chunk = Buffer.concat(Array.from({ length: (end - off) / MiB }, (_, k) => block(blockBase, off / MiB + k)));
    hash.update(chunk);
    const res = await send(base, url, end === total ? 'upload, finalize' : 'upload', off, chunk);
    assert.equal(res.status, 200, await res.clone().text());
  }
}

test('dedup: the same bytes uploaded 3 times are one blob, removed with the last file', async () => {
  const s = await startServer();
  try {
    const data = randomBytes(100_000);
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const url = await start(s.url, data.length);
      const res = await send(s.url, url, 'upload, finalize', 0, data);
      const { file } = await res.json();
      assert.equal(file.sha256Hash, wire(createHash('sha256').update(data).digest('hex')));
      names.push(file.name);
    }
    assert.equal(new Set(names).size, 3, 'three distinct files');
    const blobs = () => filesIn(path.join(s.dataDir, 'blobs'));
    assert.equal(blobs().length, 1, 'one blob on disk');
    assert.equal(statSync(blobs()[0]).size, data.length);
    for (const n of names.slice(0, 2)) {
      assert.equal((await fetch(`${s.url}/v1beta/${n}`, { method: 'DELETE', headers: { 'x-goog-api-key': KEY } })).status, 200);
      assert.equal(blobs().length, 1, 'the blob stays while a file uses it');
    }
    const last = await fetch(`${s.url}/v1beta/${names[2]}`, { headers: { 'x-goog-api-key': KEY } });
    assert.equal(last.status, 200);
    assert.equal((await fetch(`${s.url}/v1beta/${names[2]}`, { method: 'DELETE', headers: { 'x-goog-api-key': KEY } })).status, 200);
    assert.deepEqual(blobs(), [], 'deleting the last file removes the bytes');
    assert.deepEqual(filesIn(path.join(s.dataDir, 'uploads')), []);
  } finally {
    await s.close();
  }
});
