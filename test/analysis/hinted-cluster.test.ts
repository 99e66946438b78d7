// Hinted analyses on the durable queue (pg-boss on a real PostgreSQL, bytes in a real SeaweedFS S3 gateway): one node
// in role `all` with real Whisper (whisper-tiny.en; EARSHOT_WHISPER_NATIVE for a CPU-built addon) and Silero VAD. A
// request with customVocabulary becomes one job carrying its hints (keyed by content and hints), run on the stored
// base analysis; the same request again, on the same or another API node, runs nothing. Counted by /metrics.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startPostgres, startSeaweedFS, type PostgresServer, type S3Server } from '../cluster/index.js';
import { startServer, type Running } from '../e2e/harness.js';
import { tempDir } from '../helpers.js';
import { testModel } from '../models/paths.js';

let pg: PostgresServer;
let s3: S3Server;
let worker: Running;
let api: Running;
const tmp = tempDir('earshot-hinted-cluster-');
const key = { 'x-goog-api-key': 'cluster-hints' };

before(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startSeaweedFS()]);
  Object.assign(process.env, s3.env());
  const shared = { databaseUrl: pg.url, blobStore: `s3://${s3.bucket}/hints`, s3Endpoint: s3.endpoint, offline: true };
  worker = await startServer({
    ...shared,
    engines: {
      speech: 'whisper',
      whisperModel: testModel('whisper-tiny.en'),
      ...(process.env.EARSHOT_WHISPER_NATIVE ? { whisperNative: process.env.EARSHOT_WHISPER_NATIVE } : {}),
      sounds: 'none',
      gpu: 'off',
    },
  });
  // an API node: it only queues jobs (the hinted one carrying its hints) and reads results from the database
  api = await startServer({ ...shared, role: 'api', engines: { speech: 'whisper', sounds: 'none', vad: 'none' } });
});

after(async () => {
  await api?.close();
  await worker?.close();
  await Promise.all([pg?.stop(), s3?.stop()]);
  tmp.cleanup();
});

async function analysesRun(node: Running): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(
    text
      .split('\n')
      .find((l) => l.startsWith('earshot_analysis_duration_seconds_count '))
      ?.split(' ')[1] ?? 0,
  );
}

async function transcribe(node: Running, fileUri: string, audioTranscriptionConfig: object): Promise<string> {
  const res = await fetch(`${node.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: 'POST',
    headers: { ...key, 'content-type': 'application/json' },
    body: JSON.stringify({
      contents: [{ parts: [{ fileData: { fileUri, mimeType: 'audio/wav' } }] }],
      generationConfig: { audioTranscriptionConfig },
    }),
  });
  const body = (await res.json()) as { candidates?: { content: { parts: { text: string }[] } }[]; error?: unknown };
  assert.equal(res.status, 200, JSON.stringify(body.error));
  return body.candidates![0]!.content.parts.map((p) => p.text).join('');
}

test('a hinted request is one pg-boss job with its hints, on the stored base; the same request again runs nothing', async () => {
  const said = path.join(tmp.dir, 'said.wav');
  const clip = path.join(tmp.dir, 'clip.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '140', '-w', said, 'My colleague Aurelio Quaglieri arrives tomorrow from Milan.']);
  execFileSync('sox', [said, '-r', '16000', '-c', '1', clip, 'pad', '1.5', '1.5']);
  const up = await fetch(`${api.url}/upload/v1beta/files?uploadType=media`, {
    method: 'POST',
    headers: { ...key, 'content-type': 'audio/wav' },
    body: new Uint8Array(readFileSync(clip)),
  });
  const name = ((await up.json()) as { file: { name: string } }).file.name;
  for (let i = 0; i < 3000; i++) {
    const f = (await (await fetch(`${api.url}/v1beta/${name}`, { headers: key })).json()) as { state: string };
    if (f.state !== 'PROCESSING') {
      assert.equal(f.state, 'ACTIVE');
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const uri = `${api.url}/v1beta/${name}`;
  assert.equal(await analysesRun(worker), 1, 'the base analysis');
  const hinted = await transcribe(api, uri, { customVocabulary: ['Aurelio Quaglieri'] });
  assert.match(hinted, /tomorrow/i);
  assert.equal(await analysesRun(worker), 2, 'one hinted job ran');
  const jobs = await pg.psql(`SELECT count(*) FROM pgboss.job WHERE singleton_key LIKE '%?%' AND data ? 'hinted'`);
  assert.match(jobs.stdout, /\b1\b/, `one hinted job in the queue's table: ${jobs.stdout} ${jobs.stderr}`);
  for (const node of [api, worker]) assert.equal(await transcribe(node, uri, { customVocabulary: ['Aurelio Quaglieri'] }), hinted);
  assert.equal(await analysesRun(worker), 2, 'the stored hinted analysis answered both nodes');
});
