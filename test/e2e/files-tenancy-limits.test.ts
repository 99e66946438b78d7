// Tenancy and limits of the Files API against real servers: projects per key (open mode and configured
// keys), and each configured limit (file size, project quota, TTL with the sweeper, display name length).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, type Running } from './harness.js';

/** A Buffer as a fetch body (typed as the DOM's BodyInit wants; no copy). */
const bodyOf = (b: Buffer | string): BodyInit =>
  typeof b === 'string' ? b : new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.length);

async function media(s: Running, key: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit & { duplex?: string } = {
    method: 'POST',
    headers: { 'x-goog-api-key': key, 'Content-Type': 'text/plain', ...headers },
    body,
  };
  if (body instanceof ReadableStream) init.duplex = 'half';
  return fetch(`${s.url}/upload/v1beta/files`, init);
}

async function upload(s: Running, key: string, body: string | Buffer, displayName?: string): Promise<{ name: string; sha256Hash: string }> {
  const start = await fetch(`${s.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: {
      'x-goog-api-key': key,
      'X-Goog-Upload-Protocol': 'resumable',
      'X-Goog-Upload-Command': 'start',
      'X-Goog-Upload-Header-Content-Length': String(Buffer.byteLength(body)),
      'X-Goog-Upload-Header-Content-Type': 'text/plain',
    },
    body: JSON.stringify({ file: displayName === undefined ? {} : { displayName } }),
  });
  assert.equal(start.status, 200, await start.clone().text());
  const res = await fetch(start.headers.get('x-goog-upload-url')!, {
    method: 'POST',
    headers: { 'X-Goog-Upload-Command': 'upload, finalize', 'X-Goog-Upload-Offset': '0' },
    body: bodyOf(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).file;
}

const get = (s: Running, key: string, name: string, method = 'GET') =>
  fetch(`${s.url}/v1beta/${name}`, { method, headers: { 'x-goog-api-key': key } });
async function names(s: Running, key: string): Promise<string[]> {
  const res = await fetch(`${s.url}/v1beta/files?pageSize=100`, { headers: { 'x-goog-api-key': key } });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()).files ?? []).map((f: { name: string }) => f.name).sort();
}

async function expectError(res: Response, code: number, status: string): Promise<{ message: string; details?: unknown[] }> {
  const text = await res.text();
  assert.equal(res.status, code, text);
  const body = JSON.parse(text);
  assert.equal(body.error.code, code);
  assert.equal(body.error.status, status);
  return body.error;
}

function blobOf(s: Running, wireSha: string): string {
  const hex = Buffer.from(wireSha, 'base64').toString();
  return path.join(s.dataDir, 'blobs', hex.slice(0, 2), hex);
}

test('open mode: each key is its own project', async () => {
  const s = await startServer();
  try {
    const a = await upload(s, 'key-a', 'from a');
    const b = await upload(s, 'key-b', 'from b');
    assert.deepEqual(await names(s, 'key-a'), [a.name]);
    assert.deepEqual(await names(s, 'key-b'), [b.name]);
    await expectError(await get(s, 'key-a', b.name), 403, 'PERMISSION_DENIED');
    const del = await expectError(await get(s, 'key-a', b.name, 'DELETE'), 403, 'PERMISSION_DENIED');
    assert.match(del.message, /You do not have permission to access the File .* or it may not exist/);
    assert.equal((await get(s, 'key-b', b.name)).status, 200, 'a refused delete left the file alone');
    assert.equal((await get(s, 'key-b', b.name, 'DELETE')).status, 200);
  } finally {
    await s.close();
  }
});

test('configured keys: unknown key → 400 API_KEY_INVALID; projects isolated; keys may share a project', async () => {
  const s = await startServer({ apiKeys: 'k1=alpha,k2=beta,k3=alpha' });
  try {
    const err = await expectError(await fetch(`${s.url}/v1beta/files`, { headers: { 'x-goog-api-key': 'nope' } }), 400, 'INVALID_ARGUMENT');
    assert.equal(err.message, 'API key not valid. Please pass a valid API key.');
    assert.deepEqual((err.details?.[0] as { reason: string } | undefined)?.reason, 'API_KEY_INVALID');
    await expectError(await media(s, 'nope', 'x'), 400, 'INVALID_ARGUMENT');
    await expectError(await fetch(`${s.url}/v1beta/files`), 403, 'PERMISSION_DENIED');

    const f1 = await upload(s, 'k1', 'alpha data');
    const f2 = await upload(s, 'k2', 'beta data');
    assert.deepEqual(await names(s, 'k1'), [f1.name]);
    assert.deepEqual(await names(s, 'k2'), [f2.name]);
    assert.deepEqual(await names(s, 'k3'), [f1.name], 'k3 maps to the same project as k1');
    await expectError(await get(s, 'k2', f1.name), 403, 'PERMISSION_DENIED');
    await expectError(await get(s, 'k1', f2.name, 'DELETE'), 403, 'PERMISSION_DENIED');
    assert.equal((await get(s, 'k3', f1.name, 'DELETE')).status, 200);
    assert.deepEqual(await names(s, 'k1'), []);
  } finally {
    await s.close();
  }
});

test('maxFileBytes: declared too big → 400 at start; undeclared body too big → 400', async () => {
  const s = await startServer({ limits: { maxFileBytes: 1000 } });
  try {
    await upload(s, 'k', Buffer.alloc(1000, 1)); // exactly the limit is fine
    const start = await fetch(`${s.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        'x-goog-api-key': 'k',
        'X-Goog-Upload-Protocol': 'resumable',
        'X-Goog-Upload-Command': 'start',
        'X-Goog-Upload-Header-Content-Length': '1001',
      },
      body: '{}',
    });
    assert.match((await expectError(start, 400, 'INVALID_ARGUMENT')).message, /1001 bytes exceeds the limit of 1000/);
    // media upload with Content-Length over the limit
    await expectError(await media(s, 'k', Buffer.alloc(1001)), 400, 'INVALID_ARGUMENT');
    // chunked media upload (no size declared) that grows past the limit
    const chunks = [Buffer.alloc(600), Buffer.alloc(600)];
    const stream = new ReadableStream({
      pull(c) {
        const next = chunks.shift();
        if (next) c.enqueue(next);
        else c.close();
      },
    });
    assert.match((await expectError(await media(s, 'k', stream), 400, 'INVALID_ARGUMENT')).message, /limit of 1000 bytes/);
    // resumable without a declared size, chunk over the limit
    const s2 = await fetch(`${s.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'k', 'X-Goog-Upload-Protocol': 'resumable', 'X-Goog-Upload-Command': 'start' },
      body: '{}',
    });
    const url = s2.headers.get('x-goog-upload-url')!;
    assert.equal(
      (
        await fetch(url, {
          method: 'POST',
          headers: { 'X-Goog-Upload-Command': 'upload', 'X-Goog-Upload-Offset': '0' },
          body: Buffer.alloc(700),
        })
      ).status,
      200,
    );
    const over = await fetch(url, {
      method: 'POST',
      headers: { 'X-Goog-Upload-Command': 'upload, finalize', 'X-Goog-Upload-Offset': '700' },
      body: Buffer.alloc(301),
    });
    await expectError(over, 400, 'INVALID_ARGUMENT');
    const q = await fetch(url, { method: 'POST', headers: { 'X-Goog-Upload-Command': 'query' } });
    assert.equal(q.headers.get('x-goog-upload-size-received'), '700');
    assert.equal((await names(s, 'k')).length, 1);
  } finally {
    await s.close();
  }
});

test('maxProjectBytes: over quota → 429 RESOURCE_EXHAUSTED, freed by delete', async () => {
  const s = await startServer({ limits: { maxProjectBytes: 2500, maxFileBytes: 1000 } });
  try {
    const a = await upload(s, 'q', Buffer.alloc(1000, 1));
    await upload(s, 'q', Buffer.alloc(1000, 2));
    const err = await expectError(await media(s, 'q', Buffer.alloc(1000, 3)), 429, 'RESOURCE_EXHAUSTED');
    assert.match(err.message, /quota/i);
    assert.match(err.message, /Delete files/);
    // a resumable start that declares too much is refused the same way
    const start = await fetch(`${s.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        'x-goog-api-key': 'q',
        'X-Goog-Upload-Protocol': 'resumable',
        'X-Goog-Upload-Command': 'start',
        'X-Goog-Upload-Header-Content-Length': '600',
      },
      body: '{}',
    });
    await expectError(start, 429, 'RESOURCE_EXHAUSTED');
    // the quota is per project
    await upload(s, 'other', Buffer.alloc(1000, 4));
    assert.equal((await get(s, 'q', a.name, 'DELETE')).status, 200);
    await upload(s, 'q', Buffer.alloc(1000, 5));
    assert.equal((await names(s, 'q')).length, 2);
  } finally {
    await s.close();
  }
});

test('fileTtlSec: an expired file is invisible at once; the sweeper removes its bytes', async () => {
  const s = await startServer({ limits: { fileTtlSec: 1 } });
  try {
    const body = `short-lived ${Date.now()}`;
    const f = await upload(s, 't', body);
    assert.equal(Buffer.from(f.sha256Hash, 'base64').toString(), createHash('sha256').update(body).digest('hex'));
    const got = await (await get(s, 't', f.name)).json();
    assert.equal(Date.parse(got.expirationTime) - Date.parse(got.createTime), 1000);
    assert.deepEqual(await names(s, 't'), [f.name]);
    const blob = blobOf(s, f.sha256Hash);
    assert.ok(existsSync(blob));
    await new Promise((r) => setTimeout(r, Date.parse(got.expirationTime) - Date.now() + 20));
    await expectError(await get(s, 't', f.name), 403, 'PERMISSION_DENIED');
    assert.deepEqual(await names(s, 't'), []);
    assert.equal(await s.app.files.sweepExpired(), 1);
    assert.ok(!existsSync(blob), 'bytes removed by the sweep');
    assert.equal(await s.app.files.sweepExpired(), 0);
  } finally {
    await s.close();
  }
});

test('the periodic sweeper runs on its own', async () => {
  const s = await startServer({ limits: { fileTtlSec: 1 }, sweepIntervalSec: 0.2 });
  try {
    const f = await upload(s, 't', `swept by the timer ${Date.now()}`);
    const blob = blobOf(s, f.sha256Hash);
    const t0 = Date.now();
    while (existsSync(blob) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 100));
    assert.ok(!existsSync(blob), 'the sweeper removed the expired bytes');
    assert.equal(await s.app.files.getAny('key:t', f.name.slice(6)), undefined);
  } finally {
    await s.close();
  }
});

test('maxDisplayNameChars', async () => {
  const s = await startServer({ limits: { maxDisplayNameChars: 10 } });
  try {
    const ok = await upload(s, 'd', 'x', '0123456789');
    assert.equal(((await (await get(s, 'd', ok.name)).json()) as { displayName: string }).displayName, '0123456789');
    const start = await fetch(`${s.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        'x-goog-api-key': 'd',
        'X-Goog-Upload-Protocol': 'resumable',
        'X-Goog-Upload-Command': 'start',
        'X-Goog-Upload-Header-Content-Length': '1',
      },
      body: JSON.stringify({ file: { displayName: '01234567890' } }),
    });
    assert.match((await expectError(start, 400, 'INVALID_ARGUMENT')).message, /11 characters long; the limit is 10/);
  } finally {
    await s.close();
  }
});
