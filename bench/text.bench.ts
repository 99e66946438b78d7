// Benchmark of the llama.cpp text generator: binding + model load time, generation speed (tokens/s) with
// 1 and 2 threads, and the cost of a JSON-schema grammar, on a generated random-weight GGUF model
// (a few million parameters) or on a real GGUF given as the first argument.
import os from 'node:os';
import path from 'node:path';
import { createLlamaGenerator } from '../src/engines/text/llama.js';
import type { TextGenerator, TextRequest } from '../src/engines/types.js';
import { writeTinyLlamaGguf } from '../test/fixtures/tiny-gguf.js';

const modelPath =
  process.argv[2] ??
  writeTinyLlamaGguf(path.join(os.tmpdir(), 'earshot-fixtures', 'bench-llama-512x4.gguf'), {
    seed: 5,
    layers: 4,
    embeddingLength: 512,
    feedForwardLength: 1408,
    heads: 8,
    kvHeads: 4,
  }).path;

const messages: TextRequest['messages'] = [
  { role: 'system', content: 'You describe audio recordings.' },
  { role: 'user', content: 'Transcript: ' + 'the quick brown fox jumps over the lazy dog '.repeat(40) + '\nSummarize it.' },
];
const schema = {
  type: 'object',
  properties: { summary: { type: 'string', maxLength: 200 }, mood: { enum: ['calm', 'tense'] } },
  required: ['summary', 'mood'],
};

async function run(gen: TextGenerator, request: TextRequest): Promise<{ ms: number; tokens: number }> {
  const t0 = performance.now();
  const it = gen.generate(request);
  let step = await it.next();
  while (!step.done) step = await it.next();
  return { ms: performance.now() - t0, tokens: step.value.outputTokens };
}

let t0 = performance.now();
const gen1 = await createLlamaGenerator({ modelPath, gpu: false, threads: 1, contextSize: 2048 });
console.log(`load_ms (binding self-test + model): ${(performance.now() - t0).toFixed(0)}`);
t0 = performance.now();
const gen2 = await createLlamaGenerator({ modelPath, gpu: false, threads: 2, contextSize: 2048 });
console.log(`second_model_load_ms: ${(performance.now() - t0).toFixed(0)}`);

const base: TextRequest = { messages, maxOutputTokens: 128, temperature: 0.7, seed: 1 };
await run(gen1, { ...base, maxOutputTokens: 4 }); // warm-up
const prompt = await run(gen1, {
  ...base,
  messages: [...messages.slice(0, 1), { role: 'user', content: messages[1].content + ' ' }],
  maxOutputTokens: 1,
});
console.log(`prompt_plus_1_token_ms_1thread: ${prompt.ms.toFixed(0)}`);
const one = await run(gen1, base);
const two = await run(gen2, base);
const tps1 = (one.tokens / one.ms) * 1000;
const tps2 = (two.tokens / two.ms) * 1000;
console.log(`tokens_per_s_1thread: ${tps1.toFixed(1)}`);
console.log(`tokens_per_s_2threads: ${tps2.toFixed(1)}`);
console.log(`speedup_2threads_vs_1: ${(tps2 / tps1).toFixed(2)}`);
const json = await run(gen1, { ...base, maxOutputTokens: 400, jsonSchema: schema });
const tpsJson = (json.tokens / json.ms) * 1000;
console.log(`tokens_per_s_json_grammar_1thread: ${tpsJson.toFixed(1)}`);
console.log(`json_grammar_speed_ratio: ${(tpsJson / tps1).toFixed(2)}`);
await gen1.close?.();
await gen2.close?.();
