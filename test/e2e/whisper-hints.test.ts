// Real Whisper through the API with hints (issue 11), whisper-base weights (EARSHOT_WHISPER_NATIVE for a CPU-built
// addon): Gemini's customVocabulary fixes a rare name the base analysis mishears, and /v1/audio/translations on an
// espeak-ng Spanish clip answers in English with the clip's content words (Whisper's translate task run once, on
// demand, and reused), and so does a plain "Translate this into English" prompt through @google/genai. Never skipped: without the fetched models testModel() says to run `npm run test-models`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startServer, type Running } from './harness.js';
import { tempDir } from '../helpers.js';
import { GoogleGenAI } from '@google/genai';
import { testModel, whisperAddon } from '../models/paths.js';

const KEY = 'whisper-hints';
const tmp = tempDir('earshot-whisper-hints-');
let server: Running;

const SPANISH = 'El tren de la mañana llega a la estación central a las ocho y media, y muchos viajeros compran café antes de subir.';

/** espeak-ng `text` in `voice`, as a 16 kHz WAV with 1.5 s of silence either side. */
function speech(name: string, text: string, voice: string): Buffer {
  const said = path.join(tmp.dir, `${name}.said.wav`);
  const clip = path.join(tmp.dir, `${name}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-s', '140', '-w', said, text]);
  execFileSync('sox', [said, '-r', '16000', '-c', '1', clip, 'pad', '1.5', '1.5']);
  return readFileSync(clip);
}

async function analysesRun(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(
    text
      .split('\n')
      .find((l) => l.startsWith('earshot_analysis_duration_seconds_count '))
      ?.split(' ')[1] ?? 0,
  );
}

async function transcribe(wav: Buffer, audioTranscriptionConfig: object): Promise<string> {
  const res = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({
      contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'audio/wav', data: wav.toString('base64') } }] }],
      generationConfig: { audioTranscriptionConfig },
    }),
  });
  const body = (await res.json()) as { candidates?: { content: { parts: { text: string }[] } }[]; error?: unknown };
  assert.equal(res.status, 200, JSON.stringify(body.error));
  assert.equal(res.headers.get('x-earshot-notice'), null, 'every hint was applied');
  return body.candidates![0]!.content.parts.map((p) => p.text).join(' ');
}

before(async () => {
  server = await startServer({
    offline: true,
    apiKeys: { [KEY]: 'p' },
    engines: {
      speech: 'whisper',
      whisperModel: testModel('whisper-base'),
      whisperNative: whisperAddon(),
      sounds: 'none',
      gpu: 'off',
    },
  });
});
after(async () => {
  await server?.close();
  tmp.cleanup();
});

test('customVocabulary: a rare name misheard in the base analysis is spelled right in the hinted one', async (t) => {
  const wav = speech('name', 'My colleague Aurelio Quaglieri arrives tomorrow from Milan.', 'en-us');
  const without = await transcribe(wav, {});
  t.diagnostic(`without: ${without}`);
  assert.doesNotMatch(without, /Aurelio Quaglieri/, 'precondition: misheard without the hint');
  const withVocabulary = await transcribe(wav, { customVocabulary: ['Aurelio Quaglieri'], languageCodes: ['en-US'] });
  t.diagnostic(`with: ${withVocabulary}`);
  assert.match(withVocabulary, /Aurelio Quaglieri/);
  assert.match(withVocabulary, /arrives tomorrow/i, 'the rest is still transcribed');
});

test('/v1/audio/translations: a Spanish clip answers in English, translated once and then reused', async (t) => {
  const wav = speech('spanish', SPANISH, 'es');
  const client = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 600_000 });
  const before = await analysesRun();
  const r = (await client.audio.translations.create({
    file: await toFile(wav, 'tren.wav'),
    model: 'whisper-1',
    response_format: 'verbose_json',
  })) as unknown as {
    text: string;
    language: string;
    segments: { text: string }[];
  };
  const english = r.text.toLowerCase();
  t.diagnostic(english);
  assert.equal(await analysesRun(), before + 2, 'the base analysis, then the translation');
  assert.equal(r.language, 'spanish', 'the language spoken');
  assert.match(english, /\btrain\b/);
  assert.match(english, /\bstation\b/);
  assert.match(english, /\b(coffee|cafe|café)\b/);
  assert.doesNotMatch(english, /\b(tren|estación|viajeros)\b/, 'no Spanish left');
  // the transcription of the same bytes is still the Spanish (from the base analysis), and the translation is reused
  const spanish = await client.audio.transcriptions.create({ file: await toFile(wav, 'tren.wav'), model: 'whisper-1' });
  assert.match(spanish.text.toLowerCase(), /tren|estaci[oó]n/);
  const again = await client.audio.translations.create({ file: await toFile(wav, 'again.wav'), model: 'whisper-1' });
  assert.equal(again.text.trim(), r.text.trim());
  assert.equal(await analysesRun(), before + 2, 'nothing ran again');
});

test('a plain "Translate this into English" prompt answers from Whisper\'s translation, not a guess', async (t) => {
  const wav = speech('spanish-prompt', `${SPANISH} Hoy hace sol.`, 'es');
  const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
  const before = await analysesRun();
  const r = await ai.models.generateContent({
    model: 'gemini-2.5-flash',
    contents: [
      {
        role: 'user',
        parts: [{ text: 'Translate this into English.' }, { inlineData: { mimeType: 'audio/wav', data: wav.toString('base64') } }],
      },
    ],
  });
  const answer = r.text ?? '';
  t.diagnostic(answer);
  assert.equal(await analysesRun(), before + 2, 'the base analysis, then the translation');
  assert.match(answer, /English translation from the speech engine/);
  assert.match(answer.toLowerCase(), /\btrain\b/);
  assert.match(answer.toLowerCase(), /\bstation\b/);
  assert.doesNotMatch(answer.toLowerCase(), /\b(tren|estación|viajeros)\b/, 'no Spanish left');
});
