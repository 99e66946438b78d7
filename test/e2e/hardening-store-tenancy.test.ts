// Issue 13 #12: no cross-tenant oracles. File names are per project (key B may create files/x while A has
// files/x; neither sees the other's), and a duplicate upload by another project is analysed anew (so its
// timing and state reveal nothing) unless shareAnalysisAcrossProjects is configured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, type Running } from './harness.js';
import { SPEECH_DIR } from '../helpers.js';

const ENGINES = { speech: 'none', sounds: 'none', vad: 'none' } as const;

async function upload(s: Running, key: string, body: Buffer, name?: string): Promise<Response> {
  const start = await fetch(`${s.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: {
      'x-goog-api-key': key,
      'x-goog-upload-protocol': 'resumable',
      'x-goog-upload-command': 'start',
      'x-goog-upload-header-content-type': 'audio/wav',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ file: { ...(name ? { name } : {}), displayName: `${key}'s` } }),
  });
  if (start.status !== 200) return start;
  return fetch(start.headers.get('x-goog-upload-url')!, {
    method: 'POST',
    headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' },
    body: new Uint8Array(body),
  });
}

const get = async (s: Running, key: string, name: string) => fetch(`${s.url}/v1beta/${name}`, { headers: { 'x-goog-api-key': key } });

async function active(s: Running, key: string, name: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const f = (await (await get(s, key, name)).json()) as { state: string };
    if (f.state === 'ACTIVE') return;
    assert.notEqual(f.state, 'FAILED');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} never became ACTIVE`);
}

async function analysesRun(s: Running): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('earshot_analysis_duration_seconds_count'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

test('file names are per project: both keys own files/alpha-secret-meeting, neither sees the other', async () => {
  const s = await startServer({ offline: true, engines: ENGINES });
  try {
    const clip = readFileSync(path.join(SPEECH_DIR, 'jfk.wav'));
    const a = await upload(s, 'key-a', clip, 'files/alpha-secret-meeting');
    assert.equal(a.status, 200, await a.clone().text());
    const b = await upload(s, 'key-b', clip.subarray(0, 20_000), 'files/alpha-secret-meeting');
    assert.equal(b.status, 200, `B's create is not refused (a 409 would reveal A's name): ${await b.clone().text()}`);
    const again = await upload(s, 'key-a', clip, 'files/alpha-secret-meeting');
    assert.equal(again.status, 409, 'within one project the name is still taken');

    const fa = (await (await get(s, 'key-a', 'files/alpha-secret-meeting')).json()) as { displayName: string; sizeBytes: string };
    const fb = (await (await get(s, 'key-b', 'files/alpha-secret-meeting')).json()) as { displayName: string; sizeBytes: string };
    assert.equal(fa.displayName, "key-a's");
    assert.equal(fb.displayName, "key-b's");
    assert.equal(Number(fa.sizeBytes), clip.length);
    assert.equal(Number(fb.sizeBytes), 20_000);

    // B deleting its file leaves A's
    assert.equal(
      (await fetch(`${s.url}/v1beta/files/alpha-secret-meeting`, { method: 'DELETE', headers: { 'x-goog-api-key': 'key-b' } })).status,
      200,
    );
    assert.equal((await get(s, 'key-b', 'files/alpha-secret-meeting')).status, 403);
    assert.equal((await get(s, 'key-a', 'files/alpha-secret-meeting')).status, 200);
    await active(s, 'key-a', 'files/alpha-secret-meeting');
  } finally {
    await s.close();
  }
});

for (const share of [false, true]) {
  test(`a duplicate upload by another project is ${share ? 'reused (shareAnalysisAcrossProjects)' : 'analysed anew (default)'}`, async () => {
    const s = await startServer({ offline: true, engines: ENGINES, shareAnalysisAcrossProjects: share });
    try {
      const clip = readFileSync(path.join(SPEECH_DIR, 'sense_and_sensibility_01_austen_64kb-0890.wav'));
      const a = (await (await upload(s, 'key-a', clip)).json()) as { file: { name: string } };
      await active(s, 'key-a', a.file.name);
      const before = await analysesRun(s);
      const b = (await (await upload(s, 'key-b', clip)).json()) as { file: { name: string } };
      await active(s, 'key-b', b.file.name);
      assert.equal((await analysesRun(s)) - before, share ? 0 : 1);
      const rows = await s.app.db.all<{ scope: string }>('SELECT scope FROM analyses ORDER BY scope');
      assert.deepEqual(
        rows.map((r) => r.scope),
        share ? ['*'] : ['key:key-a', 'key:key-b'],
      );
    } finally {
      await s.close();
    }
  });
}
