// Picks the answerer the configuration names, loading a language model only on first use: composer (built in),
// llama (a GGUF file through node-llama-cpp), openai (an OpenAI-compatible server), or auto (the default: llama on
// the configured or default catalogue model when one is installed, pulled in the background on first need unless
// offline, and the composer until then). A language model answers open prompts only; exact requests stay with the
// composer (routing.ts). The one way to answer: the server (app.ts) and the CLI (`earshot ask`) both call it.

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { EarshotError } from '../domain/errors.js';
import { composerAnswerer, generatorAnswerer, type Answerer, type OutputTokenizer } from './answer.js';
import { routedAnswerer } from './routing.js';

export const LLM_HINT =
  'configure a language model: `earshot models pull qwen2.5-coder-0.5b-instruct` (or qwen2.5-1.5b-instruct) and start with EARSHOT_TEXT_ENGINE=auto or llama, or point EARSHOT_TEXT_ENGINE=openai and EARSHOT_OPENAI_BASE_URL at an OpenAI-compatible server (Ollama, vLLM, llama.cpp server)';

export interface BackendLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface FactoryOptions {
  /** text 'auto' only: pull the default model in the background on first need (the server; a one-shot CLI does not) */
  pull?: boolean;
  log?: BackendLog;
}

const stderrLog: BackendLog = { info: (m) => process.stderr.write(`${m}\n`), warn: (m) => process.stderr.write(`${m}\n`) };

/**
 * The answerer `config.engines.text` names, built on first call and shared after (a failed load is retried on the
 * next call). `tokenizer` counts output tokens for usage metadata; without one the composer cuts approximately.
 */
export function answererFactory(
  config: Config,
  tokenizer: OutputTokenizer | undefined,
  labels: readonly string[],
  options: FactoryOptions = {},
): () => Promise<Answerer> {
  const log = options.log ?? stderrLog;
  const composer = composerAnswerer(tokenizer, labels, LLM_HINT);
  const routing = { emotionFromWords: config.engines.emotionFromWords };
  let loading: Promise<Answerer> | undefined;
  let pulling: Promise<unknown> | undefined;

  async function auto(): Promise<Answerer> {
    const e = config.engines;
    if (e.llamaModel) {
      try {
        return routedAnswerer(composer, await llama(config, labels, e.llamaModel), labels, routing);
      } catch (err) {
        // auto never fails a request: the composer answers, and the log says why the model did not load
        log.warn(
          `The language model ${e.llamaModel} is unavailable (${(err as Error).message}); open prompts are answered by the built-in composer.`,
        );
        return composer;
      }
    }
    const { DEFAULT_TEXT_MODEL } = await import('../engines/text/catalogue.js');
    const { findModel } = await import('../engines/models/catalogue.js');
    const entry = findModel(DEFAULT_TEXT_MODEL.name);
    const file = path.join(config.modelsDir, entry.file);
    if (existsSync(file) || (options.pull && !config.offline && !pulling)) {
      const { installedOrPulled } = await import('../engines/models/auto-pull.js');
      const got = installedOrPulled(entry, {
        modelsDir: config.modelsDir,
        offline: config.offline,
        purpose: 'language',
        log,
        withoutIt: 'open prompts are answered by the built-in composer.',
      });
      if (!existsSync(file)) {
        // a first pull takes minutes: answer with the composer meanwhile, and load the model on the call after it ends
        pulling = got.then(
          (p) => p && (loading = undefined),
          () => undefined,
        );
        return composer;
      }
      const verified = await got;
      if (verified) {
        try {
          return routedAnswerer(composer, await llama(config, labels, verified), labels, routing);
        } catch (err) {
          log.warn(
            `The language model ${entry.name} failed to load (${(err as Error).message}); open prompts are answered by the built-in composer.`,
          );
        }
      }
    }
    return composer;
  }

  async function load(): Promise<Answerer> {
    const e = config.engines;
    if (e.text === 'auto') return auto();
    if (e.text === 'llama') {
      if (!e.llamaModel) throw new EarshotError('TEXT_MODEL_UNSET');
      return routedAnswerer(composer, await llama(config, labels, e.llamaModel), labels, routing);
    }
    if (e.text === 'openai') {
      const { createOpenAiCompatibleGenerator } = await import('../engines/text/openai.js');
      const generator = createOpenAiCompatibleGenerator({
        baseUrl: e.openaiBaseUrl!,
        model: e.openaiModel ?? 'default',
        apiKey: e.openaiApiKey,
        sendAudio: e.openaiSendAudio,
        timeoutMs: e.openaiTimeoutSec * 1000,
        retries: e.remoteRetries,
        breakerFailures: e.remoteBreakerFailures,
        breakerResetMs: e.remoteBreakerResetSec * 1000,
      });
      return routedAnswerer(composer, generatorAnswerer(generator, labels), labels, routing);
    }
    return composer;
  }

  return () =>
    (loading ??= load().catch((err) => {
      loading = undefined;
      throw err;
    }));
}

/** The llama.cpp answerer on `model`: a .gguf path, or a catalogue name installed in the models directory. */
async function llama(config: Config, labels: readonly string[], model: string): Promise<Answerer> {
  const e = config.engines;
  const modelPath = existsSync(model) ? model : path.join(config.modelsDir, model.endsWith('.gguf') ? model : `${model}.gguf`);
  if (!existsSync(modelPath)) throw new EarshotError('TEXT_MODEL_NOT_INSTALLED', { model, path: modelPath });
  const { createLlamaGenerator } = await import('../engines/text/llama.js');
  const generator = await createLlamaGenerator({
    modelPath,
    gpu: e.gpu === 'off' ? false : 'auto',
    threads: e.threads || undefined,
  });
  return generatorAnswerer(generator, labels);
}
