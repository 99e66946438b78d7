// Transcription hints reach the recogniser through the API (issue 11), on a real server with real Whisper
// (whisper-tiny.en weights; the CPU-built addon the server would take), Silero VAD, YAMNet and Resemblyzer, on
// espeak-ng speech. Runs are counted by the server's own /metrics (earshot_analysis_duration_seconds): a hinted
// request runs one analysis (speech only, on the stored base), an identical one runs none, and hints the engine cannot
// use (tiny.en takes no language) run nothing and are reported in x-earshot-notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startServer, type Running } from './harness.js';
import { tempDir } from '../helpers.js';
import { testModel, whisperAddon } from '../models/paths.js';

const KEY = 'hints-key';
const tmp = tempDir('earshot-hints-e2e-');
let server: Running;
let wav: Buffer;
let fileName: string;

/** The analyses the server has run, and their total seconds (its analysis-duration histogram). */
async function runs(): Promise<{ count: number; seconds: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (name: string) =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`${name} `))
        ?.split(' ')[1] ?? 0,
    );
  return { count: value('earshot_analysis_duration_seconds_count'), seconds: value('earshot_analysis_duration_seconds_sum') };
}

async function transcribe(parts: object[], audioTranscriptionConfig: object) {
  const res = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts }], generationConfig: { audioTranscriptionConfig } }),
  });
  const body = (await res.json()) as { candidates?: { content: { parts: { text: string }[] } }[]; error?: { message: string } };
  assert.equal(res.status, 200, JSON.stringify(body.error));
  return { text: body.candidates![0]!.content.parts.map((p) => p.text).join(''), notice: res.headers.get('x-earshot-notice') };
}

before(async () => {
  const said = path.join(tmp.dir, 'said.wav');
  const clip = path.join(tmp.dir, 'clip.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '140', '-w', said, 'My colleague Aurelio Quaglieri arrives tomorrow from Milan.']);
  execFileSync('sox', [said, '-r', '16000', '-c', '1', clip, 'pad', '1.5', '1.5']);
  wav = readFileSync(clip);
  server = await startServer({
    offline: true,
    apiKeys: { [KEY]: 'hints' },
    engines: {
      speech: 'whisper',
      whisperModel: testModel('whisper-tiny.en'),
      whisperNative: whisperAddon(),
      speakerModel: testModel('resemblyzer'),
      gpu: 'off',
    },
  });
  const up = await fetch(`${server.url}/upload/v1beta/files?uploadType=media`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'content-type': 'audio/wav' },
    body: new Uint8Array(wav),
  });
  fileName = ((await up.json()) as { file: { name: string } }).file.name;
  for (let i = 0; i < 3000; i++) {
    const f = (await (await fetch(`${server.url}/v1beta/${fileName}`, { headers: { 'x-goog-api-key': KEY } })).json()) as { state: string };
    if (f.state !== 'PROCESSING') {
      assert.equal(f.state, 'ACTIVE');
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
});

after(async () => {
  await server?.close();
  tmp.cleanup();
});

test('customVocabulary on a file: one hinted run (speech only), none for the same hints again in any order', async (t) => {
  const file = [{ fileData: { fileUri: `${server.url}/v1beta/${fileName}`, mimeType: 'audio/wav' } }];
  const start = await runs();
  assert.equal(start.count, 1, 'the upload ran the base analysis');
  const plain = await transcribe(file, {});
  assert.equal((await runs()).count, 1, 'no hints: the base analysis answers');

  const first = await transcribe(file, { customVocabulary: ['Aurelio Quaglieri', 'Milan'] });
  const after1 = await runs();
  assert.equal(after1.count, 2, 'the hinted analysis ran once');
  assert.equal(first.notice, null, 'the vocabulary was applied: nothing to report');
  assert.match(first.text, /tomorrow/i);
  const hintedSec = after1.seconds - start.seconds;
  t.diagnostic(
    `base analysis ${start.seconds.toFixed(2)} s (VAD, YAMNet, Resemblyzer, Whisper); hinted ${hintedSec.toFixed(2)} s (Whisper only)`,
  );
  t.diagnostic(`without hints: ${plain.text.trim()} | with: ${first.text.trim()}`);

  const again = await transcribe(file, { customVocabulary: [' Milan', 'Aurelio Quaglieri', 'Milan'] });
  assert.equal((await runs()).count, 2, 'equal hints in another order: the stored hinted analysis answers');
  assert.equal(again.text, first.text);

  // tiny.en cannot be told a language: nothing runs, and the answer says so
  const lang = await transcribe(file, { languageCodes: ['it-IT'] });
  assert.equal((await runs()).count, 2, 'a hint the engine cannot use runs nothing');
  assert.match(lang.notice ?? '', /languageCodes were not applied: the speech engine \(whisper[^)]*\) cannot be told the language/);
  assert.equal(lang.text, plain.text, 'the base transcript answers');

  // a language no recogniser knows is refused before anything is queued
  const bad = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ parts: file }], generationConfig: { audioTranscriptionConfig: { languageCodes: ['qq'] } } }),
  });
  assert.equal(bad.status, 400);
  assert.equal((await runs()).count, 2);
});

test('OpenAI prompt on uploaded bytes: hinted once, reused; the same bytes inline in Gemini share its base', async () => {
  const client = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 600_000 });
  const before = (await runs()).count;
  const ask = async () =>
    client.audio.transcriptions
      .create({ file: await toFile(wav, 'clip.wav'), model: 'whisper-1', prompt: 'Aurelio Quaglieri' })
      .withResponse();
  const { data, response } = await ask();
  // the project's base analysis of these bytes exists (the file's): only the hinted one runs
  assert.equal((await runs()).count, before + 1);
  assert.equal(response.headers.get('x-earshot-notice'), null);
  const again = await ask();
  assert.equal(again.data.text, data.text);
  assert.equal((await runs()).count, before + 1, 'the repeat ran nothing');
  // the same hints through Gemini's inline audio: the same hinted analysis
  const inline = await transcribe([{ inlineData: { mimeType: 'audio/wav', data: wav.toString('base64') } }], {
    customVocabulary: ['Aurelio Quaglieri'],
  });
  const words = (s: string) => s.replace(/\s+/g, ' ').trim();
  assert.equal(words(inline.text), words(data.text));
  assert.equal((await runs()).count, before + 1);
});
