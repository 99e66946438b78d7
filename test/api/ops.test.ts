// Operating the server: metrics, health and readiness, through real HTTP.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Running } from '../e2e/harness.js';

let s: Running;
before(async () => {
  s = await startServer({ offline: true });
});
after(async () => s.close());

test('/healthz answers at once; /readyz becomes ready once engines and tokenizer are loaded', async () => {
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  let status = 0;
  let body: unknown;
  for (let i = 0; i < 300 && status !== 200; i++) {
    const res = await fetch(`${s.url}/readyz`);
    status = res.status;
    body = await res.json();
    if (status === 503) assert.ok((body as { problems: object }).problems);
    if (status !== 200) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(status, 200, JSON.stringify(body));
});

test('/metrics counts requests by route and status, in Prometheus text format', async () => {
  await fetch(`${s.url}/v1beta/files`, { headers: { 'x-goog-api-key': 'm' } });
  await fetch(`${s.url}/v1beta/files/nope`, { headers: { 'x-goog-api-key': 'm' } });
  await fetch(`${s.url}/v1beta/files`);
  const res = await fetch(`${s.url}/metrics`);
  assert.match(res.headers.get('content-type')!, /text\/plain/);
  const text = await res.text();
  assert.match(text, /earshot_http_requests_total\{route="\/v1beta\/files",method="GET",status="200"\} [1-9]/);
  assert.match(text, /earshot_http_requests_total\{route="\/v1beta\/files\/:name",method="GET",status="403"\} [1-9]/);
  assert.match(text, /earshot_http_request_duration_seconds_bucket/);
  assert.match(text, /earshot_analysis_queue_depth/);
  assert.match(text, /earshot_upload_bytes_total/);
});
