// The language-model backends behind generateContent, driven through @google/genai:
//  - llama.cpp (node-llama-cpp, the real runtime) on a tiny GGUF model the suite generates (random weights,
//    real format, real tokenizer): text, streaming, maxOutputTokens, JSON validated against the schema;
//  - an OpenAI-compatible server: no real Ollama/vLLM can run here, so a small local HTTP server written in
//    this test stands in for one and checks what Earshot sends (grounded context, input_audio, json_schema).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { GoogleGenAI } from '@google/genai';
import { startServer, type Running } from './harness.js';
import { SPEECH_DIR } from '../helpers.js';
import { tinyLlamaGguf } from '../fixtures/tiny-gguf.js';

const MODEL = 'gemini-2.5-flash';
const jfk = readFileSync(path.join(SPEECH_DIR, 'jfk.wav')).toString('base64');
const audioPart = { inlineData: { mimeType: 'audio/wav', data: jfk } };

interface Captured {
  body: {
    messages: { role: string; content: string | { type: string; input_audio?: { data: string; format: string }; text?: string }[] }[];
    stream: boolean;
    max_tokens?: number;
    response_format?: { type: string };
  };
}
const captured: Captured[] = [];
let fake: http.Server;
let fakeUrl: string;

before(async () => {
  fake = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = JSON.parse(raw);
      captured.push({ body });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const pieces = body.response_format ? ['{"answer":', ' "a stand-in reply"}'] : ['Grounded ', 'answer ', 'from the stand-in.'];
      for (const p of pieces) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: p } }] })}\n\n`);
      res.write(
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { completion_tokens: 3 } })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
  fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}/v1`;
});
after(() => new Promise<void>((r) => fake.close(() => r())));

test('openai backend: grounded context and the audio itself reach the server; the stream comes back through the SDK', async () => {
  const s: Running = await startServer({
    offline: true,
    engines: { text: 'openai', openaiBaseUrl: fakeUrl, openaiModel: 'qwen2-audio', openaiSendAudio: true },
  });
  try {
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: s.url } });
    const chunks: string[] = [];
    for await (const c of await ai.models.generateContentStream({
      model: MODEL,
      contents: [{ role: 'user', parts: [audioPart, { text: 'What does the speaker ask?' }] }],
    })) {
      chunks.push(c.text ?? '');
    }
    assert.equal(chunks.join(''), 'Grounded answer from the stand-in.');
    const sent = captured.at(-1)!.body;
    assert.equal(sent.stream, true);
    const all = JSON.stringify(sent.messages);
    assert.match(all, /country/, 'the transcript of the audio is in the context');
    const user = sent.messages.filter((m) => m.role === 'user').at(-1)!;
    const audio = (user.content as { type: string; input_audio?: { data: string; format: string } }[]).find(
      (p) => p.type === 'input_audio',
    );
    assert.ok(audio, 'the audio is sent as input_audio');
    const wav = Buffer.from(audio!.input_audio!.data, 'base64');
    assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
    assert.equal(wav.readUInt32LE(24), 16000);

    const json = await ai.models.generateContent({
      model: MODEL,
      contents: [{ role: 'user', parts: [audioPart, { text: 'Answer in JSON.' }] }],
      config: {
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { answer: { type: 'STRING' } }, required: ['answer'] } as never,
      },
    });
    assert.deepEqual(JSON.parse(json.text!), { answer: 'a stand-in reply' });
    assert.equal(captured.at(-1)!.body.response_format!.type, 'json_schema');
  } finally {
    await s.close();
  }
});

test('llama backend: the real llama.cpp runtime answers, honours maxOutputTokens, and JSON validates', async () => {
  const gguf = tinyLlamaGguf(3);
  const s: Running = await startServer({ offline: true, engines: { text: 'llama', llamaModel: gguf.path, gpu: 'off', threads: 1 } });
  try {
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: s.url } });
    const text = await ai.models.generateContent({ model: MODEL, contents: 'Say something.', config: { maxOutputTokens: 6, seed: 1 } });
    assert.equal(text.candidates![0].finishReason, 'MAX_TOKENS');
    assert.ok(text.usageMetadata!.candidatesTokenCount! <= 6);
    assert.ok((text.text ?? '').length > 0);

    const schema = {
      type: 'object',
      properties: {
        mood: { type: 'string', enum: ['calm', 'urgent'] },
        words: { type: 'array', items: { type: 'string', maxLength: 8 }, maxItems: 2 },
      },
      required: ['mood', 'words'],
    };
    const json = await ai.models.generateContent({
      model: MODEL,
      contents: [{ role: 'user', parts: [audioPart, { text: 'Classify the mood.' }] }],
      config: { responseMimeType: 'application/json', responseJsonSchema: schema, seed: 2, maxOutputTokens: 200 },
    });
    const value = JSON.parse(json.text!);
    const ajv = new Ajv({ strict: false });
    assert.ok(ajv.validate(schema, value), JSON.stringify(ajv.errors));
  } finally {
    await s.close();
  }
});
