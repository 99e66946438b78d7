// POST /v1/audio/transcriptions and /v1/audio/translations through the official `openai` npm client against a real
// Earshot server (real HTTP, real SQLite, Silero VAD, PocketSphinx, YAMNet): every response format, word and segment
// granularities, streaming, the same file twice analysed once (counted by /metrics), translations' clear refusal
// where the engine cannot identify languages, and errors in OpenAI's shape.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startServer, type Running } from './harness.js';
import { SPEECH_DIR } from '../helpers.js';
import { parseSrt } from '../../src/domain/subtitles.js';

const KEY = 'oai-key';
const JFK = path.join(SPEECH_DIR, 'jfk.wav');
let server: Running;
let client: OpenAI;

/** How many analyses the server has run (the analysis duration histogram's count). */
async function analysesRun(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('earshot_analysis_duration_seconds_count'));
  return Number(line?.split(' ')[1] ?? 0);
}

/** One form post by hand (for what the openai client would not send). */
async function post(
  route: string,
  fields: Record<string, string | Blob>,
  headers: Record<string, string> = { authorization: `Bearer ${KEY}` },
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v as string);
  const res = await fetch(`${server.url}/v1/audio/${route}`, { method: 'POST', body: form, headers });
  return {
    status: res.status,
    body: (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } },
  };
}

const jfkBlob = () => new File([readFileSync(JFK)], 'jfk.wav', { type: 'audio/wav' });

before(async () => {
  server = await startServer({ offline: true, apiKeys: { [KEY]: 'alpha' } });
  client = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 600_000 });
});

after(async () => {
  await server.close();
});

test('json, then the same file again: one analysis, and the second answer comes from it', async () => {
  const before = await analysesRun();
  const t0 = performance.now();
  const first = await client.audio.transcriptions.create({ file: createReadStream(JFK), model: 'whisper-1' });
  const firstMs = performance.now() - t0;
  assert.match(first.text, /country/i);
  assert.deepEqual((first as { usage?: unknown }).usage, { type: 'duration', seconds: 11 });
  assert.equal(await analysesRun(), before + 1);
  const t1 = performance.now();
  const again = await client.audio.transcriptions.create({
    file: await toFile(readFileSync(JFK), 'same-bytes-other-name.wav'),
    model: 'whisper-1',
  });
  const againMs = performance.now() - t1;
  assert.equal(again.text, first.text);
  assert.equal(await analysesRun(), before + 1, 'the second request did not analyse the audio again');
  assert.ok(againMs < firstMs / 5, `answered from the stored analysis (${againMs.toFixed(0)} ms vs ${firstMs.toFixed(0)} ms)`);
});

test('verbose_json: language, duration, segments; words only when asked, inside their segments and in order', async () => {
  const seg = await client.audio.transcriptions.create({
    file: createReadStream(JFK),
    model: 'whisper-1',
    response_format: 'verbose_json',
  });
  assert.equal(seg.duration, 11);
  assert.equal(typeof seg.language, 'string');
  assert.ok(seg.segments!.length >= 2);
  assert.equal(seg.words, undefined, 'no words unless asked');
  assert.equal(seg.text, seg.segments!.map((s) => s.text).join(' '));
  seg.segments!.forEach((s, i) => {
    assert.equal(s.id, i);
    assert.ok(s.start < s.end && s.end <= 11);
  });

  const both = await client.audio.transcriptions.create({
    file: createReadStream(JFK),
    model: 'whisper-1',
    response_format: 'verbose_json',
    timestamp_granularities: ['word', 'segment'],
  });
  assert.deepEqual(both.segments, seg.segments);
  const words = both.words!;
  assert.equal(
    words
      .map((w) => w.word)
      .join(' ')
      .toLowerCase(),
    both.text.toLowerCase().replace(/[.,!?]/g, ''),
  );
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    assert.ok(w.start <= w.end);
    if (i) assert.ok(w.start >= words[i - 1]!.start);
    assert.ok(
      both.segments!.some((s) => w.start >= s.start - 1e-6 && w.end <= s.end + 1e-6),
      `word ${w.word} lies in a segment`,
    );
  }
  assert.ok(words.some((w) => /^country/i.test(w.word)));

  const onlyWords = await client.audio.transcriptions.create({
    file: createReadStream(JFK),
    model: 'whisper-1',
    response_format: 'verbose_json',
    timestamp_granularities: ['word'],
  });
  assert.equal(onlyWords.segments, undefined);
  assert.deepEqual(onlyWords.words, words);
});

test('text, srt and vtt carry the same segments with their times', async () => {
  const verbose = await client.audio.transcriptions.create({
    file: createReadStream(JFK),
    model: 'whisper-1',
    response_format: 'verbose_json',
  });
  const text = await client.audio.transcriptions.create({ file: createReadStream(JFK), model: 'whisper-1', response_format: 'text' });
  assert.equal(text.trim(), verbose.text);
  const srt = await client.audio.transcriptions.create({ file: createReadStream(JFK), model: 'whisper-1', response_format: 'srt' });
  const cues = parseSrt(srt);
  assert.deepEqual(
    cues.map((c) => c.text),
    verbose.segments!.map((s) => s.text),
  );
  cues.forEach((c, i) => {
    assert.ok(Math.abs(c.start - verbose.segments![i]!.start) < 0.002);
    assert.ok(Math.abs(c.end - verbose.segments![i]!.end) < 0.002);
  });
  const vtt = await client.audio.transcriptions.create({ file: createReadStream(JFK), model: 'whisper-1', response_format: 'vtt' });
  assert.ok(vtt.startsWith('WEBVTT\n'));
  assert.equal((vtt.match(/ --> /g) ?? []).length, cues.length);
  assert.ok(vtt.includes(cues[0]!.text));
});

test('stream=true: a delta per segment, then done with the whole text', async () => {
  const stream = await client.audio.transcriptions.create({ file: createReadStream(JFK), model: 'gpt-4o-transcribe', stream: true });
  let deltas = '';
  let done: string | undefined;
  let events = 0;
  for await (const e of stream) {
    events++;
    if (e.type === 'transcript.text.delta') deltas += e.delta;
    if (e.type === 'transcript.text.done') done = e.text;
  }
  assert.ok(events >= 3);
  assert.match(done!, /country/i);
  assert.equal(deltas, done);
});

test('prompt and language the analysis was made without are reported in x-earshot-notice, not claimed', async () => {
  const { response, data } = await client.audio.transcriptions
    .create({ file: createReadStream(JFK), model: 'whisper-1', prompt: 'Kennedy inaugural address', language: 'en' })
    .withResponse();
  assert.match(data.text, /country/i);
  assert.match(response.headers.get('x-earshot-notice') ?? '', /prompt was not applied/);
});

test('diarized_json without a speaker model, and translations where the engine cannot identify languages: clear 400s', async () => {
  await assert.rejects(
    client.audio.transcriptions.create({
      file: createReadStream(JFK),
      model: 'gpt-4o-transcribe-diarize',
      response_format: 'diarized_json',
    }),
    (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.equal(e.code, 'diarization_unavailable');
      assert.equal(e.type, 'invalid_request_error');
      assert.match(e.message, /earshot models pull resemblyzer/);
      return true;
    },
  );
  await assert.rejects(client.audio.translations.create({ file: createReadStream(JFK), model: 'whisper-1' }), (e: unknown) => {
    assert.ok(e instanceof OpenAI.BadRequestError);
    assert.equal(e.code, 'translation_unavailable');
    assert.match(e.message, /did not identify the language/);
    assert.match(e.message, /multilingual Whisper model/);
    return true;
  });
});

test("errors come in OpenAI's shape, naming the parameter at fault", async () => {
  const noModel = await post('transcriptions', { file: jfkBlob() });
  assert.equal(noModel.status, 400);
  assert.deepEqual(noModel.body.error, {
    message: "Missing required parameter: 'model'.",
    type: 'invalid_request_error',
    param: 'model',
    code: 'missing_required_parameter',
  });

  const noFile = await post('transcriptions', { model: 'whisper-1' });
  assert.equal(noFile.status, 400);
  assert.equal(noFile.body.error.param, 'file');

  const format = await post('transcriptions', { file: jfkBlob(), model: 'whisper-1', response_format: 'docx' });
  assert.equal(format.status, 400);
  assert.equal(format.body.error.param, 'response_format');
  assert.equal(format.body.error.code, 'invalid_value');
  assert.match(format.body.error.message, /verbose_json/);

  const granularity = await post('transcriptions', { file: jfkBlob(), model: 'whisper-1', 'timestamp_granularities[]': 'word' });
  assert.equal(granularity.status, 400);
  assert.equal(granularity.body.error.param, 'timestamp_granularities');

  const temperature = await post('translations', { file: jfkBlob(), model: 'whisper-1', temperature: '7' });
  assert.equal(temperature.status, 400);
  assert.equal(temperature.body.error.param, 'temperature');

  const notAudio = await post('transcriptions', {
    file: new File(['just some words'], 'notes.txt', { type: 'text/plain' }),
    model: 'whisper-1',
  });
  assert.equal(notAudio.status, 400);
  assert.equal(notAudio.body.error.param, 'file');
  assert.equal(notAudio.body.error.code, 'invalid_file_format');

  const tooBig = await post('transcriptions', {
    file: new File([new Uint8Array(25 * 1024 * 1024 + 1)], 'big.wav', { type: 'audio/wav' }),
    model: 'whisper-1',
  });
  assert.equal(tooBig.status, 413);
  assert.equal(tooBig.body.error.code, 'file_too_large');

  const json = await fetch(`${server.url}/v1/audio/transcriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'whisper-1' }),
  });
  assert.equal(json.status, 415);
  assert.match(((await json.json()) as { error: { message: string } }).error.message, /multipart\/form-data/);

  const cut = await fetch(`${server.url}/v1/audio/transcriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'multipart/form-data; boundary=XYZ' },
    body: '--XYZ\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF',
  });
  assert.equal(cut.status, 400);
  assert.match(((await cut.json()) as { error: { message: string } }).error.message, /^Malformed multipart\/form-data body/);

  const unknown = await fetch(`${server.url}/v1/audio/speech`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
});

test('keys: Bearer as the openai client sends it, Gemini-style keys too; an unknown key is 401 invalid_api_key', async () => {
  const wrong = new OpenAI({ apiKey: 'not-a-key', baseURL: `${server.url}/v1`, maxRetries: 0 });
  await assert.rejects(wrong.audio.transcriptions.create({ file: createReadStream(JFK), model: 'whisper-1' }), (e: unknown) => {
    assert.ok(e instanceof OpenAI.AuthenticationError);
    assert.equal(e.code, 'invalid_api_key');
    return true;
  });
  const none = await post('transcriptions', { file: jfkBlob(), model: 'whisper-1' }, {});
  assert.equal(none.status, 401);
  assert.equal(none.body.error.code, 'missing_api_key');
  const gemini = await fetch(`${server.url}/v1/audio/transcriptions`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY },
    body: (() => {
      const f = new FormData();
      f.append('file', jfkBlob());
      f.append('model', 'whisper-1');
      f.append('response_format', 'text');
      return f;
    })(),
  });
  assert.equal(gemini.status, 200);
  assert.match(await gemini.text(), /country/i);
});
