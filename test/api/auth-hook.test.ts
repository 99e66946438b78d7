// Auth as a hook: every API route answers Gemini's 403 without a key (and 400 API_KEY_INVALID for an unknown
// key when keys are configured) before its handler or body parser runs; upload session URLs are their own
// capability and need no key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Running } from '../e2e/harness.js';

let s: Running;
before(async () => {
  s = await startServer({ offline: true, apiKeys: 'good-key=alpha' });
});
after(async () => s.close());

const ROUTES: [string, string, string?][] = [
  ['GET', '/v1beta/files'],
  ['GET', '/v1/files/abc'],
  ['DELETE', '/v1beta/files/abc'],
  ['GET', '/v1beta/models'],
  ['GET', '/v1alpha/models/gemini-2.5-flash'],
  ['POST', '/v1beta/models/gemini-2.5-flash:countTokens', '{"contents": ['],
  ['POST', '/v1beta/models/gemini-2.5-flash:generateContent', '{}'],
  ['POST', '/upload/v1beta/files', 'bytes'],
];

test('no key: 403 PERMISSION_DENIED on every API route, even with a broken body', async () => {
  for (const [method, path, body] of ROUTES) {
    const res = await fetch(`${s.url}${path}`, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
    const json = (await res.json()) as { error: { status: string; message: string } };
    assert.equal(res.status, 403, `${method} ${path}`);
    assert.equal(json.error.status, 'PERMISSION_DENIED');
    assert.match(json.error.message, /API Key/);
  }
});

test("an unknown key: 400 API_KEY_INVALID with Google's ErrorInfo; the configured key passes", async () => {
  for (const [method, path, body] of ROUTES) {
    const res = await fetch(`${s.url}${path}`, {
      method,
      body,
      headers: { 'x-goog-api-key': 'bad-key', ...(body ? { 'content-type': 'application/json' } : {}) },
    });
    const json = (await res.json()) as { error: { status: string; details: { reason: string }[] } };
    assert.equal(res.status, 400, `${method} ${path}`);
    assert.equal(json.error.details[0]!.reason, 'API_KEY_INVALID');
  }
  assert.equal((await fetch(`${s.url}/v1beta/files?key=good-key`)).status, 200);
});

test('an upload session URL needs no key', async () => {
  const start = await fetch(`${s.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: {
      'x-goog-api-key': 'good-key',
      'x-goog-upload-protocol': 'resumable',
      'x-goog-upload-command': 'start',
      'x-goog-upload-header-content-type': 'text/plain',
      'content-type': 'application/json',
    },
    body: '{}',
  });
  const url = start.headers.get('x-goog-upload-url')!;
  const q = await fetch(url, { method: 'POST', headers: { 'x-goog-upload-command': 'query' } });
  assert.equal(q.status, 200);
  assert.equal(q.headers.get('x-goog-upload-status'), 'active');
});
