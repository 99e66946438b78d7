// Time-outs, retries and the circuit breaker of remote engines, against real HTTP servers started here: the
// OpenAI-compatible transcription stand-in (test/engines/speech/transcription-server.ts, in place of speaches /
// vLLM, which cannot run here) for the speech engine, and a small chat-completions server for the text engine.
// A dead engine server must fail a job promptly with a catalogued error, never hang it.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteSpeech } from '../../../src/engines/speech/openai-remote.js';
import { createOpenAiCompatibleGenerator } from '../../../src/engines/text/openai.js';
import { isEarshotError } from '../../../src/domain/errors.js';
import { startTranscriptionServer, type TranscriptionServer } from '../speech/transcription-server.js';

/** 1.5 s of a 440 Hz tone with a short pause in the middle: two bursts for the stand-in to "hear". */
const pcm = Float32Array.from({ length: 24_000 }, (_, i) =>
  i > 11_000 && i < 13_000 ? 0 : 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16_000),
);

const servers: { close(): Promise<void> }[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function stand(plan: TranscriptionServer['plan'], port?: number): Promise<TranscriptionServer> {
  const s = await startTranscriptionServer(plan, port);
  servers.push(s);
  return s;
}

/** How long `run` takes, from the call itself (a call does synchronous work before its first await). */
const elapsed = async (run: () => Promise<unknown>): Promise<{ ms: number; err?: unknown }> => {
  const t0 = performance.now();
  try {
    await run();
    return { ms: performance.now() - t0 };
  } catch (err) {
    return { ms: performance.now() - t0, err };
  }
};

test('a server that never answers: a catalogued error within the time-out, not retried', async () => {
  const server = await stand(['hang']);
  const speech = createRemoteSpeech({ baseUrl: server.url, model: 'm', timeoutMs: 400, backoffMs: 10 });
  const { ms, err } = await elapsed(() => speech.transcribe(pcm));
  assert.ok(isEarshotError(err, 'ENGINE_UNAVAILABLE'), String(err));
  assert.ok(isEarshotError((err as Error).cause, 'REMOTE_TIMEOUT'));
  assert.match(
    (err as Error).message,
    /speech server at http:\/\/127\.0\.0\.1:\d+\/v1\/audio\/transcriptions is unavailable .*did not answer within 0\.4 s/,
  );
  assert.ok(ms >= 390 && ms < 1500, `failed after ${ms.toFixed(0)} ms`);
  assert.equal(server.seen.length, 1, 'a time-out is not retried');
});

test('503 twice, then 200: the call succeeds after two retries with back-off', async () => {
  const server = await stand([{ status: 503, message: 'loading model' }, { status: 503 }, 'words']);
  const speech = createRemoteSpeech({ baseUrl: server.url, model: 'm', timeoutMs: 5000, backoffMs: 50 });
  const { ms, err } = await elapsed(() => speech.transcribe(pcm));
  assert.equal(err, undefined);
  assert.equal(server.seen.length, 3);
  assert.ok(ms >= 50, `back-off waited (${ms.toFixed(0)} ms)`);
  const again = await speech.transcribe(pcm);
  assert.deepEqual(
    again.segments.flatMap((s) => s.words.map((w) => w.text)),
    ['w1', 'w2'],
  );
});

test('429 and 5xx past the retries: ENGINE_UNAVAILABLE naming the attempts and the last answer', async () => {
  const server = await stand([{ status: 429, message: 'slow down' }]);
  const speech = createRemoteSpeech({ baseUrl: server.url, model: 'm', timeoutMs: 5000, retries: 1, backoffMs: 10 });
  const { err } = await elapsed(() => speech.transcribe(pcm));
  assert.ok(isEarshotError(err, 'ENGINE_UNAVAILABLE'), String(err));
  assert.match((err as Error).message, /2 attempts failed, the last with: .*answered 429 .*slow down/);
  assert.equal(server.seen.length, 2);
});

test('server down: the breaker opens, calls fail fast without the network, and a half-open probe closes it', async () => {
  const server = await stand(['words']);
  const port = server.port;
  const speech = createRemoteSpeech({
    baseUrl: server.url,
    model: 'm',
    timeoutMs: 2000,
    retries: 1,
    backoffMs: 10,
    breakerFailures: 3,
    breakerResetMs: 700,
  });
  await speech.transcribe(pcm);
  await server.close();

  // 3 consecutive refused connections (2 attempts, then 1 more) open the breaker
  const first = await elapsed(() => speech.transcribe(pcm));
  assert.ok(isEarshotError(first.err, 'ENGINE_UNAVAILABLE'), String(first.err));
  assert.match((first.err as Error).message, /ECONNREFUSED/);
  const second = await elapsed(() => speech.transcribe(pcm));
  assert.ok(isEarshotError(second.err, 'ENGINE_UNAVAILABLE'));
  assert.equal(speech.breaker, 'open');
  assert.match((second.err as Error).message, /3 requests in a row failed, the last with: .*ECONNREFUSED.*next try is in up to 0\.7 s/);

  // the server is back, but the breaker is still open: fail fast, and nothing reaches the server
  const back = await stand(['words'], port);
  for (let i = 0; i < 5; i++) {
    const fast = await elapsed(() => speech.transcribe(pcm));
    assert.ok(isEarshotError(fast.err, 'ENGINE_UNAVAILABLE'), String(fast.err));
    assert.ok(fast.ms < 50, `an open breaker answered in ${fast.ms.toFixed(1)} ms`);
  }
  assert.equal(back.seen.length, 0, 'no request while the breaker is open');

  // after the reset time one probe goes through; it succeeds and the breaker closes
  await new Promise((r) => setTimeout(r, 750));
  const probe = await speech.transcribe(pcm);
  assert.ok(probe.segments.length > 0);
  assert.equal(back.seen.length, 1);
  assert.equal(speech.breaker, 'closed');
  await speech.transcribe(pcm);
  assert.equal(back.seen.length, 2);
});

test("the caller's abort stops at once, is rethrown as is, and does not count against the server", async () => {
  const server = await stand(['hang']);
  const speech = createRemoteSpeech({ baseUrl: server.url, model: 'm', timeoutMs: 10_000, breakerFailures: 1 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('job cancelled')), 100);
  const { ms, err } = await elapsed(() => speech.transcribe(pcm, { signal: controller.signal }));
  assert.equal((err as Error).message, 'job cancelled');
  assert.ok(ms < 1000);
  assert.equal(speech.breaker, 'closed');
});

test('the text engine: 503 then a stream succeeds; a dead server opens its breaker too', async () => {
  let calls = 0;
  const chat = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      if (calls === 1) return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"message":"warming up"}}');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        'data: {"choices":[{"delta":{"content":"hello"}}]}\n\ndata: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
      );
    });
  });
  await new Promise<void>((r) => chat.listen(0, '127.0.0.1', r));
  const port = (chat.address() as AddressInfo).port;
  const gen = createOpenAiCompatibleGenerator({
    baseUrl: `http://127.0.0.1:${port}/v1`,
    model: 'q',
    timeoutMs: 2000,
    retries: 1,
    backoffMs: 10,
    breakerFailures: 2,
    breakerResetMs: 60_000,
  });
  let text = '';
  for await (const c of gen.generate({ messages: [{ role: 'user', content: 'hi' }] })) text += c.text;
  assert.equal(text, 'hello');
  assert.equal(calls, 2);

  chat.closeAllConnections();
  await new Promise((r) => chat.close(r));
  const drain = async () => {
    for await (const _ of gen.generate({ messages: [{ role: 'user', content: 'hi' }] })) void _;
  };
  const down = await elapsed(() => drain());
  assert.ok(isEarshotError(down.err, 'ENGINE_UNAVAILABLE'), String(down.err));
  assert.match((down.err as Error).message, /text server .*cannot reach the OpenAI-compatible server .*ECONNREFUSED/);
  const fast = await elapsed(() => drain());
  assert.ok(isEarshotError(fast.err, 'ENGINE_UNAVAILABLE'));
  assert.ok(fast.ms < 50, `${fast.ms.toFixed(1)} ms`);
});
