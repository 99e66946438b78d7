// Issue 13 #6: transcripts must not outlive their audio. A file deleted (or expired) while its analysis runs
// has the job cancelled and nothing written back; a file deleted while queued leaves no row; inline
// analyses live limits.inlineAnalysisTtlSec after their last use and are then swept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, type Running } from './harness.js';
import { SPEECH_DIR, tempDir } from '../helpers.js';

const KEY = 'retention';
/** the project the server derives from the key (open mode: one per key) */
const PROJECT = `key:${KEY}`;
let server: Running;
const tmp = tempDir('earshot-retention-');
let longClip: string;

before(async () => {
  // about four minutes of speech: long enough to be caught mid-analysis
  longClip = path.join(tmp.dir, 'long.wav');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-stream_loop', '20', '-i', path.join(SPEECH_DIR, 'jfk.wav'), '-c', 'copy', longClip]);
  server = await startServer({ offline: true, analysisConcurrency: 1 });
});
after(async () => {
  await server.close();
  tmp.cleanup();
});

const auth = { 'x-goog-api-key': KEY };

async function upload(file: string, mimeType: string): Promise<{ name: string; sha256: string }> {
  const res = await fetch(`${server.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: { ...auth, 'x-goog-upload-protocol': 'raw', 'content-type': mimeType },
    body: new Blob([readFileSync(file)]),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const { file: f } = (await res.json()) as { file: { name: string; sha256Hash: string } };
  return { name: f.name, sha256: Buffer.from(f.sha256Hash, 'base64').toString('ascii') };
}

const rows = async (sha256: string) =>
  (await server.app.db.get<{ n: number }>('SELECT count(*) AS n FROM analyses WHERE sha256 = ?', [sha256]))!.n;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wait(50);
  }
}

test('deleted while analysed and while queued: the job is cancelled, nothing is written back, no row is left', async () => {
  const running = await upload(longClip, 'audio/wav');
  const queuedClip = path.join(tmp.dir, 'other.wav');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-stream_loop', '3', '-i', path.join(SPEECH_DIR, 'jfk.wav'), '-c', 'copy', queuedClip]);
  const queued = await upload(queuedClip, 'audio/wav');
  const key = (sha256: string) => server.app.analyses.keyFor(PROJECT, sha256);
  const queue = server.app.media.queue;
  await until(
    'the first analysis to run',
    async () => (await queue.status(key(running.sha256))).status === 'running' && (await queue.status(key(running.sha256))).fraction > 0,
  );
  assert.equal((await queue.status(key(queued.sha256))).status === 'none', false, 'the second file waits in the queue');

  // deleted while queued
  assert.equal((await fetch(`${server.url}/v1beta/${queued.name}`, { method: 'DELETE', headers: auth })).status, 200);
  assert.equal(await rows(queued.sha256), 0, 'no orphan row for the queued file');
  // deleted while running
  assert.equal((await fetch(`${server.url}/v1beta/${running.name}`, { method: 'DELETE', headers: auth })).status, 200);
  assert.equal(await rows(running.sha256), 0);
  assert.equal((await queue.status(key(running.sha256))).status, 'none', 'the job is gone from the queue');

  // the worker stops early and writes nothing back: a fresh, short analysis completes soon after
  const t0 = Date.now();
  const probe = await upload(path.join(SPEECH_DIR, 'jfk.wav'), 'audio/wav');
  await until(
    'the next file to be analysed',
    async () => (await server.app.files.getAny(PROJECT, probe.name.slice(6)))?.state !== 'PROCESSING',
  );
  const elapsed = Date.now() - t0;
  assert.equal((await server.app.files.getAny(PROJECT, probe.name.slice(6)))?.state, 'ACTIVE');
  await wait(500);
  assert.equal(await rows(running.sha256), 0, 'nothing of the deleted file was written back');
  assert.equal(await rows(queued.sha256), 0);
  assert.ok(elapsed < 120_000, `the cancelled analysis did not run to its end first (${elapsed} ms)`);
});

test('an expired file loses its analysis with it', async () => {
  const f = await upload(path.join(SPEECH_DIR, 'sense_and_sensibility_01_austen_64kb-0880.wav'), 'audio/wav');
  await until('ACTIVE', async () => (await server.app.files.getAny(PROJECT, f.name.slice(6)))?.state === 'ACTIVE');
  assert.equal(await rows(f.sha256), 1);
  await server.app.files.sweepExpired(Date.now() + 49 * 3600 * 1000);
  assert.equal(await rows(f.sha256), 0);
  assert.equal(await server.app.analyses.get(server.app.analyses.keyFor(PROJECT, f.sha256)), undefined, 'not even in memory');
});

test('inline analyses expire after limits.inlineAnalysisTtlSec and are swept', async () => {
  const bytes = readFileSync(path.join(SPEECH_DIR, 'sense_and_sensibility_01_austen_64kb-0930.wav'));
  const sha256 = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
  const res = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      contents: [{ parts: [{ inlineData: { mimeType: 'audio/wav', data: bytes.toString('base64') } }, { text: 'What is said?' }] }],
    }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const row = (await server.app.db.get<{ expire_time: number }>('SELECT expire_time FROM analyses WHERE sha256 = ?', [sha256]))!;
  const ttl = server.app.config.limits.inlineAnalysisTtlSec * 1000;
  assert.ok(Math.abs(row.expire_time - (Date.now() + ttl)) < 60_000, `expires one TTL after its use (${JSON.stringify(row)})`);
  assert.equal(await server.app.media.sweepExpired(Date.now() + ttl - 60_000), 0, 'kept within its lifetime');
  assert.equal(await server.app.media.sweepExpired(Date.now() + ttl + 1000), 1, 'swept after it');
  assert.equal(await rows(sha256), 0);
  assert.equal(await server.app.analyses.get(server.app.analyses.keyFor(PROJECT, sha256)), undefined);
});
