// Issue 13 (Proof): a fuzz run over Earshot's whole request surface, bounded in time. fast-check generates
// hostile requests (see fuzz/requests.ts) against a real server; every answer must be 2xx/3xx or a 4xx in
// Google's error shape, never a 5xx, never a hang, never a server path or stack trace, and the server must
// still be healthy afterwards. EARSHOT_FUZZ_SEED (or "random"), EARSHOT_FUZZ_SECONDS (default 60) and
// EARSHOT_FUZZ_RUNS tune it; a failure prints the seed and the shrunk request. To look past a known defect
// while exploring locally, EARSHOT_FUZZ_IGNORE=<regex> skips failures whose description matches it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Running } from './harness.js';
import { anyCase } from './fuzz/requests.js';
import { Tally, fuzz, fuzzSettings, runCase } from './fuzz/runner.js';
import { tinyWav } from './fuzz/tiny-wav.js';
import type { World } from './fuzz/values.js';

let server: Running;
const KEYS = ['fuzz-a', 'fuzz-b'];
const settings = fuzzSettings(60);

before(async () => {
  // The analysis engines are off: the fuzz is about the request surface, and the 2 shared cores are better
  // spent on requests than on recognising tones. processingWaitSec is short so that a prompt naming a file
  // still in PROCESSING answers FAILED_PRECONDITION within the per-request time limit.
  server = await startServer({ offline: true, engines: { speech: 'none', sounds: 'none', vad: 'none' }, limits: { processingWaitSec: 2 } });
});
after(async () => server?.close());

async function upload(key: string, body: Buffer): Promise<string> {
  const res = await fetch(`${server.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: { 'x-goog-api-key': key, 'content-type': 'audio/wav' },
    body: new Uint8Array(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { file: { name: string } }).file.name.replace(/^files\//, '');
}

test(`fuzzing every route with hostile requests: 2xx or Google-shaped 4xx, no 5xx, no hang, no leak (seed ${settings.seed})`, {
  timeout: (settings.seconds + 180) * 1000,
}, async (t) => {
  const world: World = {
    base: server.url,
    keys: KEYS,
    fileIds: [await upload(KEYS[0]!, tinyWav(0.3)), await upload(KEYS[1]!, tinyWav(0.3, 660))],
  };
  const tally = new Tally();
  const started = Date.now();
  t.diagnostic(`seed ${settings.seed} (EARSHOT_FUZZ_SEED=${settings.seed} reproduces), up to ${settings.seconds} s`);
  try {
    await fuzz(anyCase(world), (c) => runCase(server.url, server.dataDir, c, tally), settings);
  } finally {
    t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s: ${tally.summary()}`);
  }
  assert.ok(tally.requests > 50, `only ${tally.requests} requests were sent`);
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  // and it still does its job: a well-formed request answers as before
  const files = await fetch(`${server.url}/v1beta/files/${world.fileIds[0]}`, { headers: { 'x-goog-api-key': KEYS[0]! } });
  assert.ok([200, 403].includes(files.status), `files.get after the run: ${files.status}`);
});
