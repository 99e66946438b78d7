// Audio ingestion through the API: files become ACTIVE only when usable, FAILED with a reason otherwise;
// mislabelled audio still works; silence yields no words; several clips are told apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GoogleGenAI, createPartFromUri, createUserContent, type File as GenAiFile } from '@google/genai';
import { startServer, type Running } from './harness.js';
import { SOUNDS_DIR, SPEECH_DIR, tempDir } from '../helpers.js';

const MODEL = 'gemini-2.5-flash';
let server: Running;
let ai: GoogleGenAI;
const tmp = tempDir();

before(async () => {
  server = await startServer({ offline: true });
  ai = new GoogleGenAI({ apiKey: 'ingest', httpOptions: { baseUrl: server.url } });
});
after(async () => {
  await server.close();
  tmp.cleanup();
});

async function settle(name: string): Promise<GenAiFile> {
  for (let i = 0; i < 1500; i++) {
    const f = await ai.files.get({ name });
    if (f.state !== 'PROCESSING') return f;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} stayed PROCESSING`);
}

async function upload(file: string, mimeType: string): Promise<GenAiFile> {
  return settle((await ai.files.upload({ file, config: { mimeType } })).name!);
}

test('unusable files end FAILED with a reason; mislabelled audio and a lying WAV header still work', async () => {
  const empty = path.join(tmp.dir, 'empty.wav');
  writeFileSync(empty, '');
  const png = path.join(tmp.dir, 'picture.wav');
  writeFileSync(png, Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200)]));
  const mislabelled = path.join(tmp.dir, 'speech.wav');
  writeFileSync(mislabelled, readFileSync(path.join(SPEECH_DIR, 'jfk.mp3')));
  const lying = path.join(tmp.dir, 'lying.wav');
  const wav = readFileSync(path.join(SPEECH_DIR, 'jfk.wav'));
  const cut = Buffer.from(wav.subarray(0, 44 + 16000 * 2 * 3)); // header still claims 11 s, 3 s of samples remain
  writeFileSync(lying, cut);

  // the SDK cannot send a zero-byte file (its chunk loop never runs), so this one goes as a plain media upload
  const raw = await fetch(`${server.url}/upload/v1beta/files?uploadType=media`, {
    method: 'POST',
    headers: { 'x-goog-api-key': 'ingest', 'content-type': 'audio/wav' },
    body: readFileSync(empty),
  });
  assert.equal(raw.status, 200);
  const e = await settle(((await raw.json()) as { file: { name: string } }).file.name);
  assert.equal(e.state, 'FAILED');
  assert.match(e.error!.message!, /empty/i);
  const p = await upload(png, 'audio/wav');
  assert.equal(p.state, 'FAILED');
  assert.match(p.error!.message!, /PNG/);
  const m = await upload(mislabelled, 'audio/wav');
  assert.equal(m.state, 'ACTIVE', JSON.stringify(m.error));
  const l = await upload(lying, 'audio/wav');
  assert.equal(l.state, 'ACTIVE', JSON.stringify(l.error));
  const tokens = await ai.models.countTokens({ model: MODEL, contents: createUserContent([createPartFromUri(l.uri!, 'audio/wav')]) });
  assert.equal(tokens.totalTokens, 96, '3 s of samples, not the 11 s the header claims');

  await assert.rejects(
    ai.models.generateContent({
      model: MODEL,
      contents: createUserContent([createPartFromUri(p.uri!, 'audio/wav'), 'Describe this audio clip']),
    }),
    (err: Error) => /FAILED_PRECONDITION/.test(err.message) && /PNG/.test(err.message),
  );
});

test('a 2-hour file of silence: 230,400 tokens, no speech and no invented words', async () => {
  const silent = path.join(tmp.dir, 'silence-2h.mp3');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '7200', '-b:a', '8k', silent]);
  const f = await upload(silent, 'audio/mp3');
  assert.equal(f.state, 'ACTIVE', JSON.stringify(f.error));
  const part = createPartFromUri(f.uri!, 'audio/mp3');
  const tokens = await ai.models.countTokens({ model: MODEL, contents: createUserContent([part]) });
  assert.ok(Math.abs(tokens.totalTokens! - 230_400) <= 32, `${tokens.totalTokens}`);
  const res = await ai.models.generateContent({
    model: MODEL,
    contents: createUserContent([part, 'Generate a transcript of the speech.']),
  });
  assert.match(res.text!, /no speech/i);
  const analysis = (await (await fetch(`${server.url}/v1beta/${f.name}:analysis`, { headers: { 'x-goog-api-key': 'ingest' } })).json()) as {
    analysis: { segments: unknown[]; speechRegions: unknown[] };
  };
  assert.equal(analysis.analysis.segments.length, 0);
  assert.equal(analysis.analysis.speechRegions.length, 0);
});

test('several clips in one prompt are told apart', async () => {
  const speech = { inlineData: { mimeType: 'audio/wav', data: readFileSync(path.join(SPEECH_DIR, 'jfk.wav')).toString('base64') } };
  const siren = { inlineData: { mimeType: 'audio/ogg', data: readFileSync(path.join(SOUNDS_DIR, 'firetruck.ogg')).toString('base64') } };
  const second = await ai.models.generateContent({
    model: MODEL,
    contents: [{ role: 'user', parts: [speech, siren, { text: 'Describe the second clip.' }] }],
  });
  assert.match(second.text!, /siren/i);
  assert.doesNotMatch(second.text!, /country/i);
  const first = await ai.models.generateContent({
    model: MODEL,
    contents: [{ role: 'user', parts: [speech, siren, { text: 'Transcribe the first clip.' }] }],
  });
  assert.match(first.text!, /country/i);
  assert.doesNotMatch(first.text!, /siren/i);
});
