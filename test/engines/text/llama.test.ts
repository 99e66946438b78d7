// Tests the llama.cpp text generator with the real node-llama-cpp runtime on a tiny random-weight GGUF model
// generated at test time (test/fixtures/tiny-gguf.ts): streaming, token limits, stop sequences, sampling
// parameters, JSON-schema constrained output, abort and clean-up.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { createLlamaGenerator } from '../../../src/engines/text/llama.js';
import type { ChatMessage, TextGenerator } from '../../../src/engines/types.js';
import { tinyLlamaGguf } from '../../fixtures/tiny-gguf.js';
import { collect } from './collect.js';

const messages: ChatMessage[] = [
  { role: 'system', content: 'You describe audio recordings.' },
  { role: 'user', content: 'What can be heard in the recording?' },
];

describe('llama.cpp generator (tiny random GGUF model)', () => {
  let gen: TextGenerator;

  before(async () => {
    const model = tinyLlamaGguf(1);
    gen = await createLlamaGenerator({ modelPath: model.path, gpu: false, contextSize: 1024, threads: 1 });
  });
  after(async () => {
    await gen?.close?.();
  });

  test('loads the model and streams several chunks', async () => {
    assert.match(gen.name, /^llama\.cpp:tiny-llama/);
    const { chunks, text, result } = await collect(gen, { messages, maxOutputTokens: 30 });
    assert.ok(chunks.length >= 2, `expected >= 2 chunks, got ${chunks.length}`);
    assert.ok(chunks.every((c) => c.length > 0));
    assert.ok(text.length > 0);
    assert.equal(result.finishReason, 'MAX_TOKENS');
    assert.equal(result.outputTokens, 30);
  });

  test('maxOutputTokens=5 stops with MAX_TOKENS after at most 5 tokens', async () => {
    const { result } = await collect(gen, { messages, maxOutputTokens: 5, temperature: 0.8, seed: 3 });
    assert.equal(result.finishReason, 'MAX_TOKENS');
    assert.ok(result.outputTokens > 0 && result.outputTokens <= 5, `outputTokens=${result.outputTokens}`);
  });

  test('seed, temperature and topK reach the sampler', async () => {
    const base = { messages, maxOutputTokens: 25 };
    const a = await collect(gen, { ...base, temperature: 1, seed: 7 });
    const b = await collect(gen, { ...base, temperature: 1, seed: 7 });
    const c = await collect(gen, { ...base, temperature: 1, seed: 8 });
    assert.equal(a.text, b.text, 'same seed must give the same text');
    assert.notEqual(a.text, c.text, 'another seed should give another text');
    // topK=1 leaves only the most likely token, i.e. greedy decoding, whatever the temperature and seed
    const greedy = await collect(gen, { ...base, temperature: 0 });
    const topK1 = await collect(gen, { ...base, temperature: 1.5, seed: 9, topK: 1 });
    assert.equal(topK1.text, greedy.text);
    assert.notEqual(a.text, greedy.text);
  });

  test('stop sequences end the answer with STOP and are not part of it', async () => {
    // The random model's output is deterministic for a seed: take its unconstrained answer, choose a stop
    // sequence from inside it, and the constrained answer must be exactly the text before its first occurrence.
    const base = { messages, maxOutputTokens: 60, temperature: 1, seed: 21 };
    const reference = (await collect(gen, base)).text;
    const ascii = /^[\x21-\x7e]+$/;
    for (const length of [1, 3]) {
      let at = -1;
      for (let i = 4; i + length <= reference.length; i++) {
        if (ascii.test(reference.slice(i, i + length))) {
          at = i;
          break;
        }
      }
      assert.ok(at > 0, `reference output has no printable run of ${length}: ${JSON.stringify(reference)}`);
      const stop = reference.slice(at, at + length);
      const { text, result } = await collect(gen, { ...base, stopSequences: [stop, '\u0000never'] });
      assert.equal(result.finishReason, 'STOP');
      assert.equal(text, reference.slice(0, reference.indexOf(stop)), `stop ${JSON.stringify(stop)}`);
      assert.ok(!text.includes(stop));
      assert.ok(result.outputTokens < 60);
    }
  });

  test('jsonSchema constrains the output to valid JSON for the schema', async () => {
    const schema = {
      type: 'object',
      properties: {
        label: { type: 'string', maxLength: 12 },
        mood: { enum: ['calm', 'tense', 'happy'] },
        tags: { type: 'array', items: { type: 'string', maxLength: 6 }, maxItems: 3 },
        speech: { type: 'boolean' },
      },
      required: ['label', 'mood', 'tags', 'speech'],
      additionalProperties: false,
    };
    const validate = new Ajv().compile(schema);
    for (const seed of [1, 2, 3, 4]) {
      const { text, result } = await collect(gen, { messages, temperature: 1, seed, jsonSchema: schema, maxOutputTokens: 400 });
      assert.equal(result.finishReason, 'STOP', `seed ${seed}: ${text}`);
      const value = JSON.parse(text);
      assert.ok(validate(value), `seed ${seed}: ${JSON.stringify(validate.errors)} in ${text}`);
    }
    // the same model without the grammar does not produce JSON: the grammar is what makes it valid
    const free = await collect(gen, { messages, temperature: 1, seed: 1, maxOutputTokens: 60 });
    assert.throws(() => JSON.parse(free.text));
  });

  test('abort signal stops the generation with its reason; the generator stays usable', async () => {
    const controller = new AbortController();
    const it = gen.generate({ messages, maxOutputTokens: 500, temperature: 1, seed: 5, signal: controller.signal });
    const first = await it.next();
    assert.equal(first.done, false);
    controller.abort(new Error('client went away'));
    await assert.rejects(
      (async () => {
        for (;;) if ((await it.next()).done) break;
      })(),
      /client went away/,
    );
    const after = await collect(gen, { messages, maxOutputTokens: 8 });
    assert.equal(after.result.outputTokens, 8);
  });

  test('a consumer that stops reading early frees the model for the next request', async () => {
    const request = { messages, maxOutputTokens: 20, temperature: 1, seed: 11 };
    const full = await collect(gen, request);
    for await (const chunk of gen.generate({ ...request, maxOutputTokens: 500 })) {
      assert.ok(chunk.text.length > 0);
      break;
    }
    const again = await collect(gen, request);
    assert.equal(again.text, full.text);
  });

  test('concurrent requests run one after another and each gets its own answer', async () => {
    const one = { messages, maxOutputTokens: 15, temperature: 1, seed: 31 };
    const two = { messages, maxOutputTokens: 15, temperature: 1, seed: 32 };
    const [a, b] = await Promise.all([collect(gen, one), collect(gen, two)]);
    assert.equal(a.text, (await collect(gen, one)).text);
    assert.equal(b.text, (await collect(gen, two)).text);
  });

  test('a prompt longer than the context window is refused with advice', async () => {
    const long = Array.from({ length: 1500 }, (_, i) => `word${i}`).join(' ');
    await assert.rejects(collect(gen, { messages: [{ role: 'user', content: long }] }), /raise contextSize/);
  });

  test('a missing model file says how to get one', async () => {
    await assert.rejects(createLlamaGenerator({ modelPath: '/nonexistent/model.gguf', gpu: false }), /earshot models pull/);
  });
});
