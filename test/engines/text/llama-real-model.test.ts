// The real small instruct model from the test-model cache (Qwen2.5-Coder-0.5B-Instruct Q4_K_M, verified against
// Qwen's published SHA-256 by `npm run test-models`) loads in node-llama-cpp's prebuilt llama.cpp and answers:
// a plain fact, a yes/no grounded in given context, and schema-constrained JSON. Random-weight models cannot pass.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLlamaGenerator } from '../../../src/engines/text/llama.js';
import type { TextGenerator } from '../../../src/engines/types.js';
import { testModel } from '../../models/paths.js';
import { collect } from './collect.js';

const NAME = 'qwen2.5-coder-0.5b-instruct';
// Never skipped: without the fetched model, testModel() fails with the command to run (npm run test-models).
describe('real instruct model (Qwen2.5-Coder-0.5B-Instruct GGUF) in llama.cpp', () => {
  let gen: TextGenerator;
  before(async () => {
    gen = await createLlamaGenerator({ modelPath: testModel(NAME), gpu: false, contextSize: 1024 });
  });
  after(async () => {
    await gen?.close?.();
  });

  test('answers a plain question correctly, streaming, and stops by itself', async () => {
    const { chunks, text, result } = await collect(gen, {
      messages: [{ role: 'user', content: 'What is the capital of France? Answer in one short sentence.' }],
      maxOutputTokens: 40,
      temperature: 0,
    });
    assert.match(text, /\bParis\b/, text);
    assert.ok(chunks.length >= 2, `expected several chunks, got ${chunks.length}`);
    assert.equal(result.finishReason, 'STOP');
  });

  test('answers from the context it is given: a sound the context does not hold is denied', async () => {
    const context =
      'Facts about an audio recording (the only facts you know): 0:00-0:11 speech, English, words: "And so my fellow ' +
      'Americans, ask not what your country can do for you, ask what you can do for your country." No music. No siren. No dog.';
    const ask = async (q: string) =>
      (
        await collect(gen, {
          messages: [
            { role: 'system', content: context },
            { role: 'user', content: `${q} Answer yes or no.` },
          ],
          maxOutputTokens: 12,
          temperature: 0,
        })
      ).text;
    assert.match(await ask('Is there a siren in the recording?'), /^\W*no\b/i);
    assert.match(await ask('Is there speech in the recording?'), /^\W*yes\b/i);
  });

  test('JSON mode with a schema gives JSON that parses and holds the asked fields', async () => {
    const { text } = await collect(gen, {
      messages: [{ role: 'user', content: 'In which city and country is the Eiffel Tower?' }],
      maxOutputTokens: 60,
      temperature: 0,
      jsonSchema: { type: 'object', properties: { city: { type: 'string' }, country: { type: 'string' } }, required: ['city', 'country'] },
    });
    const value = JSON.parse(text) as { city: string; country: string };
    assert.match(value.city, /Paris/i);
    assert.match(value.country, /France/i);
  });
});
