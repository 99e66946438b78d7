// The remote speech engine against a real HTTP server speaking OpenAI's /v1/audio/transcriptions wire shape.
// The server (./transcription-server.ts) stands in for speaches / vLLM / LocalAI, which cannot run here: it
// parses the real multipart body, checks the fields, and answers with the bursts of sound it found in the WAV as
// its "words". So the test can check, through the real pipeline (Silero VAD, windows, the engine), that each word
// lands on the file's clock where that sound really is in the file.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { analyzeAudio } from '../../../src/analysis/pipeline.js';
import { decodeAll, decodePcm } from '../../../src/audio/decode.js';
import { createSileroVad } from '../../../src/engines/vad/silero.js';
import { createRemoteSpeech, languageCode, segmentsFromVerboseJson } from '../../../src/engines/speech/openai-remote.js';
import type { VadEngine } from '../../../src/engines/types.js';
import { isEarshotError } from '../../../src/domain/errors.js';
import { tempDir } from '../../helpers.js';
import { speechAtOffset } from '../../fixtures/speech.js';
import { bursts, startTranscriptionServer, type TranscriptionServer } from './transcription-server.js';

const tmp = tempDir();
let server: TranscriptionServer;
let vad: VadEngine;
let file: string;

before(async () => {
  server = await startTranscriptionServer();
  vad = await createSileroVad({});
  // two sentences with long silence around them, so the pipeline sends windows that start well into the file
  const a = speechAtOffset(tmp.dir, 'a', 'The harbour lights came on one by one.', 4, 3);
  const b = speechAtOffset(tmp.dir, 'b', 'Nobody on the pier said a word.', 6, 2);
  file = path.join(tmp.dir, 'two.wav');
  execFileSync('sox', [a, b, file]);
});

after(async () => {
  await server.close();
  await vad.close?.();
  tmp.cleanup();
});

test('through analyzeAudio: each word lands on the file clock where its sound is, language mapped to a code', async () => {
  server.seen.length = 0;
  server.plan = ['words'];
  const speech = createRemoteSpeech({ baseUrl: server.url, model: 'Systran/faster-whisper-small', apiKey: 'sk-test', timeoutMs: 10_000 });
  const pcm = await decodeAll(file);
  const durationSec = pcm.length / 16_000;
  const analysis = await analyzeAudio(
    (range, signal) => decodePcm(file, { ...range, signal }),
    { vad, speech, names: { speech: speech.name }, warnings: [] },
    {
      sha256: 'x'.repeat(64),
      durationSec,
    },
  );

  // the wire: what the server parsed out of the multipart body
  assert.ok(server.seen.length >= 2, `expected a window per sentence, got ${server.seen.length}`);
  for (const r of server.seen) {
    assert.equal(r.path, '/v1/audio/transcriptions');
    assert.equal(r.authorization, 'Bearer sk-test');
    assert.equal(r.model, 'Systran/faster-whisper-small');
    assert.equal(r.responseFormat, 'verbose_json');
    assert.deepEqual(r.granularities, ['word', 'segment']);
    assert.equal(r.language, undefined, 'no language asked: the server detects');
    assert.equal(r.fileType, 'audio/wav');
    assert.equal(r.sampleRate, 16_000);
    assert.ok(r.seconds > 0.5 && r.seconds <= 30.5, `window of ${r.seconds} s`);
  }
  const sent = server.seen.reduce((s, r) => s + r.seconds, 0);
  assert.ok(sent < durationSec - 8, `only speech goes to the server (${sent.toFixed(1)} s of ${durationSec.toFixed(1)} s)`);

  // the clock: the same burst finder run over the whole file, independently of the windows the pipeline chose
  const truth = bursts(pcm);
  const words = analysis.segments.flatMap((s) => s.words);
  assert.ok(words.length >= 4, `words: ${words.length}`);
  for (const w of words) {
    const mid = (w.start + w.end) / 2;
    assert.ok(
      truth.some((b) => mid >= b.start - 0.02 && mid <= b.end + 0.02),
      `word ${w.text} at ${w.start}-${w.end} s is not on any sound of the file: ${JSON.stringify(truth)}`,
    );
    assert.equal(w.approximate, undefined, 'real word times are not marked approximate');
    assert.equal(w.confidence, 0.9);
  }
  assert.ok(Math.abs(words[0].start - truth[0].start) <= 0.03, `first word at ${words[0].start}, first sound at ${truth[0].start}`);
  const last = truth[truth.length - 1];
  assert.ok(
    Math.abs(words[words.length - 1].end - last.end) <= 0.03,
    `last word ends ${words[words.length - 1].end}, last sound ${last.end}`,
  );
  assert.ok(
    words.some((w) => w.start > 12),
    'the second sentence (after 12 s) is transcribed on the file clock',
  );
  assert.equal(analysis.language, 'en', 'OpenAI answers "english"; Earshot records the code');
  assert.equal(analysis.engines.speech, 'openai-speech:Systran/faster-whisper-small');
});

test('a server without word times: words spread over each segment, marked approximate; language and prompt sent', async () => {
  server.seen.length = 0;
  server.plan = ['segments'];
  const speech = createRemoteSpeech({ baseUrl: `${server.url}/`, model: 'whisper-1', prompt: 'Harbour, pier.', timeoutMs: 10_000 });
  const pcm = await decodeAll(file, { start: 3.5, end: 12 });
  const result = await speech.transcribe(pcm, { language: 'de' });
  assert.equal(server.seen.length, 1);
  assert.equal(server.seen[0].language, 'de');
  assert.equal(server.seen[0].prompt, 'Harbour, pier.');
  assert.equal(result.language, 'de');
  assert.ok(result.segments.length >= 1);
  for (const s of result.segments) {
    const n = s.text.split(/\s+/).length;
    assert.equal(s.words.length, n);
    assert.ok(s.words.every((w) => w.approximate === true));
    assert.equal(s.words[0].start, s.start);
    assert.ok(Math.abs(s.words[n - 1].end - s.end) < 0.002);
    for (let i = 1; i < n; i++) assert.ok(s.words[i].start >= s.words[i - 1].end - 1e-9, 'spread words are in order');
  }
});

test("a 4xx is not retried and fails with the server's own message", async () => {
  server.seen.length = 0;
  server.plan = [{ status: 400, message: 'model whisper-9 is not installed' }];
  const speech = createRemoteSpeech({ baseUrl: server.url, model: 'whisper-9', timeoutMs: 10_000, backoffMs: 10 });
  const pcm = await decodeAll(file, { start: 3.5, end: 8 });
  await assert.rejects(speech.transcribe(pcm), (err: unknown) => {
    assert.ok(isEarshotError(err, 'REMOTE_HTTP_ERROR'), String(err));
    assert.match(err.message, /answered 400 .*whisper-9 is not installed/);
    return true;
  });
  assert.equal(server.seen.length, 1, 'one request, no retries');
  assert.equal(speech.breaker, 'closed', 'a refused request says nothing about the server being down');
});

test('verbose_json mapping: speaches-style nested words, clamping, and odd answers', () => {
  const nested = segmentsFromVerboseJson(
    {
      text: 'Hello there. General.',
      segments: [
        {
          start: 0.2,
          end: 1.4,
          text: ' Hello there.',
          words: [
            { word: ' Hello', start: 0.2, end: 0.6 },
            { word: ' there.', start: 0.7, end: 1.4 },
          ],
        },
        { start: 2, end: 3.6, text: ' General.', words: [{ word: ' General.', start: 2, end: 3.6 }] },
      ],
    },
    3,
  );
  assert.deepEqual(
    nested.map((s) => [s.start, s.end, s.words.map((w) => w.text)]),
    [
      [0.2, 1.4, ['Hello', 'there.']],
      [2, 3, ['General.']],
    ],
  );
  assert.equal(nested[1].words[0].end, 3, 'times are clamped to the window');
  const textOnly = segmentsFromVerboseJson({ text: 'just some text' }, 2);
  assert.deepEqual(
    textOnly.map((s) => [s.start, s.end, s.words.length, s.words.every((w) => w.approximate)]),
    [[0, 2, 3, true]],
  );
  assert.deepEqual(segmentsFromVerboseJson({ text: '', segments: [] }, 2), []);
  assert.equal(languageCode('english'), 'en');
  assert.equal(languageCode('German'), 'de');
  assert.equal(languageCode('pt-BR'), 'pt-br');
  assert.equal(languageCode('klingonese'), undefined);
});
