// The Files API through the real @google/genai client, unchanged, against a real Earshot server:
// upload (audio and text), get, paged list, delete, the File fields' formats, a user-chosen name, and
// the GOOGLE_GEMINI_BASE_URL environment variable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GoogleGenAI, type File as GenAIFile } from '@google/genai';
import { startServer, type Running } from './harness.js';
import { SPEECH_DIR, tempDir } from '../helpers.js';

const JFK = path.join(SPEECH_DIR, 'jfk.mp3');
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

let server: Running;
let tmp: { dir: string; cleanup: () => void };

before(async () => {
  server = await startServer();
  tmp = tempDir('earshot-sdk-');
});
after(async () => {
  await server.close();
  tmp.cleanup();
});

function client(apiKey: string): GoogleGenAI {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: server.url } });
}

/** Poll files.get until the file leaves PROCESSING (analysis may take a while). */
async function waitDone(ai: GoogleGenAI, name: string, timeoutMs = 60_000): Promise<GenAIFile> {
  const t0 = Date.now();
  for (;;) {
    const f = await ai.files.get({ name });
    if (f.state !== 'PROCESSING') return f;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${name} still PROCESSING after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function checkFields(f: GenAIFile, bytes: Buffer, mimeType: string): void {
  assert.match(f.name ?? '', /^files\/[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, 'name is files/<id>, id ≤ 40 chars of [a-z0-9-]');
  assert.equal(f.mimeType, mimeType);
  assert.equal(typeof f.sizeBytes, 'string', 'sizeBytes is an int64 string on the wire');
  assert.equal(f.sizeBytes, String(bytes.length));
  for (const t of [f.createTime, f.updateTime, f.expirationTime]) assert.match(t ?? '', RFC3339);
  const created = Date.parse(f.createTime!);
  assert.ok(Math.abs(created - Date.now()) < 120_000, 'createTime is now');
  assert.equal(Date.parse(f.expirationTime!) - created, 48 * 3600 * 1000, 'expirationTime = createTime + 48 h');
  assert.ok(Date.parse(f.updateTime!) >= created);
  // sha256Hash is a proto bytes field: base64 on the wire, of the hex digest as Gemini sends it
  const hex = createHash('sha256').update(bytes).digest('hex');
  assert.equal(Buffer.from(f.sha256Hash!, 'base64').toString('ascii'), hex);
  assert.equal(f.uri, `${server.url}/v1beta/${f.name}`, 'uri points at this server');
  assert.equal(f.source, 'UPLOADED');
  assert.ok(['PROCESSING', 'ACTIVE'].includes(f.state as string), `state ${f.state}`);
}

test('files.upload of an mp3 and a text file, then get', async () => {
  const ai = client('sdk-upload');
  const audio = readFileSync(JFK);
  const up = await ai.files.upload({ file: JFK, config: { mimeType: 'audio/mp3', displayName: 'JFK' } });
  checkFields(up, audio, 'audio/mp3');
  assert.equal(up.displayName, 'JFK');
  const got = await ai.files.get({ name: up.name! });
  checkFields(got, audio, 'audio/mp3');
  assert.equal(got.name, up.name);
  assert.equal(got.createTime, up.createTime);
  const done = await waitDone(ai, up.name!);
  assert.equal(done.state, 'ACTIVE', JSON.stringify(done.error));

  const textPath = path.join(tmp.dir, 'notes.txt');
  const text = Buffer.from('Ask not what your country can do for you.\n'.repeat(50));
  writeFileSync(textPath, text);
  const t = await ai.files.upload({ file: textPath, config: { mimeType: 'text/plain' } });
  checkFields(t, text, 'text/plain');
  assert.equal(t.displayName, undefined);
  assert.notEqual(t.name, up.name);
  assert.equal((await waitDone(ai, t.name!)).state, 'ACTIVE');

  // a Blob works too (the SDK's other upload path)
  const b = await ai.files.upload({ file: new Blob([text], { type: 'text/plain' }) });
  checkFields(b, text, 'text/plain');
});

test('files.list with pageSize 2 over 5 files; the pager walks every page', async () => {
  const ai = client('sdk-list');
  const names = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const f = await ai.files.upload({ file: new Blob([`file number ${i}`], { type: 'text/plain' }), config: { displayName: `n${i}` } });
    names.add(f.name!);
  }
  const pager = await ai.files.list({ config: { pageSize: 2 } });
  assert.equal(pager.page.length, 2, 'first page holds pageSize files');
  const seen: string[] = [];
  for await (const f of pager) seen.push(f.name!);
  assert.equal(seen.length, 5, `saw ${seen.join(', ')}`);
  assert.deepEqual(new Set(seen), names, 'every name seen exactly once');

  // explicit page walk: 2 + 2 + 1, the last page without a token
  const p = await ai.files.list({ config: { pageSize: 2 } });
  const sizes = [p.page.length];
  while (p.hasNextPage()) sizes.push((await p.nextPage()).length);
  assert.deepEqual(sizes, [2, 2, 1]);

  // newest first (Gemini's order)
  const all = await ai.files.list({ config: { pageSize: 100 } });
  const times = all.page.map((f) => Date.parse(f.createTime!));
  assert.deepEqual(
    [...times].sort((a, b) => b - a),
    times,
  );
});

test('files.delete, then get fails with 403 PERMISSION_DENIED', async () => {
  const ai = client('sdk-delete');
  const f = await ai.files.upload({ file: new Blob(['bye'], { type: 'text/plain' }) });
  await ai.files.delete({ name: f.name! });
  await assert.rejects(ai.files.get({ name: f.name! }), (e: Error & { status?: number }) => {
    assert.equal(e.status, 403);
    assert.match(e.message, /PERMISSION_DENIED/);
    assert.match(e.message, /You do not have permission to access the File .* or it may not exist/);
    return true;
  });
  await assert.rejects(ai.files.delete({ name: f.name! }), (e: Error & { status?: number }) => e.status === 403);
  const list = await ai.files.list();
  assert.equal(list.page.length, 0);
});

test('a user-chosen name (config.name) is kept; taken → 409; invalid → 400', async () => {
  const ai = client('sdk-name');
  const f = await ai.files.upload({ file: new Blob(['named'], { type: 'text/plain' }), config: { name: 'my-file-1' } });
  assert.equal(f.name, 'files/my-file-1');
  assert.equal((await ai.files.get({ name: 'files/my-file-1' })).sizeBytes, '5');
  // the SDK also accepts "files/..." and the bare id for get
  assert.equal((await ai.files.get({ name: 'my-file-1' })).name, 'files/my-file-1');
  await assert.rejects(
    ai.files.upload({ file: new Blob(['again'], { type: 'text/plain' }), config: { name: 'files/my-file-1' } }),
    (e: Error & { status?: number }) => e.status === 409 && /ALREADY_EXISTS/.test(e.message),
  );
  await assert.rejects(
    ai.files.upload({ file: new Blob(['bad'], { type: 'text/plain' }), config: { name: 'Bad_Name' } }),
    (e: Error & { status?: number }) => e.status === 400 && /INVALID_ARGUMENT/.test(e.message),
  );
  // another project cannot see it, and may not take the same name either (ids are global, as on Gemini)
  await assert.rejects(
    client('sdk-name-other').files.get({ name: 'files/my-file-1' }),
    (e: Error & { status?: number }) => e.status === 403,
  );
});

test('GOOGLE_GEMINI_BASE_URL is honoured when no baseUrl is given', async () => {
  const saved = process.env.GOOGLE_GEMINI_BASE_URL;
  process.env.GOOGLE_GEMINI_BASE_URL = server.url;
  try {
    const ai = new GoogleGenAI({ apiKey: 'sdk-env' });
    const f = await ai.files.upload({ file: new Blob(['via env'], { type: 'text/plain' }) });
    assert.ok(f.uri!.startsWith(server.url));
    assert.equal((await ai.files.get({ name: f.name! })).name, f.name);
  } finally {
    if (saved === undefined) delete process.env.GOOGLE_GEMINI_BASE_URL;
    else process.env.GOOGLE_GEMINI_BASE_URL = saved;
  }
});
