// Issue 9: the unary and streaming paths give the same error for the same failure. A text model that is not
// installed answered 500 "Internal error encountered." on generateContent but `Generation failed: …` on the
// stream; both now go through one mapping (src/api/respond.ts → api/errors' toWireError).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Running } from './harness.js';

let server: Running;
before(async () => {
  server = await startServer({ offline: true, engines: { text: 'llama', llamaModel: 'no-such-model-q4' } });
});
after(async () => server.close());

async function call(method: string) {
  const res = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:${method}`, {
    method: 'POST',
    headers: { 'x-goog-api-key': 'same', 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ parts: [{ text: 'Say hello.' }] }] }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as { error: { code: number; message: string; status: string } },
  };
}

test('a text model that is not installed: the same catalogued error on generateContent and both stream forms', async () => {
  const unary = await call('generateContent');
  const sse = await call('streamGenerateContent?alt=sse');
  const array = await call('streamGenerateContent');
  assert.ok(unary.body.error, JSON.stringify(unary.body));
  assert.ok(unary.status >= 400);
  for (const other of [sse, array]) {
    assert.equal(other.status, unary.status);
    assert.match(other.type!, /application\/json/);
    assert.deepEqual(other.body, unary.body);
  }
  assert.doesNotMatch(unary.body.error.message, /Generation failed/);
  assert.ok(!unary.body.error.message.includes(server.dataDir), 'no server path in the message');
});
