// Issue 13 #2: a multipart/related upload whose boundary never appears is refused after a bounded preamble,
// in linear time and bounded memory, while other clients (/healthz) keep being answered at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, type Running } from './harness.js';

let server: Running;
before(async () => {
  server = await startServer({ offline: true });
});
after(async () => server.close());

/** POST `total` bytes without any boundary, in 1 MiB writes; resolves with the status (or 'reset'). */
function postNoBoundary(total: number): Promise<{ status: number | 'reset'; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve) => {
    const req = http.request({
      hostname,
      port,
      method: 'POST',
      path: '/upload/v1beta/files',
      headers: { 'x-goog-api-key': 'mp', 'content-type': 'multipart/related; boundary=never-sent', 'content-length': total },
    });
    let done = false;
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => !done && ((done = true), resolve({ status: res.statusCode!, body })));
      res.on('error', () => !done && ((done = true), resolve({ status: res.statusCode!, body })));
    });
    req.on('error', () => !done && ((done = true), resolve({ status: 'reset', body: '' })));
    const block = Buffer.alloc(1 << 20, 'x');
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += block.length;
        if (!req.write(block)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

test('32 MiB without a boundary: refused quickly with a Google-shaped 400 while /healthz answers within 200 ms', async () => {
  for (let i = 0; i < 5; i++) await (await fetch(`${server.url}/healthz`)).text(); // warm the client's pool
  const started = Date.now();
  const upload = postNoBoundary(32 << 20);
  let worst = 0;
  let settled = false;
  void upload.then(() => (settled = true));
  while (!settled && Date.now() - started < 30_000) {
    const t = performance.now();
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    worst = Math.max(worst, performance.now() - t);
    if (process.env.DEBUG_TIMES) console.log((performance.now() - t).toFixed(0));
    await new Promise((r) => setTimeout(r, 20));
  }
  const result = await upload;
  const elapsed = Date.now() - started;
  assert.ok(worst < 200, `/healthz took ${worst.toFixed(0)} ms while the body streamed`);
  assert.ok(elapsed < 15_000, `the refusal took ${elapsed} ms`);
  // the server answers before reading the rest and closes the connection; the client may see the 400 or a reset
  if (result.status !== 'reset') {
    assert.equal(result.status, 400);
    const body = JSON.parse(result.body) as { error: { status: string; message: string } };
    assert.equal(body.error.status, 'INVALID_ARGUMENT');
    assert.match(body.error.message, /^Malformed multipart\/related upload body: no boundary "never-sent" in the first 65536 bytes\.$/);
  }
  // the server keeps serving uploads afterwards
  const ok = await fetch(`${server.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: { 'x-goog-api-key': 'mp', 'content-type': 'multipart/related; boundary=b1' },
    body: '--b1\r\nContent-Type: application/json\r\n\r\n{"file":{"displayName":"t"}}\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1--\r\n',
  });
  assert.equal(ok.status, 200);
});

test('a boundary split across many small writes is still found (the resumed search misses nothing)', async () => {
  const { hostname, port } = new URL(server.url);
  const boundary = 'split-boundary-0123456789';
  const body = Buffer.from(
    `preamble line\r\n--${boundary}\r\nContent-Type: application/json\r\n\r\n{"file":{"displayName":"split"}}\r\n--${boundary}\r\nContent-Type: text/plain\r\n\r\nsome text\r\n--${boundary}--\r\n`,
  );
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        method: 'POST',
        path: '/upload/v1beta/files',
        headers: { 'x-goog-api-key': 'mp', 'content-type': `multipart/related; boundary=${boundary}`, 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    let i = 0;
    const next = () => {
      if (i >= body.length) return void req.end();
      req.write(body.subarray(i, i + 3));
      i += 3;
      setImmediate(next);
    };
    next();
  });
  assert.equal(status, 200);
});
