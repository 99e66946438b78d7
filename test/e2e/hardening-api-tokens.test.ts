// Issue 13 #4: one large text prompt must not stall token counting for everyone. A 4 MB text countTokens
// is counted in turns, so a two-word countTokens answers while it runs; text that is certainly over the
// model's input limit (1,048,576 tokens) is refused at once with Gemini's own message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Running } from './harness.js';
import { chunkTexts } from '../../src/understanding/tokenizer.js';

let server: Running;
const URL_OF = (m: string) => `${server.url}/v1beta/models/gemini-2.5-flash:${m}`;
const HEADERS = { 'x-goog-api-key': 'tok', 'content-type': 'application/json' };

before(async () => {
  server = await startServer({ offline: true });
  // the tokenizer loads in the background; wait for readiness so timings measure counting only
  for (let i = 0; i < 600; i++) {
    const r = (await (await fetch(`${server.url}/readyz`)).json()) as { problems?: Record<string, string> };
    if (!r.problems?.tokenizer) break;
    await new Promise((r) => setTimeout(r, 200));
  }
});
after(async () => server.close());

function prose(bytes: number): string {
  const words = ['audio', 'token', 'speech', 'the', 'meeting', 'recorded', 'quarterly', 'numbers', 'and', 'a'];
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const w = words[(i * 7 + (i >> 3)) % words.length]!;
    out.push(w);
    n += w.length + 1;
  }
  return out.join(' ');
}

async function count(text: string, signal?: AbortSignal) {
  const res = await fetch(URL_OF('countTokens'), {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ contents: [{ parts: [{ text }] }] }),
    signal,
  });
  return {
    status: res.status,
    body: (await res.json()) as { totalTokens?: number; error?: { code: number; status: string; message: string } },
  };
}

test('a two-word countTokens answers while a 4 MB text is being counted', async () => {
  const small = await count('two words');
  assert.equal(small.status, 200);
  const expected = small.body.totalTokens;
  assert.ok(expected && expected >= 2);

  const abort = new AbortController();
  let bigDone = false;
  const big = count(prose(4_000_000), abort.signal).then(
    () => (bigDone = true),
    () => (bigDone = true),
  );
  await new Promise((r) => setTimeout(r, 1500)); // the big one is parsed, resolved and being counted
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = await count('two words');
    times.push(performance.now() - t);
    assert.equal(r.status, 200);
    assert.equal(r.body.totalTokens, expected);
  }
  assert.equal(bigDone, false, 'the 4 MB count should still be running (else this test proves nothing)');
  // one turn of the tokenizer is ~0.1 s on an idle core; the small request waits at most one turn, not the
  // ~50 s the big one needs. The bound is generous for a loaded machine.
  const worst = Math.max(...times);
  assert.ok(worst < 1000, `two-word countTokens took ${times.map((t) => t.toFixed(0)).join(', ')} ms behind a 4 MB count`);
  abort.abort();
  await big;
});

test("text certainly over the input limit is refused at once with Gemini's 400", async () => {
  const t = performance.now();
  const r = await count(prose(5 * 1024 * 1024));
  assert.ok(performance.now() - t < 5000, 'refused from its size, without tokenizing');
  assert.equal(r.status, 400);
  assert.equal(r.body.error!.status, 'INVALID_ARGUMENT');
  assert.match(r.body.error!.message, /^The input token count \(\d+\) exceeds the maximum number of tokens allowed \(1048576\)\.$/);
  const g = await fetch(URL_OF('generateContent'), {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ contents: [{ parts: [{ text: prose(5 * 1024 * 1024) }] }] }),
  });
  assert.equal(g.status, 400);
});

test('chunking keeps every character and cuts each piece at a word end', () => {
  const text = prose(50_000);
  const pieces = chunkTexts([text, '', 'short'], 8192);
  assert.equal(
    pieces
      .filter(([i]) => i === 0)
      .map(([, p]) => p)
      .join(''),
    text,
  );
  for (const [i, p] of pieces) if (i === 0 && p !== pieces.at(-2)![1]) assert.ok(/\S$/.test(p), 'a piece ends at a word end');
  assert.deepEqual(pieces.at(-1), [2, 'short']);
});
