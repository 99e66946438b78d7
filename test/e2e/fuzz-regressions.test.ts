// Defects the request fuzzer (fuzz-surface.test.ts) found, each pinned as the exact request that showed it,
// so they stay fixed whatever seed the fuzz runs with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Running } from './harness.js';
import { send } from './fuzz/raw-http.js';
import { judge } from './fuzz/oracle.js';
import { tinyWav } from './fuzz/tiny-wav.js';

let server: Running;
before(async () => {
  server = await startServer({ offline: true, engines: { speech: 'none', sounds: 'none', vad: 'none' } });
});
after(async () => server?.close());

test('a repeated uploadType query parameter is read as its first value, not a 500 (seed 1253414)', async () => {
  const wav = tinyWav(0.2);
  for (const query of ['uploadType=media&uploadType=', 'upload_type=media&upload_type=bogus', 'uploadType=bogus&uploadType=media']) {
    const req = {
      method: 'POST',
      path: `/upload/v1beta/files?${query}`,
      headers: [
        ['x-goog-api-key', 'dup'],
        ['content-type', 'audio/wav'],
      ] as [string, string][],
      body: wav,
    };
    const res = await send(server.url, req, 10_000);
    assert.ok(res, 'answered');
    assert.deepEqual(judge(req, res, server.dataDir), [], `${query}: ${res.status} ${res.body}`);
    if (query.startsWith('uploadType=bogus')) {
      assert.equal(res.status, 400);
      assert.match(JSON.parse(res.body.toString()).error.message, /bogus/);
    } else assert.equal(res.status, 200, res.body.toString());
  }
  const multi = Buffer.concat([
    Buffer.from('--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\nContent-Type: audio/wav\r\n\r\n'),
    wav,
    Buffer.from('\r\n--b--\r\n'),
  ]);
  const res = await send(
    server.url,
    {
      method: 'POST',
      path: '/upload/v1beta/files?uploadType=multipart&uploadType=',
      headers: [
        ['x-goog-api-key', 'dup'],
        ['content-type', 'multipart/related; boundary=b'],
      ],
      body: multi,
    },
    10_000,
  );
  assert.equal(res?.status, 200, res?.body.toString());
});

test("an Expect other than 100-continue, and CONNECT, are answered in Google's shape (seed 1253414)", async () => {
  const cases = [
    {
      method: 'POST',
      path: '/upload/v1beta/files?upload_id=none',
      headers: [
        ['x-goog-api-key', 'k'],
        ['expect', 'something-else'],
      ] as [string, string][],
    },
    {
      method: 'GET',
      path: '/v1beta/files',
      headers: [
        ['x-goog-api-key', 'k'],
        ['expect', 'x'],
      ] as [string, string][],
    },
    { method: 'CONNECT', path: '/v1beta/files/abc', headers: [['x-goog-api-key', 'k']] as [string, string][] },
    { method: 'CONNECT', path: '127.0.0.1:22', headers: [] as [string, string][] },
  ];
  for (const req of cases) {
    const res = await send(server.url, req, 10_000);
    assert.ok(res, `${req.method} ${req.path}: answered`);
    assert.equal(res.status, 400, `${req.method} ${req.path}: ${res.status} ${res.body}`);
    assert.deepEqual(judge(req, res, server.dataDir), [], `${req.method} ${req.path}`);
  }
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});

test('CONNECT or an odd Expect with a large body is answered and its connection closed, not left hanging (seed 178855176)', async () => {
  for (const [method, headers] of [
    ['CONNECT', []],
    ['POST', [['expect', 'x']]],
  ] as [string, [string, string][]][]) {
    const req = {
      method,
      path: '/v1beta/models/gemini-2.5-flash:countTokens',
      headers: [...headers, ['content-type', 'application/json']] as [string, string][],
      body: Buffer.alloc(4_300_000, 'x'),
    };
    const res = await send(server.url, req, 10_000);
    assert.equal(res?.status, 400, method);
    assert.deepEqual(judge(req, res, server.dataDir), []);
  }
});
