// Picks the answerer the configuration names, loading a language model only on first use:
// composer (built in), llama (a GGUF file through node-llama-cpp) or openai (an OpenAI-compatible server).
// The one way to answer: the server (api/generate.ts, through app.ts) and the CLI (`earshot ask`) both call it.

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { EarshotError } from '../domain/errors.js';
import { composerAnswerer, generatorAnswerer, type Answerer, type OutputTokenizer } from './answer.js';

export const LLM_HINT =
  'configure a language model: `earshot models pull qwen2.5-1.5b-instruct` then start with EARSHOT_TEXT_ENGINE=llama, or point EARSHOT_TEXT_ENGINE=openai and EARSHOT_OPENAI_BASE_URL at an OpenAI-compatible server (Ollama, vLLM, llama.cpp server)';

/**
 * The answerer `config.engines.text` names, built on first call and shared after (a failed load is retried on the
 * next call). `tokenizer` counts output tokens for usage metadata; without one the composer cuts approximately.
 */
export function answererFactory(config: Config, tokenizer: OutputTokenizer | undefined, labels: readonly string[]): () => Promise<Answerer> {
  let loading: Promise<Answerer> | undefined;
  return () => (loading ??= load(config, tokenizer, labels).catch((err) => {
    loading = undefined;
    throw err;
  }));
}

async function load(config: Config, tokenizer: OutputTokenizer | undefined, labels: readonly string[]): Promise<Answerer> {
  const e = config.engines;
  if (e.text === 'llama') {
    const model = e.llamaModel;
    if (!model) throw new EarshotError('TEXT_MODEL_UNSET');
    const modelPath = existsSync(model) ? model : path.join(config.modelsDir, model.endsWith('.gguf') ? model : `${model}.gguf`);
    if (!existsSync(modelPath)) throw new EarshotError('TEXT_MODEL_NOT_INSTALLED', { model, path: modelPath });
    const { createLlamaGenerator } = await import('../engines/text/llama.js');
    return generatorAnswerer(await createLlamaGenerator({ modelPath, gpu: e.gpu === 'off' ? false : 'auto', threads: e.threads || undefined }), labels);
  }
  if (e.text === 'openai') {
    const { createOpenAiCompatibleGenerator } = await import('../engines/text/openai.js');
    return generatorAnswerer(
      createOpenAiCompatibleGenerator({ baseUrl: e.openaiBaseUrl!, model: e.openaiModel ?? 'default', apiKey: e.openaiApiKey, sendAudio: e.openaiSendAudio,
        timeoutMs: e.openaiTimeoutSec * 1000, retries: e.remoteRetries, breakerFailures: e.remoteBreakerFailures, breakerResetMs: e.remoteBreakerResetSec * 1000 }),
      labels,
    );
  }
  return composerAnswerer(tokenizer, labels, LLM_HINT);
}
