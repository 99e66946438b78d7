// SIGTERM while an upload chunk is in flight: the chunk finishes, the process exits 0, and after a restart
// the upload continues from the bytes received. Also: the models resource through the SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { GoogleGenAI } from '@google/genai';
import { spawnServer, startServer } from './harness.js';
import { tempDir } from '../helpers.js';

function post(
  url: string,
  headers: Record<string, string>,
): { req: http.ClientRequest; done: Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> } {
  const req = http.request(url, { method: 'POST', headers });
  const done = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
  return { req, done };
}

test('SIGTERM lets the chunk in flight finish, exits 0, and the upload resumes after restart', async () => {
  const tmp = tempDir();
  try {
    let server = await spawnServer(tmp.dir, { EARSHOT_OFFLINE: '1' });
    const total = 4 * 1024 * 1024;
    const start = post(`${server.url}/upload/v1beta/files`, {
      'x-goog-api-key': 'k',
      'x-goog-upload-protocol': 'resumable',
      'x-goog-upload-command': 'start',
      'x-goog-upload-header-content-length': String(total),
      'x-goog-upload-header-content-type': 'application/octet-stream',
      'content-type': 'application/json',
    });
    start.req.end('{"file":{"displayName":"shutdown"}}');
    const uploadUrl = (await start.done).headers['x-goog-upload-url'] as string;
    const half = total / 2;
    const chunk = post(uploadUrl, { 'x-goog-upload-command': 'upload', 'x-goog-upload-offset': '0', 'content-length': String(half) });
    chunk.req.write(Buffer.alloc(half / 2, 1));
    await new Promise((r) => setTimeout(r, 300));
    const exited = server.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    chunk.req.end(Buffer.alloc(half / 2, 1));
    const res = await chunk.done;
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers['x-goog-upload-size-received'], String(half));
    assert.equal(await exited, 0);

    server = await spawnServer(tmp.dir, { EARSHOT_OFFLINE: '1' });
    const resumed = uploadUrl.replace(/^http:\/\/[^/]+/, server.url);
    const q = post(resumed, { 'x-goog-upload-command': 'query' });
    q.req.end();
    assert.equal((await q.done).headers['x-goog-upload-size-received'], String(half));
    const rest = post(resumed, {
      'x-goog-upload-command': 'upload, finalize',
      'x-goog-upload-offset': String(half),
      'content-length': String(half),
    });
    rest.req.end(Buffer.alloc(half, 1));
    const fin = await rest.done;
    assert.equal(fin.status, 200, fin.body);
    assert.equal(JSON.parse(fin.body).file.sizeBytes, String(total));
    assert.equal(await server.stop('SIGTERM'), 0);
  } finally {
    tmp.cleanup();
  }
});

test('models: list walks the pager and get answers for Gemini names; unknown names are NOT_FOUND', async () => {
  const s = await startServer({ offline: true });
  try {
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: s.url } });
    const names: string[] = [];
    for await (const m of await ai.models.list({ config: { pageSize: 4 } })) names.push(m.name!);
    assert.ok(names.includes('models/gemini-2.5-flash') && names.includes('models/gemini-1.5-flash'));
    assert.equal(new Set(names).size, names.length);
    const m = await ai.models.get({ model: 'gemini-2.0-flash' });
    assert.equal(m.name, 'models/gemini-2.0-flash');
    assert.ok(m.inputTokenLimit! > 0);
    await assert.rejects(ai.models.get({ model: 'not-a-model' }), /NOT_FOUND/);
  } finally {
    await s.close();
  }
});
