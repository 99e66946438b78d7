// Answers from a real language model, grounded, through the real server and @google/genai: Qwen2.5-Coder-0.5B-
// Instruct (GGUF Q4_K_M, verified against Qwen's checksum by `npm run test-models`) in llama.cpp, Whisper tiny.en
// and YAMNet for the analyses. Open prompts reach the model with the analysis as context; exact ones (presence)
// are the composer's; JSON mode is grammar-constrained. One server for all; greedy decoding, small output limits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { GoogleGenAI, createPartFromUri, createUserContent, type File as GenAiFile } from '@google/genai';
import { startServer, type Running } from './harness.js';
import { SOUNDS_DIR, SPEECH_DIR } from '../helpers.js';
import { findTestModel } from '../models/manifest.js';
import { modelsDir, testModel } from '../models/paths.js';
import { composeAnswer } from '../../src/understanding/composer.js';
import type { AudioAnalysis } from '../../src/domain/analysis.js';
import type { Conversation } from '../../src/understanding/types.js';
import { answererFactory } from '../../src/understanding/backends.js';
import { collectAnswer } from '../../src/understanding/answer.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { EMOTION_TRANSCRIPT_SCHEMA } from '../understanding/fixtures.js';

const MODEL = 'gemini-2.5-flash';
const LLM = 'qwen2.5-coder-0.5b-instruct';
// CI runs `npm run test-models` first, so there this always runs; elsewhere once the models are fetched
const fetched = [LLM, 'whisper-tiny.en'].every((n) => existsSync(path.join(modelsDir(), findTestModel(n).file)));
const skip = !process.env.CI && !fetched && 'real models not fetched: run npm run test-models';
const GREEDY = { temperature: 0, seed: 1 };
// One llama.cpp thread: on a shared 2-core machine two threads spin-wait on each other (a 94-token answer took
// 440 s with 2 threads at load 16, 29 s with 1 at load 8); one thread is also what a busy CI box can give.

describe('grounded answers from a real language model', { skip }, () => {
  let server: Running;
  let ai: GoogleGenAI;
  let jfk: GenAiFile;
  let firetruck: GenAiFile;

  async function upload(file: string, mimeType: string): Promise<GenAiFile> {
    let f = await ai.files.upload({ file, config: { mimeType, displayName: path.basename(file) } });
    for (let i = 0; f.state === 'PROCESSING' && i < 1500; i++) {
      await new Promise((r) => setTimeout(r, 200));
      f = await ai.files.get({ name: f.name! });
    }
    assert.equal(f.state, 'ACTIVE', `${file} was not analysed`);
    return f;
  }
  async function analysisOf(file: GenAiFile): Promise<AudioAnalysis> {
    const res = await fetch(`${server.url}/v1beta/${file.name}:analysis`, { headers: { 'x-goog-api-key': 'llm-key' } });
    return ((await res.json()) as { analysis: AudioAnalysis }).analysis;
  }
  const about = (file: GenAiFile, prompt: string) => createUserContent([createPartFromUri(file.uri!, file.mimeType!), prompt]);

  before(async () => {
    server = await startServer({
      offline: true,
      engines: {
        text: 'llama',
        llamaModel: testModel(LLM),
        whisperModel: testModel('whisper-tiny.en'),
        speakers: 'none',
        gpu: 'off',
        threads: 1,
      },
    });
    ai = new GoogleGenAI({ apiKey: 'llm-key', httpOptions: { baseUrl: server.url } });
    [firetruck, jfk] = await Promise.all([
      upload(path.join(SOUNDS_DIR, 'firetruck.ogg'), 'audio/ogg'),
      upload(path.join(SPEECH_DIR, 'jfk.wav'), 'audio/wav'),
    ]);
  });
  after(async () => {
    await server?.close();
  });

  test('"Describe this audio clip" on the fire truck: the model names the siren from the sound events', async () => {
    const res = await ai.models.generateContent({
      model: MODEL,
      contents: about(firetruck, 'Describe this audio clip'),
      config: { ...GREEDY, maxOutputTokens: 80 },
    });
    const text = res.text ?? '';
    assert.match(text, /siren/i, text);
    // the model wrote it, not the composer (whose description of the same analysis is computed here)
    const analysis = await analysisOf(firetruck);
    const composed = composeAnswer({
      turns: [
        {
          role: 'user',
          parts: [
            { kind: 'audio', index: 0, analysis, mimeType: 'audio/ogg' },
            { kind: 'text', text: 'Describe this audio clip' },
          ],
        },
      ],
    });
    assert.notEqual(text.trim(), composed.text.trim());
    assert.ok(
      analysis.soundEvents.some((e) => /siren/i.test(e.label)),
      'the analysis holds the siren the answer names',
    );
  });

  test('a question about what is said is answered from the transcript, streamed in several chunks', async () => {
    const chunks: string[] = [];
    const stream = await ai.models.generateContentStream({
      model: MODEL,
      contents: about(jfk, 'What does the speaker ask people to do?'),
      config: { ...GREEDY, maxOutputTokens: 60 },
    });
    for await (const c of stream) if (c.text) chunks.push(c.text);
    const text = chunks.join('');
    assert.ok(chunks.length >= 3, `expected several chunks, got ${chunks.length}: ${JSON.stringify(chunks)}`);
    assert.match(text, /country/i, text);
    assert.match((await analysisOf(jfk)).segments.map((s) => s.text).join(' '), /country/i, 'the transcript holds the word');
  });

  test('JSON mode with a schema: grammar-constrained output parses and validates', async () => {
    const schema = {
      type: 'OBJECT',
      properties: {
        mood: { type: 'STRING', enum: ['calm', 'urgent', 'solemn', 'cheerful'] },
        // bounded, so the answer always ends within maxOutputTokens (a cut answer is cut JSON, as in Gemini)
        topic: { type: 'STRING', maxLength: '80' },
        speech: { type: 'BOOLEAN' },
      },
      required: ['mood', 'topic', 'speech'],
    };
    const jsonSchema = {
      type: 'object',
      properties: {
        mood: { type: 'string', enum: ['calm', 'urgent', 'solemn', 'cheerful'] },
        topic: { type: 'string', maxLength: 80 },
        speech: { type: 'boolean' },
      },
      required: ['mood', 'topic', 'speech'],
    };
    for (const [file, prompt] of [
      [jfk, 'What is the mood of this recording, and its topic?'],
      [firetruck, 'Classify the mood and the topic of this clip.'],
    ] as const) {
      const res = await ai.models.generateContent({
        model: MODEL,
        contents: about(file, prompt),
        config: { ...GREEDY, maxOutputTokens: 100, responseMimeType: 'application/json', responseSchema: schema },
      });
      const value = JSON.parse(res.text!);
      const ajv = new Ajv({ strict: false });
      assert.ok(ajv.validate(jsonSchema, value), `${res.text} ${JSON.stringify(ajv.errors)}`);
    }
  });

  test('text/x.enum: the model picks one of the values, answered bare', async () => {
    const values = ['calm', 'urgent', 'solemn', 'cheerful'];
    const res = await ai.models.generateContent({
      model: MODEL,
      contents: about(firetruck, 'What is the mood of this clip?'),
      config: { ...GREEDY, maxOutputTokens: 10, responseMimeType: 'text/x.enum', responseSchema: { type: 'STRING', enum: values } },
    });
    assert.ok(values.includes(res.text ?? ''), res.text);
  });

  test('a sound the analysis does not hold is denied; one it holds is confirmed', async () => {
    const dog = await ai.models.generateContent({ model: MODEL, contents: about(jfk, 'Is there a dog barking?'), config: GREEDY });
    assert.match(dog.text ?? '', /^\W*no\b/i, dog.text);
    const siren = await ai.models.generateContent({ model: MODEL, contents: about(firetruck, 'Is there a siren?'), config: GREEDY });
    assert.match(siren.text ?? '', /^\W*yes\b/i, siren.text);
  });
});

// engines.emotionFromWords with the real model, in-process (no audio needed: the reading is of the words): the JSON
// schema's emotion is the model's reading where no vocal sound speaks, and the neutral default with the setting off.
// The sentence is one the 0.5B model reads right; it misreads others, which is why the setting is off by default.
test('emotionFromWords: the real model reads the words for the schema; off, the neutral default', { skip }, async () => {
  const schema = EMOTION_TRANSCRIPT_SCHEMA;
  const words = 'I am so happy, I love you all!';
  const analysis: AudioAnalysis = {
    sha256: 'e'.repeat(64),
    durationSec: 3,
    speechRegions: [{ start: 0.2, end: 2.6 }],
    segments: [{ start: 0.2, end: 2.6, text: words, words: [], language: 'en' }],
    soundEvents: [],
    loudnessDb: -20,
    engines: {},
    warnings: [],
  };
  const conversation: Conversation = {
    turns: [
      {
        role: 'user',
        parts: [
          { kind: 'audio', index: 0, analysis, mimeType: 'audio/wav' },
          { kind: 'text', text: 'Generate a transcript of the speech, with segments.' },
        ],
      },
    ],
  };
  const emotions: Record<string, string> = {};
  for (const on of [true, false]) {
    const config = resolveConfig(
      { offline: true, engines: { text: 'llama', llamaModel: testModel(LLM), gpu: 'off', threads: 1, emotionFromWords: on } },
      {},
    );
    const answerer = await answererFactory(config, undefined, [])();
    try {
      const out = await collectAnswer(
        answerer.answer(conversation, { ...GREEDY, responseMimeType: 'application/json', responseSchema: schema }),
      );
      const value = JSON.parse(out.text) as { segments: { content: string; emotion: string }[] };
      emotions[String(on)] = value.segments.map((s) => s.emotion).join(',');
    } finally {
      await answerer.close?.();
    }
  }
  assert.deepEqual(emotions, { true: 'happy', false: 'neutral' });
});
