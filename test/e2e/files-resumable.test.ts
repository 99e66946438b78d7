// Google's upload protocols in detail, with plain fetch and node:http against a real server: resumable
// query/offsets/finalize/cancel, size checks, multipart/related and media uploads, hostile inputs and a
// client that vanishes mid-chunk. Every refusal must be a 4xx {error:{code,message,status}} and the
// server must keep serving afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startServer, type Running } from './harness.js';

/** A Buffer as a fetch body (typed as the DOM's BodyInit wants; no copy). */
const bodyOf = (b: Buffer | string): BodyInit =>
  typeof b === 'string' ? b : new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.length);

let server: Running;
const KEY = 'resumable-key';

before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const wireSha = (hex: string) => Buffer.from(hex).toString('base64');

async function startUpload(opts: { size?: string | number; mime?: string; meta?: string; key?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {
    'x-goog-api-key': opts.key ?? KEY,
    'X-Goog-Upload-Protocol': 'resumable',
    'X-Goog-Upload-Command': 'start',
    'Content-Type': 'application/json',
  };
  if (opts.size !== undefined) headers['X-Goog-Upload-Header-Content-Length'] = String(opts.size);
  if (opts.mime) headers['X-Goog-Upload-Header-Content-Type'] = opts.mime;
  return fetch(`${server.url}/upload/v1beta/files`, { method: 'POST', headers, body: opts.meta ?? '{"file":{"displayName":"t"}}' });
}

async function uploadUrl(opts: Parameters<typeof startUpload>[0] = {}): Promise<string> {
  const res = await startUpload(opts);
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('x-goog-upload-status'), 'active');
  const url = res.headers.get('x-goog-upload-url');
  assert.ok(url);
  return url;
}

function send(url: string, command: string, opts: { offset?: number; body?: Buffer } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'X-Goog-Upload-Command': command };
  if (opts.offset !== undefined) headers['X-Goog-Upload-Offset'] = String(opts.offset);
  return fetch(url, { method: 'POST', headers, body: bodyOf(opts.body ?? '') });
}

/** Assert a Google-shaped error with the given HTTP code; returns the message. */
async function expectError(res: Response, code: number, status?: string): Promise<string> {
  const text = await res.text();
  assert.equal(res.status, code, text);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = JSON.parse(text);
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 10);
  if (status) assert.equal(body.error.status, status);
  return body.error.message as string;
}

/** The server still answers a files.list after whatever came before. */
async function stillServing(): Promise<void> {
  const res = await fetch(`${server.url}/v1beta/files?pageSize=1`, { headers: { 'x-goog-api-key': KEY } });
  assert.equal(res.status, 200, await res.clone().text());
  await res.json();
}

const partPath = (url: string) => path.join(server.dataDir, 'uploads', `${new URL(url).searchParams.get('upload_id')}.part`);

test('query reports the bytes received; chunks at offsets; finalize returns the file', async () => {
  const data = randomBytes(300_000);
  const url = await uploadUrl({ size: data.length, mime: 'application/octet-stream' });
  let q = await send(url, 'query');
  assert.equal(q.status, 200);
  assert.equal(q.headers.get('x-goog-upload-status'), 'active');
  assert.equal(q.headers.get('x-goog-upload-size-received'), '0');
  const r1 = await send(url, 'upload', { offset: 0, body: data.subarray(0, 100_000) });
  assert.equal(r1.status, 200);
  assert.equal(r1.headers.get('x-goog-upload-status'), 'active');
  q = await send(url, 'query');
  assert.equal(q.headers.get('x-goog-upload-size-received'), '100000');
  await send(url, 'upload', { offset: 100_000, body: data.subarray(100_000, 200_000) });
  const fin = await send(url, 'upload, finalize', { offset: 200_000, body: data.subarray(200_000) });
  assert.equal(fin.status, 200);
  assert.equal(fin.headers.get('x-goog-upload-status'), 'final');
  const { file } = await fin.json();
  assert.equal(file.sizeBytes, String(data.length));
  assert.equal(file.sha256Hash, wireSha(sha(data)));
  assert.equal(file.displayName, 't');
  // a query after finalize reports final and the file
  q = await send(url, 'query');
  assert.equal(q.headers.get('x-goog-upload-status'), 'final');
  assert.equal((await q.json()).file.name, file.name);
});

test('wrong offset → 400 with the received size; nothing is lost and the upload continues', async () => {
  const data = randomBytes(200_000);
  const url = await uploadUrl({ size: data.length });
  await send(url, 'upload', { offset: 0, body: data.subarray(0, 80_000) });
  for (const offset of [0, 50_000, 80_001, 200_000]) {
    const res = await send(url, 'upload', { offset, body: data.subarray(offset, offset + 1000) });
    assert.equal(res.headers.get('x-goog-upload-size-received'), '80000');
    const msg = await expectError(res, 400, 'INVALID_ARGUMENT');
    assert.match(msg, /80000/);
  }
  const q = await send(url, 'query');
  assert.equal(q.headers.get('x-goog-upload-size-received'), '80000');
  assert.equal(statSync(partPath(url)).size, 80_000);
  const fin = await send(url, 'upload, finalize', { offset: 80_000, body: data.subarray(80_000) });
  assert.equal(fin.status, 200);
  assert.equal((await fin.json()).file.sha256Hash, wireSha(sha(data)));
});

test('a chunk after finalize is refused; cancel ends an upload', async () => {
  const url = await uploadUrl({ size: 3 });
  assert.equal((await send(url, 'upload, finalize', { offset: 0, body: Buffer.from('abc') })).status, 200);
  let res = await send(url, 'upload', { offset: 3, body: Buffer.from('d') });
  assert.equal(res.headers.get('x-goog-upload-status'), 'final');
  assert.match(await expectError(res, 400), /already been finalized/);
  res = await send(url, 'upload, finalize', { offset: 0, body: Buffer.from('abc') });
  await expectError(res, 400);

  const url2 = await uploadUrl({ size: 10 });
  await send(url2, 'upload', { offset: 0, body: Buffer.from('12345') });
  res = await send(url2, 'cancel');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-goog-upload-status'), 'cancelled');
  assert.throws(() => statSync(partPath(url2)), /ENOENT/, 'cancel removes the part');
  res = await send(url2, 'upload', { offset: 5, body: Buffer.from('67890') });
  assert.equal(res.headers.get('x-goog-upload-status'), 'cancelled');
  assert.match(await expectError(res, 400), /cancelled/);
  await stillServing();
});

test('finalize with fewer bytes than declared → 400; the upload stays open', async () => {
  const url = await uploadUrl({ size: 10 });
  const res = await send(url, 'upload, finalize', { offset: 0, body: Buffer.from('12345') });
  assert.equal(res.headers.get('x-goog-upload-status'), 'active');
  assert.match(await expectError(res, 400, 'INVALID_ARGUMENT'), /5 bytes but 10 were declared/);
  const fin = await send(url, 'upload, finalize', { offset: 5, body: Buffer.from('67890') });
  assert.equal(fin.status, 200);
  assert.equal((await fin.json()).file.sha256Hash, wireSha(sha(Buffer.from('1234567890'))));
});

test('a body larger than declared → 400 and the part is cut back', async () => {
  const url = await uploadUrl({ size: 100_000 });
  await send(url, 'upload', { offset: 0, body: randomBytes(40_000) });
  const res = await send(url, 'upload', { offset: 40_000, body: randomBytes(200_000) });
  assert.match(await expectError(res, 400, 'INVALID_ARGUMENT'), /larger than its declared size of 100000/);
  const q = await send(url, 'query');
  assert.equal(q.headers.get('x-goog-upload-size-received'), '40000');
  assert.equal(statSync(partPath(url)).size, 40_000);
  // a small overshoot in one chunk too (whole body in the first TCP read)
  const url2 = await uploadUrl({ size: 3 });
  await expectError(await send(url2, 'upload, finalize', { offset: 0, body: Buffer.from('abcd') }), 400);
  await stillServing();
});

test('unknown or missing commands → 400', async () => {
  const url = await uploadUrl({ size: 3 });
  await expectError(await send(url, 'explode'), 400, 'INVALID_ARGUMENT');
  await expectError(await send(url, 'upload, explode', { offset: 0, body: Buffer.from('abc') }), 400);
  await expectError(await send(url, ''), 400);
  await expectError(await send(url, 'upload', { body: Buffer.from('abc') }), 400, 'INVALID_ARGUMENT'); // no offset
  // a start with a command other than start
  const res = await fetch(`${server.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'X-Goog-Upload-Protocol': 'resumable', 'X-Goog-Upload-Command': 'upload' },
    body: '{}',
  });
  await expectError(res, 400);
  await expectError(await send(`${server.url}/upload/v1beta/files?upload_id=nope`, 'query'), 404, 'NOT_FOUND');
  await expectError(await send(`${server.url}/upload/v1beta/files?upload_id=${'..%2F..%2Fx'}`, 'query'), 404, 'NOT_FOUND');
  const unknownProtocol = await fetch(`${server.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'X-Goog-Upload-Protocol': 'carrier-pigeon' },
    body: 'x',
  });
  await expectError(unknownProtocol, 400);
  await stillServing();
});

test('multipart/related and plain media uploads give the same File fields as resumable', async () => {
  const data = Buffer.concat([randomBytes(50_000), Buffer.from('\r\n--not-the-boundary\r\n'), randomBytes(1000)]);
  const boundary = 'earshot-boundary-42';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{"file":{"displayName":"mp"}}\r\n--${boundary}\r\nContent-Type: audio/wav\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const mp = await fetch(`${server.url}/upload/v1beta/files?uploadType=multipart`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'X-Goog-Upload-Protocol': 'multipart', 'Content-Type': `multipart/related; boundary=${boundary}` },
    body,
  });
  assert.equal(mp.status, 200, await mp.clone().text());
  assert.equal(mp.headers.get('x-goog-upload-status'), 'final');
  const m = (await mp.json()).file;

  const media = await fetch(`${server.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'Content-Type': 'audio/wav' },
    body: data,
  });
  assert.equal(media.status, 200, await media.clone().text());
  const p = (await media.json()).file;

  const url = await uploadUrl({ size: data.length, mime: 'audio/wav', meta: '{"file":{"displayName":"mp"}}' });
  const r = (await (await send(url, 'upload, finalize', { offset: 0, body: data })).json()).file;

  const expectSha = wireSha(sha(data));
  for (const f of [m, p, r]) {
    assert.equal(f.mimeType, 'audio/wav');
    assert.equal(f.sizeBytes, String(data.length));
    assert.equal(f.sha256Hash, expectSha);
    assert.equal(f.source, 'UPLOADED');
    assert.match(f.name, /^files\/[a-z0-9-]+$/);
  }
  assert.deepEqual(Object.keys(m).sort(), Object.keys(r).sort(), 'same fields from multipart and resumable');
  assert.equal(m.displayName, 'mp');
  assert.equal(p.displayName, undefined, 'a media upload has no metadata');
  assert.deepEqual(
    Object.keys(p).sort(),
    Object.keys(r)
      .filter((k) => k !== 'displayName')
      .sort(),
  );

  // multipart without its closing boundary, or without a media part → 400
  const broken = await fetch(`${server.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'Content-Type': `multipart/related; boundary=${boundary}` },
    body: body.subarray(0, body.length - 20),
  });
  await expectError(broken, 400, 'INVALID_ARGUMENT');
  const noMedia = await fetch(`${server.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'Content-Type': `multipart/related; boundary=${boundary}` },
    body: `--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${boundary}--\r\n`,
  });
  await expectError(noMedia, 400, 'INVALID_ARGUMENT');
  await stillServing();
});

test('hostile inputs: malformed metadata, bad sizes, huge names, path-like ids → clear 4xx', async () => {
  for (const meta of ['{"file": ', '[1,2]', '{"file": "x"}', '{"file": {"displayName": 7}}', '\u0000\u0001garbage']) {
    await expectError(await startUpload({ size: 3, meta }), 400, 'INVALID_ARGUMENT');
    await stillServing();
  }
  for (const size of ['-1', '1e999', '99999999999999999999', 'abc', '1.5', ' 12x']) {
    const msg = await expectError(await startUpload({ size }), 400, 'INVALID_ARGUMENT');
    assert.match(msg, /X-Goog-Upload-Header-Content-Length|size/i);
    await stillServing();
  }
  const url = await uploadUrl({ size: 10 });
  for (const offset of ['-1', '1e999', '99999999999999999999', 'x']) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'X-Goog-Upload-Command': 'upload', 'X-Goog-Upload-Offset': offset },
      body: 'a',
    });
    await expectError(res, 400, 'INVALID_ARGUMENT');
  }
  const longName = 'n'.repeat(100_000);
  assert.match(await expectError(await startUpload({ size: 3, meta: JSON.stringify({ file: { displayName: longName } }) }), 400), /512/);
  for (const name of [
    'files/../x',
    '../x',
    'files/..%2Fx',
    'files/a/b',
    'files/UPPER',
    'files/-dash',
    'files/' + 'a'.repeat(41),
    'files/a b',
  ]) {
    await expectError(await startUpload({ size: 3, meta: JSON.stringify({ file: { name } }) }), 400, 'INVALID_ARGUMENT');
  }
  // path-like ids on get and delete
  for (const id of ['..%2Fx', '..%2F..%2Fearshot.sqlite', 'a%00b', '%2F', 'x%3Aanalysis', 'x'.repeat(90)]) {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${server.url}/v1beta/files/${id}`, { method, headers: { 'x-goog-api-key': KEY } });
      await expectError(res, 403, 'PERMISSION_DENIED');
    }
  }
  // files/../x is normalised by the URL parser to /v1beta/x: an unknown route, still JSON
  await expectError(await fetch(`${server.url}/v1beta/files/../x`, { headers: { 'x-goog-api-key': KEY } }), 404, 'NOT_FOUND');
  // bad page sizes and tokens
  for (const q of ['pageSize=-1', 'pageSize=abc', 'pageSize=1e999', 'pageToken=%2E%2E', 'pageToken=' + 'A'.repeat(500)]) {
    await expectError(await fetch(`${server.url}/v1beta/files?${q}`, { headers: { 'x-goog-api-key': KEY } }), 400, 'INVALID_ARGUMENT');
  }
  await stillServing();
});

test('list pageSize: default 10, at most 100', async () => {
  const key = 'page-size-key';
  for (let i = 0; i < 12; i++) {
    const res = await fetch(`${server.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'Content-Type': 'text/plain' },
      body: `f${i}`,
    });
    assert.equal(res.status, 200);
  }
  const list = async (q: string) => (await fetch(`${server.url}/v1beta/files${q}`, { headers: { 'x-goog-api-key': key } })).json();
  const d = await list('');
  assert.equal(d.files.length, 10);
  assert.ok(d.nextPageToken);
  const rest = await list(`?pageToken=${d.nextPageToken}`);
  assert.equal(rest.files.length, 2);
  assert.equal(rest.nextPageToken, undefined);
  assert.equal((await list('?pageSize=1000')).files.length, 12);
  assert.equal((await list('?page_size=5')).files.length, 5);
});

test('a client that disconnects mid-chunk loses only that chunk; the server keeps serving', async () => {
  const data = randomBytes(3_000_000);
  const url = new URL(await uploadUrl({ size: data.length }));
  await send(url.href, 'upload', { offset: 0, body: data.subarray(0, 1_000_000) });
  await new Promise<void>((resolve) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { 'X-Goog-Upload-Command': 'upload', 'X-Goog-Upload-Offset': '1000000', 'Content-Length': '2000000' },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(data.subarray(1_000_000, 1_700_000), () => {
      setTimeout(() => req.destroy(), 100);
    });
  });
  // the server notices the disconnect; the part goes back to the last complete chunk
  let received = '';
  for (let i = 0; i < 50; i++) {
    const q = await send(url.href, 'query');
    received = q.headers.get('x-goog-upload-size-received')!;
    if (received === '1000000' && statSync(partPath(url.href)).size === 1_000_000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(received, '1000000');
  assert.equal(statSync(partPath(url.href)).size, 1_000_000);
  await stillServing();
  const fin = await send(url.href, 'upload, finalize', { offset: 1_000_000, body: data.subarray(1_000_000) });
  assert.equal(fin.status, 200, await fin.clone().text());
  assert.equal((await fin.json()).file.sha256Hash, wireSha(sha(data)));
});

test('an id longer than the router allows still gets a Google-shaped error', async () => {
  const res = await fetch(`${server.url}/v1beta/files/${'x'.repeat(300)}`, { headers: { 'x-goog-api-key': KEY } });
  const text = await res.text();
  assert.ok(res.status >= 400 && res.status < 500, text);
  assert.ok(JSON.parse(text).error?.status, text);
  await stillServing();
});
