// generateContent / streamGenerateContent / countTokens end to end: the real @google/genai client, the real
// server, the real engines (Silero VAD, YAMNet, PocketSphinx — no Whisper model can be downloaded here) and
// the built-in composer, on ../shared/audio and on synthesised speech.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { GoogleGenAI, createPartFromUri, createUserContent, type File as GenAiFile } from '@google/genai';
import { startServer, type Running } from './harness.js';
import { SOUNDS_DIR, SPEECH_DIR, tempDir } from '../helpers.js';
import { speechAtOffset } from '../fixtures/speech.js';
import type { AudioAnalysis } from '../../src/domain/analysis.js';

const MODEL = 'gemini-2.5-flash';
let server: Running;
let ai: GoogleGenAI;
let jfk: GenAiFile;
const tmp = tempDir();

async function waitActive(name: string): Promise<GenAiFile> {
  for (let i = 0; i < 600; i++) {
    const f = await ai.files.get({ name });
    if (f.state !== 'PROCESSING') return f;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} stayed PROCESSING`);
}

async function analysisOf(file: GenAiFile): Promise<AudioAnalysis> {
  const res = await fetch(`${server.url}/v1beta/${file.name}:analysis`, { headers: { 'x-goog-api-key': 'gen-key' } });
  const body = (await res.json()) as { analysis: AudioAnalysis };
  return body.analysis;
}

before(async () => {
  server = await startServer({ offline: true });
  ai = new GoogleGenAI({ apiKey: 'gen-key', httpOptions: { baseUrl: server.url } });
  jfk = await waitActive(
    (await ai.files.upload({ file: path.join(SPEECH_DIR, 'jfk.wav'), config: { mimeType: 'audio/wav', displayName: 'jfk' } })).name!,
  );
});

after(async () => {
  await server.close();
  tmp.cleanup();
});

test('a transcript of the jfk clip holds what the engine heard, including "country"', async () => {
  assert.equal(jfk.state, 'ACTIVE');
  const res = await ai.models.generateContent({
    model: MODEL,
    contents: createUserContent([createPartFromUri(jfk.uri!, jfk.mimeType!), 'Generate a transcript of the speech.']),
  });
  const analysis = await analysisOf(jfk);
  const heard = analysis.segments.map((s) => s.text).join(' ');
  assert.match(res.text!, /country/i);
  for (const word of heard.split(/\s+/).filter(Boolean))
    assert.ok(res.text!.toLowerCase().includes(word.toLowerCase()), `transcript lacks "${word}"`);
  assert.equal(res.candidates![0].finishReason, 'STOP');
  assert.equal(res.candidates![0].content!.role, 'model');
  const usage = res.usageMetadata!;
  const audio = usage.promptTokensDetails!.find((d) => d.modality === 'AUDIO')!;
  assert.equal(audio.tokenCount, 352, '11.0 s at 32 tokens per second');
  assert.equal(usage.totalTokenCount, usage.promptTokenCount! + usage.candidatesTokenCount!);
  assert.ok(res.responseId);
  assert.equal(res.modelVersion, MODEL);
});

test('countTokens counts 32 tokens per second of audio, inline and uploaded', async () => {
  const inline = readFileSync(path.join(SPEECH_DIR, 'jfk.wav')).toString('base64');
  const a = await ai.models.countTokens({
    model: MODEL,
    contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'audio/wav', data: inline } }] }],
  });
  const b = await ai.models.countTokens({ model: MODEL, contents: createUserContent([createPartFromUri(jfk.uri!, 'audio/wav')]) });
  assert.equal(a.totalTokens, 352);
  assert.equal(b.totalTokens, 352);
  const withText = await ai.models.countTokens({
    model: MODEL,
    contents: createUserContent([createPartFromUri(jfk.uri!, 'audio/wav'), 'Describe this audio clip']),
  });
  assert.ok(withText.totalTokens! > 352 && withText.totalTokens! < 352 + 10, `text adds a few real tokens (${withText.totalTokens})`);
});

test('"Describe this audio clip" on the fire truck names the siren', async () => {
  const data = readFileSync(path.join(SOUNDS_DIR, 'firetruck.ogg')).toString('base64');
  const res = await ai.models.generateContent({
    model: MODEL,
    contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'audio/ogg', data } }, { text: 'Describe this audio clip' }] }],
  });
  assert.match(res.text!, /siren/i);
});

test('a range request answers with exactly the words heard inside the range', async () => {
  const file = speechAtOffset(tmp.dir, 'offset', 'The quick brown fox jumps over the lazy dog near the river bank', 4, 6);
  const up = await waitActive((await ai.files.upload({ file, config: { mimeType: 'audio/wav' } })).name!);
  const analysis = await analysisOf(up);
  const words = analysis.segments.flatMap((s) => s.words);
  assert.ok(words.length >= 3, 'the engine heard words');
  assert.ok(words[0].start >= 3.7 && words[0].start <= 4.6, `first word at ${words[0].start}s, speech starts at 4 s`);
  // a range that cuts the sentence in two
  const mid = (words[0].start + words[words.length - 1].end) / 2;
  const s = Math.floor(mid);
  const res = await ai.models.generateContent({
    model: MODEL,
    contents: createUserContent([createPartFromUri(up.uri!, 'audio/wav'), `Provide a transcript of the speech from 00:00 to 00:0${s}.`]),
  });
  const inside = words.filter((w) => (w.start + w.end) / 2 <= s).map((w) => w.text.toLowerCase());
  const outside = words.filter((w) => (w.start + w.end) / 2 > s).map((w) => w.text.toLowerCase());
  const answer = res.text!.toLowerCase();
  for (const w of inside) assert.ok(answer.includes(w), `"${w}" (inside the range) missing from: ${answer}`);
  const answerWords = new Set(answer.match(/[a-z']+/g));
  for (const w of outside.filter((w) => !inside.includes(w)))
    assert.ok(!answerWords.has(w), `"${w}" lies after 00:0${s} but is in: ${answer}`);
});

test('JSON mode with a schema returns JSON that validates', async () => {
  const schema = {
    type: 'OBJECT',
    properties: {
      summary: { type: 'STRING' },
      segments: {
        type: 'ARRAY',
        items: {
          type: 'OBJECT',
          properties: { start: { type: 'NUMBER' }, end: { type: 'NUMBER' }, text: { type: 'STRING' } },
          required: ['start', 'end', 'text'],
        },
      },
      hasSpeech: { type: 'BOOLEAN' },
    },
    required: ['summary', 'segments', 'hasSpeech'],
  };
  const res = await ai.models.generateContent({
    model: MODEL,
    contents: createUserContent([createPartFromUri(jfk.uri!, 'audio/wav'), 'Transcribe with timestamps.']),
    config: { responseMimeType: 'application/json', responseSchema: schema as never },
  });
  const value = JSON.parse(res.text!);
  const ajv = new Ajv({ strict: false });
  const ok = ajv.validate(
    {
      type: 'object',
      properties: {
        summary: { type: 'string' },
        segments: {
          type: 'array',
          items: {
            type: 'object',
            properties: { start: { type: 'number' }, end: { type: 'number' }, text: { type: 'string' } },
            required: ['start', 'end', 'text'],
          },
        },
        hasSpeech: { type: 'boolean' },
      },
      required: ['summary', 'segments', 'hasSpeech'],
    },
    value,
  );
  assert.ok(ok, JSON.stringify(ajv.errors));
  assert.equal(value.hasSpeech, true);
  assert.ok(value.segments.length > 0);
});

test('streaming yields several chunks whose concatenation equals the non-streamed text', async () => {
  const contents = createUserContent([createPartFromUri(jfk.uri!, 'audio/wav'), 'Describe this audio clip']);
  const whole = await ai.models.generateContent({ model: MODEL, contents });
  const chunks: string[] = [];
  let finish: string | undefined;
  for await (const c of await ai.models.generateContentStream({ model: MODEL, contents })) {
    chunks.push(c.text ?? '');
    finish = c.candidates?.[0]?.finishReason ?? finish;
  }
  assert.ok(chunks.length >= 2, `got ${chunks.length} chunk(s)`);
  assert.equal(chunks.join(''), whole.text);
  assert.equal(finish, 'STOP');
});

test('chats keep history: a follow-up is answered about the audio sent earlier', async () => {
  const chat = ai.chats.create({ model: MODEL });
  const first = await chat.sendMessage({ message: [createPartFromUri(jfk.uri!, 'audio/wav'), 'Generate a transcript of the speech.'] });
  assert.match(first.text!, /country/i);
  const second = await chat.sendMessage({ message: 'How long is the recording?' });
  assert.match(second.text!, /11|0:11/);
  assert.equal(chat.getHistory().length, 4);
});

test('maxOutputTokens cuts the answer with MAX_TOKENS', async () => {
  const res = await ai.models.generateContent({
    model: MODEL,
    contents: createUserContent([createPartFromUri(jfk.uri!, 'audio/wav'), 'Describe this audio clip']),
    config: { maxOutputTokens: 5 },
  });
  assert.equal(res.candidates![0].finishReason, 'MAX_TOKENS');
  assert.ok(res.usageMetadata!.candidatesTokenCount! <= 5);
});

test('a deleted file gives PermissionDenied; bad input gets Gemini errors and the server keeps serving', async () => {
  const up = await ai.files.upload({ file: path.join(SPEECH_DIR, 'jfk.mp3'), config: { mimeType: 'audio/mp3' } });
  await ai.files.delete({ name: up.name! });
  await assert.rejects(
    ai.models.generateContent({
      model: MODEL,
      contents: createUserContent([createPartFromUri(up.uri!, 'audio/mp3'), 'Describe this audio clip']),
    }),
    (e: Error) => /PERMISSION_DENIED/.test(e.message) && /403/.test(e.message),
  );
  const post = (body: unknown) =>
    fetch(`${server.url}/v1beta/models/${MODEL}:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'gen-key' },
      body: JSON.stringify(body),
    });
  const bad = [
    {},
    { contents: [{ parts: [] }] },
    { contents: [{ role: 'robot', parts: [{ text: 'hi' }] }] },
    { contents: [{ parts: [{ inlineData: { mimeType: 'audio/wav', data: '***not base64***' } }] }] },
    { contents: [{ parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }] },
    {
      contents: [{ parts: [{ inlineData: { mimeType: 'audio/wav', data: Buffer.from('just some text, not audio').toString('base64') } }] }],
    },
    { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { temperature: 7 } },
    { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { responseMimeType: 'image/png' } },
  ];
  for (const body of bad) {
    const res = await post(body);
    const json = (await res.json()) as { error: { code: number; status: string; message: string } };
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(json.error.code, 400);
    assert.equal(json.error.status, 'INVALID_ARGUMENT');
    assert.ok(json.error.message.length > 10);
  }
  const unknownModel = await fetch(`${server.url}/v1beta/models/not-a-model:generateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'gen-key' },
    body: '{"contents":[{"parts":[{"text":"x"}]}]}',
  });
  assert.equal(unknownModel.status, 404);
  const list = await ai.files.list();
  assert.ok(list);
});

test('a request body over the inline limit is refused before it is read, pointing to the Files API', async () => {
  const small = await startServer({ offline: true, limits: { maxRequestBytes: 1000 } });
  try {
    const res = await fetch(`${small.url}/v1beta/models/${MODEL}:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({ contents: [{ parts: [{ inlineData: { mimeType: 'audio/wav', data: 'A'.repeat(4000) } }] }] }),
    });
    const json = (await res.json()) as { error: { message: string; status: string } };
    assert.equal(res.status, 400);
    assert.match(json.error.message, /Files API/);
  } finally {
    await small.close();
  }
});

test('more than the allowed audio per prompt is refused naming the total', async () => {
  const small = await startServer({ offline: true, limits: { maxPromptAudioSec: 15 } });
  try {
    const data = readFileSync(path.join(SPEECH_DIR, 'jfk.wav')).toString('base64');
    const res = await fetch(`${small.url}/v1beta/models/${MODEL}:countTokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({
        contents: [{ parts: [{ inlineData: { mimeType: 'audio/wav', data } }, { inlineData: { mimeType: 'audio/wav', data } }] }],
      }),
    });
    const json = (await res.json()) as { error: { message: string; status: string } };
    assert.equal(res.status, 400);
    assert.match(json.error.message, /22\.0 s/);
  } finally {
    await small.close();
  }
});

test('a file still PROCESSING answers FAILED_PRECONDITION once the wait is over', async () => {
  const small = await startServer({ offline: true, limits: { processingWaitSec: 0 } });
  try {
    const client = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: small.url } });
    const wav = path.join(tmp.dir, 'long.wav');
    writeFileSync(wav, readFileSync(path.join(SPEECH_DIR, 'jfk.wav')));
    const up = await client.files.upload({ file: wav, config: { mimeType: 'audio/wav' } });
    await assert.rejects(
      client.models.generateContent({
        model: MODEL,
        contents: createUserContent([createPartFromUri(up.uri!, 'audio/wav'), 'Describe this audio clip']),
      }),
      (e: Error) => /FAILED_PRECONDITION/.test(e.message),
    );
  } finally {
    await small.close();
  }
});

test('deleting the last file with some content forgets its analysis, in memory and on disk', async () => {
  const up = await waitActive(
    (
      await ai.files.upload({
        file: path.join(SPEECH_DIR, 'sense_and_sensibility_01_austen_64kb-0930.wav'),
        config: { mimeType: 'audio/wav' },
      })
    ).name!,
  );
  const analysis = await analysisOf(up);
  const key = server.app.analyses.keyFor('key:gen-key', analysis.sha256);
  assert.ok(await server.app.media.queue.get(key));
  await ai.files.delete({ name: up.name! });
  assert.equal(await server.app.media.queue.get(key), undefined);
  assert.equal((await server.app.media.queue.status(key)).status, 'none');
});
