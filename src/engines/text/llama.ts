// Text generation on the local CPU/GPU with llama.cpp (node-llama-cpp): loads a GGUF model, formats chat
// messages with the model's own chat template, streams the answer, and constrains it with a JSON-schema
// grammar when structured output is asked for.

import { existsSync } from 'node:fs';
import {
  getLlama,
  LlamaChat,
  LlamaLogLevel,
  type ChatHistoryItem,
  type Llama,
  type LlamaContext,
  type LlamaGpuType,
  type LlamaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';
import type { ChatMessage, TextChunk, TextGenerator, TextRequest, TextResult } from '../types.js';
import { EarshotError } from '../../domain/errors.js';

export interface LlamaGeneratorOptions {
  /** path of a .gguf model file */
  modelPath: string;
  /** 'auto' picks CUDA/Vulkan/Metal when usable, false forces CPU. Default 'auto'. */
  gpu?: 'auto' | LlamaGpuType;
  /** context window in tokens (prompt + answer). Default 8192, capped at the model's training context. */
  contextSize?: number;
  /** CPU threads for evaluation. Default: node-llama-cpp's choice (all math cores). */
  threads?: number;
  /** name reported by the generator; default "llama.cpp:<file name>" */
  name?: string;
}

const DEFAULT_CONTEXT_SIZE = 8192;
const GRAMMAR_CACHE_SIZE = 16;

/** One native llama.cpp binding per gpu choice, shared by every model of this process. */
const llamaInstances = new Map<string, Promise<Llama>>();

function loadLlama(gpu: 'auto' | LlamaGpuType): Promise<Llama> {
  const key = String(gpu);
  let instance = llamaInstances.get(key);
  if (!instance) {
    // build: 'never' — use the prebuilt binaries from the @node-llama-cpp/* npm packages and never fall back
    // to compiling llama.cpp (minutes of cmake) at runtime; fail with an explanation instead.
    instance = getLlama({ gpu, build: 'never', logLevel: LlamaLogLevel.warn, progressLogs: false }).catch((err: unknown) => {
      llamaInstances.delete(key);
      throw new EarshotError(
        'LLAMA_UNAVAILABLE',
        { reason: (err as Error).message, platform: process.platform, arch: process.arch },
        { cause: err },
      );
    });
    llamaInstances.set(key, instance);
  }
  return instance;
}

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  if (messages.length === 0) throw new EarshotError('TEXT_NO_MESSAGES');
  const history: ChatHistoryItem[] = messages.map((m): ChatHistoryItem => {
    switch (m.role) {
      case 'system':
        return { type: 'system', text: m.content };
      case 'user':
        return { type: 'user', text: m.content };
      case 'assistant':
        return { type: 'model', response: [m.content] };
      default:
        throw new EarshotError('TEXT_UNKNOWN_ROLE', { role: (m as ChatMessage).role });
    }
  });
  // The model answers into a trailing model turn; an assistant message at the end is continued (prefill).
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

/** Pushes values from callbacks to an async iterator. */
class ChunkQueue {
  private items: string[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  push(text: string): void {
    this.items.push(text);
    this.notify();
  }
  end(): void {
    this.ended = true;
    this.notify();
  }
  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
  /** next chunk, or null when ended and drained */
  async next(): Promise<string | null> {
    for (;;) {
      if (this.items.length > 0) return this.items.shift()!;
      if (this.ended) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** Loads the model and returns a TextGenerator that runs one request at a time on it. */
export async function createLlamaGenerator(options: LlamaGeneratorOptions): Promise<TextGenerator> {
  const { modelPath } = options;
  if (!existsSync(modelPath)) {
    throw new EarshotError('LLAMA_MODEL_NOT_FOUND', { file: modelPath });
  }
  const llama = await loadLlama(options.gpu ?? 'auto');
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath });
  } catch (err) {
    throw new EarshotError('LLAMA_MODEL_UNLOADABLE', { file: modelPath, reason: (err as Error).message }, { cause: err });
  }
  let context: LlamaContext;
  try {
    const wanted = options.contextSize ?? DEFAULT_CONTEXT_SIZE;
    context = await model.createContext({
      contextSize: Math.min(wanted, model.trainContextSize || wanted),
      sequences: 1,
      threads: options.threads,
    });
  } catch (err) {
    await model.dispose();
    throw new EarshotError('LLAMA_CONTEXT_FAILED', { reason: (err as Error).message }, { cause: err });
  }
  const chat = new LlamaChat({ contextSequence: context.getSequence() });
  const grammars = new Map<string, Promise<LlamaGrammar>>();
  const name = options.name ?? `llama.cpp:${modelPath.split(/[\\/]/).pop()}`;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  function grammarFor(schema: object): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let g = grammars.get(key);
    if (!g) {
      // node-llama-cpp supports a JSON-schema subset (type, properties, required, enum, const, oneOf, items,
      // min/maxItems, min/maxLength, additionalProperties, $defs/$ref); other keywords are not enforced.
      g = llama.createGrammarForJsonSchema(schema as Parameters<Llama['createGrammarForJsonSchema']>[0]);
      g.catch(() => grammars.delete(key));
      if (grammars.size >= GRAMMAR_CACHE_SIZE) grammars.delete(grammars.keys().next().value!);
      grammars.set(key, g);
    }
    return g;
  }

  async function* generate(request: TextRequest): AsyncGenerator<TextChunk, TextResult> {
    if (closed) throw new EarshotError('ENGINE_CLOSED', { name });
    request.signal?.throwIfAborted();
    const history = toHistory(request.messages);
    const grammar = request.jsonSchema ? await grammarFor(request.jsonSchema) : undefined;

    // Serialize: one context sequence, one request at a time.
    const previous = queue;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    queue = previous.then(() => mine);
    await previous;

    const controller = new AbortController();
    const onAbort = () => controller.abort(request.signal!.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const chunks = new ChunkQueue();
    let done = false;
    let run: Promise<unknown> | undefined;
    try {
      request.signal?.throwIfAborted();
      const meterBefore = chat.sequence.tokenMeter.getState();
      const promptTokens = chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
      const room = context.contextSize - promptTokens;
      if (room < Math.min(request.maxOutputTokens ?? 1, 16)) {
        throw new EarshotError('LLAMA_PROMPT_TOO_LONG', {
          promptTokens,
          name,
          contextSize: context.contextSize,
          trainContextSize: model.trainContextSize,
        });
      }
      const maxTokens = Math.min(request.maxOutputTokens ?? room, room);
      const generation = chat
        .generateResponse(history, {
          signal: controller.signal,
          maxTokens,
          temperature: request.temperature,
          topP: request.topP,
          topK: request.topK,
          seed: request.seed,
          customStopTriggers: request.stopSequences?.filter((s) => s.length > 0),
          grammar,
          onTextChunk: (text) => {
            if (text.length > 0) chunks.push(text);
          },
        })
        .finally(() => chunks.end());
      run = generation.catch(() => undefined); // settles quietly; errors are observed through `generation`
      for (let text = await chunks.next(); text !== null; text = await chunks.next()) yield { text };
      const response = await generation;
      done = true;
      const stop = response.metadata.stopReason;
      // tokens the model sampled for this answer (including any held back as a partial stop sequence)
      const used = chat.sequence.tokenMeter.diff(meterBefore);
      return {
        finishReason: stop === 'maxTokens' ? 'MAX_TOKENS' : 'STOP',
        outputTokens: used.usedOutputTokens,
        inputTokens: used.usedInputTokens,
      };
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      if (!done && run) {
        // the consumer stopped early (break/return/throw) or an error came up: stop llama.cpp and wait until
        // the sequence is free before the next request may use it
        controller.abort(new Error('generation stopped by the caller'));
        await run;
      }
      release();
    }
  }

  return {
    name,
    generate,
    async close() {
      if (closed) return;
      closed = true;
      await queue.catch(() => undefined);
      chat.dispose();
      await context.dispose();
      await model.dispose();
    },
  };
}
