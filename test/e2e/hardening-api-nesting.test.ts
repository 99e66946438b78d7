// Issue 13 #5: deeply nested JSON (3,000–100,000 levels) is a 400 INVALID_ARGUMENT in Google's shape on
// generateContent, countTokens and the SSE stream (it was a 500 from unbounded recursion), and the server
// keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Running } from './harness.js';

let server: Running;
before(async () => {
  server = await startServer({ offline: true });
});
after(async () => server.close());

const METHODS = ['generateContent', 'countTokens', 'streamGenerateContent?alt=sse'];

function deepArrays(depth: number): string {
  return `{"contents":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}
function deepObjects(depth: number): string {
  return `{"contents":[{"parts":[{"text":"hi"}]}],"generation_config":{"response_mime_type":"application/json","response_schema":${'{"items":'.repeat(depth)}{"type":"STRING"}${'}'.repeat(depth)}}}`;
}

async function post(method: string, body: string) {
  const res = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:${method}`, {
    method: 'POST',
    headers: { 'x-goog-api-key': 'deep', 'content-type': 'application/json' },
    body,
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as { error: { code: number; status: string; message: string } },
  };
}

for (const depth of [3_000, 100_000]) {
  for (const [shape, make] of [
    ['arrays', deepArrays],
    ['objects', deepObjects],
  ] as const) {
    test(`${depth} levels of nested ${shape} → 400 INVALID_ARGUMENT on every model method`, async () => {
      for (const method of METHODS) {
        const r = await post(method, make(depth));
        assert.equal(r.status, 400, `${method}: ${JSON.stringify(r.body)}`);
        assert.match(r.type!, /application\/json/);
        assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'message', 'status']);
        assert.equal(r.body.error.code, 400);
        assert.equal(r.body.error.status, 'INVALID_ARGUMENT');
        assert.match(r.body.error.message, /^Invalid JSON payload received\. .*more than 100 levels deep\.$/);
      }
    });
  }
}

test('nesting within the limit is still read normally, and the server keeps serving', async () => {
  const r = await post('countTokens', deepObjects(20).replace('"response_schema"', '"x_unused"'));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});
