// Issue 13 #7, #8, #11, #12: transport-level hardening. Every error a client can see is Google-shaped (bad
// percent-encoding, over-long names, oversized headers, malformed requests); secrets never reach the log
// and each request is one info line; a body trickling in is dropped; /metrics can require a key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { resolveConfig } from '../../src/config.js';
import { createApp, type App } from '../../src/app.js';
import { BODY_WINDOW_MS } from '../../src/api/transport.js';
import { tempDir } from '../helpers.js';

const tmp = tempDir('earshot-transport-');
const lines: string[] = [];
let app: App;
let url: string;

before(async () => {
  const config = resolveConfig({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'info',
    offline: true,
    dataDir: tmp.dir,
    modelsDir: `${tmp.dir}/models`,
  });
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  app = await createApp(config, pino({ level: 'info' }, sink));
  url = await app.listen();
});
after(async () => {
  await app.close();
  tmp.cleanup();
});

type GoogleError = { error: { code: number; message: string; status: string } };

function assertGoogleShaped(status: number, body: unknown, code: number, rpc: string) {
  assert.equal(status, code, JSON.stringify(body));
  const e = (body as GoogleError).error;
  assert.ok(e, `not Google-shaped: ${JSON.stringify(body)}`);
  assert.deepEqual(Object.keys(e).sort(), ['code', 'message', 'status']);
  assert.equal(e.code, code);
  assert.equal(e.status, rpc);
  assert.ok(!/FST_|ERR_/.test(e.message), e.message);
}

/** Send raw bytes and read the whole answer (the server closes the connection). */
function raw(data: string | Buffer): Promise<{ status: number; headers: string; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1', () => s.write(data));
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('error', reject);
    s.on('close', () => {
      const [head, ...rest] = out.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head ?? '')?.[1]), headers: head ?? '', body: rest.join('\r\n\r\n') });
    });
  });
}

test("a 5,000-character file id is a Google-shaped 400, not the router's 414", async () => {
  const res = await fetch(`${url}/v1beta/files/${'a'.repeat(5000)}`, { headers: { 'x-goog-api-key': 't' } });
  assertGoogleShaped(res.status, await res.json(), 400, 'INVALID_ARGUMENT');
});

test('files/%zz (bad percent-encoding) is a Google-shaped 400', async () => {
  const r = await raw(`GET /v1beta/files/%zz HTTP/1.1\r\nHost: x\r\nx-goog-api-key: t\r\nConnection: close\r\n\r\n`);
  assertGoogleShaped(r.status, JSON.parse(r.body), 400, 'INVALID_ARGUMENT');
});

test('oversized headers (431) and a malformed request line are Google-shaped', async () => {
  const big = await raw(`GET /v1beta/files HTTP/1.1\r\nHost: x\r\nx-big: ${'b'.repeat(20_000)}\r\n\r\n`);
  assertGoogleShaped(big.status, JSON.parse(big.body), 431, 'INVALID_ARGUMENT');
  const bad = await raw('NOT HTTP AT ALL\r\n\r\n');
  assertGoogleShaped(bad.status, JSON.parse(bad.body), 400, 'INVALID_ARGUMENT');
});

test('unknown routes, wrong content types and broken JSON are Google-shaped', async () => {
  let res = await fetch(`${url}/nowhere`);
  assertGoogleShaped(res.status, await res.json(), 404, 'NOT_FOUND');
  res = await fetch(`${url}/v1beta/models/gemini-2.5-flash:countTokens`, {
    method: 'POST',
    headers: { 'x-goog-api-key': 't', 'content-type': 'text/plain' },
    body: 'hi',
  });
  assertGoogleShaped(res.status, await res.json(), 400, 'INVALID_ARGUMENT');
  res = await fetch(`${url}/v1beta/models/gemini-2.5-flash:countTokens`, {
    method: 'POST',
    headers: { 'x-goog-api-key': 't', 'content-type': 'application/json' },
    body: '{"contents": [',
  });
  assertGoogleShaped(res.status, await res.json(), 400, 'INVALID_ARGUMENT');
});

test('?key= and upload_id= never reach the log; one info line per request', async () => {
  lines.length = 0;
  await (await fetch(`${url}/v1beta/files?key=SECRET-KEY-123`)).text();
  const start = await fetch(`${url}/upload/v1beta/files?key=SECRET-KEY-123`, {
    method: 'POST',
    headers: {
      'x-goog-upload-protocol': 'resumable',
      'x-goog-upload-command': 'start',
      'x-goog-upload-header-content-type': 'text/plain',
      'content-type': 'application/json',
    },
    body: '{}',
  });
  const uploadUrl = start.headers.get('x-goog-upload-url')!;
  const uploadId = new URL(uploadUrl).searchParams.get('upload_id')!;
  assert.ok(uploadId.length > 10);
  await (await fetch(uploadUrl, { method: 'POST', headers: { 'x-goog-upload-command': 'query' } })).text();
  await new Promise((r) => setTimeout(r, 100));
  const log = lines.join('\n');
  assert.ok(!log.includes('SECRET-KEY-123'), 'the API key was logged');
  assert.ok(!log.includes(uploadId), 'the upload capability id was logged');
  const perRequest = lines
    .map((l) => JSON.parse(l) as { msg: string; level: number; url?: string })
    .filter((l) => l.level >= 30 && l.url !== undefined);
  assert.equal(perRequest.length, 3, log);
  assert.ok(
    perRequest.every((l) => l.url!.includes('[REDACTED]')),
    log,
  );
});

test('/metrics is open by default and requires a key when metricsRequireKey is set', async () => {
  assert.equal((await fetch(`${url}/metrics`)).status, 200);
  (app.config as { metricsRequireKey?: boolean }).metricsRequireKey = true;
  try {
    const res = await fetch(`${url}/metrics`);
    assertGoogleShaped(res.status, await res.json(), 403, 'PERMISSION_DENIED');
    assert.equal((await fetch(`${url}/metrics`, { headers: { 'x-goog-api-key': 'any' } })).status, 200);
  } finally {
    (app.config as { metricsRequireKey?: boolean }).metricsRequireKey = false;
  }
});

test('a body trickling one byte every 2 s is answered 408 and dropped', { timeout: 4 * BODY_WINDOW_MS }, async () => {
  const { port } = new URL(url);
  const started = Date.now();
  const result = await new Promise<{ out: string; ms: number }>((resolve) => {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      s.write(
        'POST /v1beta/models/gemini-2.5-flash:countTokens HTTP/1.1\r\nHost: x\r\nx-goog-api-key: t\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n',
      );
    });
    let out = '';
    const timer = setInterval(() => s.writable && s.write('{'), 2000);
    s.on('data', (d) => (out += d));
    s.on('error', () => {});
    s.on('close', () => {
      clearInterval(timer);
      resolve({ out, ms: Date.now() - started });
    });
  });
  assert.ok(result.ms <= 2 * BODY_WINDOW_MS + 3000, `dropped after ${result.ms} ms`);
  assert.match(result.out, /^HTTP\/1\.1 408/);
  assertGoogleShaped(408, JSON.parse(result.out.split('\r\n\r\n')[1]!), 408, 'DEADLINE_EXCEEDED');
});
