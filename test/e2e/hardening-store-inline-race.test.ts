// Issue 13 #3: concurrent requests with the same, never-seen inline audio. Each request used to write and
// delete the same temp file (inline/<sha>.probe / .audio) under the others' probes. Now 20 parallel
// countTokens/generateContent calls with one new clip all get the same 200, from one shared analysis.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, type Running } from './harness.js';
import { SPEECH_DIR } from '../helpers.js';

let server: Running;
before(async () => {
  server = await startServer({ offline: true });
});
after(async () => {
  await server.close();
});

const post = (method: string, body: unknown) =>
  fetch(`${server.url}/v1beta/models/gemini-2.5-flash:${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'inline-race' },
    body: JSON.stringify(body),
  });

async function analysesFinished(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('earshot_analysis_duration_seconds_count'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

test('20 parallel countTokens and generateContent with the same new clip: all 200, same answers, one analysis', async () => {
  const data = readFileSync(path.join(SPEECH_DIR, 'jfk.mp3')).toString('base64');
  const contents = [{ parts: [{ inlineData: { mimeType: 'audio/mp3', data } }, { text: 'Transcribe this audio.' }] }];
  const before = await analysesFinished();
  const calls = Array.from({ length: 20 }, (_, i) =>
    i % 2 === 0 ? post('countTokens', { contents }) : post('generateContent', { contents }),
  );
  const responses = await Promise.all(calls);
  const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> })));
  for (const b of bodies) assert.equal(b.status, 200, JSON.stringify(b.json).slice(0, 300));
  const counts = new Set(bodies.filter((_, i) => i % 2 === 0).map((b) => JSON.stringify(b.json)));
  assert.equal(counts.size, 1, `countTokens answers differ: ${[...counts].join(' | ')}`);
  const answers = new Set(
    bodies
      .filter((_, i) => i % 2 === 1)
      .map((b) => JSON.stringify((b.json as { candidates: { content: unknown }[] }).candidates[0]!.content)),
  );
  assert.equal(answers.size, 1, `generateContent answers differ: ${[...answers].join(' | ')}`);
  assert.match([...answers][0]!, /country/i, 'the answer is grounded in the clip (JFK: "ask not what your country…")');
  assert.equal((await analysesFinished()) - before, 1, 'one analysis served all ten generateContent calls');
  // every temp file was private to its request and is gone
  const inlineDir = path.join(server.dataDir, 'inline');
  assert.deepEqual(existsSync(inlineDir) ? readdirSync(inlineDir) : [], []);
});
