// Picks the answerer the configuration names, loading a language model only on first use:
// composer (built in), llama (a GGUF file through node-llama-cpp) or openai (an OpenAI-compatible server).

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { TextTokenizer } from './tokenizer.js';
import { composerAnswerer, generatorAnswerer, type Answerer } from './answer.js';

export const LLM_HINT =
  'configure a language model: `earshot models pull qwen2.5-1.5b-instruct` then start with EARSHOT_TEXT_ENGINE=llama, or point EARSHOT_TEXT_ENGINE=openai and EARSHOT_OPENAI_BASE_URL at an OpenAI-compatible server (Ollama, vLLM, llama.cpp server)';

export function answererFactory(config: Config, tokenizer: TextTokenizer, labels: readonly string[]): () => Promise<Answerer> {
  let loading: Promise<Answerer> | undefined;
  return () => (loading ??= load(config, tokenizer, labels).catch((err) => {
    loading = undefined;
    throw err;
  }));
}

async function load(config: Config, tokenizer: TextTokenizer, labels: readonly string[]): Promise<Answerer> {
  const e = config.engines;
  if (e.text === 'llama') {
    const model = e.llamaModel;
    if (!model) throw new Error('engines.text=llama needs engines.llamaModel (EARSHOT_LLAMA_MODEL): a .gguf path or a catalogue name pulled with `earshot models pull`.');
    const modelPath = existsSync(model) ? model : path.join(config.modelsDir, model.endsWith('.gguf') ? model : `${model}.gguf`);
    if (!existsSync(modelPath)) throw new Error(`The language model ${model} is not installed (looked for ${modelPath}); run \`earshot models pull ${model}\`.`);
    const { createLlamaGenerator } = await import('../engines/text/llama.js');
    return generatorAnswerer(await createLlamaGenerator({ modelPath, gpu: e.gpu === 'off' ? false : 'auto', threads: e.threads || undefined }), labels);
  }
  if (e.text === 'openai') {
    const { createOpenAiCompatibleGenerator } = await import('../engines/text/openai.js');
    return generatorAnswerer(
      createOpenAiCompatibleGenerator({ baseUrl: e.openaiBaseUrl!, model: e.openaiModel ?? 'default', apiKey: e.openaiApiKey, sendAudio: e.openaiSendAudio }),
      labels,
    );
  }
  return composerAnswerer(tokenizer, labels, LLM_HINT);
}
