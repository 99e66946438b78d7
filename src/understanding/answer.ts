// Turning a resolved conversation into an answer stream, whichever generator is configured: the built-in
// composer (deterministic, grounded, no language model) or a TextGenerator (llama.cpp, OpenAI-compatible)
// fed the analysis as grounded context. Output limits are applied with the real tokenizer.

import type { TextGenerator } from '../engines/types.js';
import type { TextTokenizer } from './tokenizer.js';
import type { Conversation, GenerationOptions } from './types.js';
import { composeAnswer } from './composer.js';
import { geminiSchemaToJsonSchema } from './schema.js';
import { splitForStreaming } from './stream.js';
import { renderGroundedContext } from './context.js';
import { invalidArgument } from '../api/errors.js';
import { decodeAll, decodeBuffer, encodeWav16 } from '../audio/decode.js';

export interface AnswerOutcome {
  text: string;
  finishReason: 'STOP' | 'MAX_TOKENS';
  outputTokens: number;
}

export interface AnswerRequest extends GenerationOptions {
  /** Gemini's responseSchema (OpenAPI subset), converted here */
  geminiSchema?: object;
  signal?: AbortSignal;
}

export interface Answerer {
  readonly name: string;
  /** yields text chunks; returns the outcome */
  answer(conversation: Conversation, request: AnswerRequest): AsyncGenerator<string, AnswerOutcome>;
}

function jsonSchemaOf(req: AnswerRequest): object | undefined {
  if (req.responseSchema) return req.responseSchema;
  if (req.geminiSchema) return geminiSchemaToJsonSchema(req.geminiSchema);
  return undefined;
}

export function composerAnswerer(tokenizer: TextTokenizer, labels: readonly string[], llmHint: string): Answerer {
  return {
    name: 'composer',
    async *answer(conversation, req) {
      let composed;
      try {
        composed = composeAnswer(conversation, { ...req, responseSchema: jsonSchemaOf(req), maxOutputTokens: undefined, labels, llmHint });
      } catch (err) {
        // the composer refuses only what the request asks for (a malformed or unsatisfiable schema)
        throw invalidArgument(`* GenerateContentRequest.generation_config.response_schema: ${(err as Error).message}`);
      }
      let text = composed.text;
      let finishReason = composed.finishReason;
      let outputTokens: number;
      if (req.maxOutputTokens !== undefined) {
        const cut = await tokenizer.truncate(text, req.maxOutputTokens);
        text = cut.text;
        outputTokens = cut.count;
        if (cut.truncated) finishReason = 'MAX_TOKENS';
      } else {
        outputTokens = await tokenizer.count(text);
      }
      for (const chunk of splitForStreaming(text)) yield chunk;
      return { text, finishReason, outputTokens };
    },
  };
}

/** The audio parts that carry their source, as 16 kHz mono WAV, in conversation order. */
async function audioAsWav(conversation: Conversation): Promise<{ data: Buffer; format: 'wav' }[]> {
  const out: { data: Buffer; format: 'wav' }[] = [];
  for (const turn of conversation.turns) {
    for (const part of turn.parts) {
      if (part.kind !== 'audio' || !part.source) continue;
      const pcm = part.source.bytes ? await decodeBuffer(part.source.bytes, part.mimeType) : await decodeAll(part.source.path!);
      out.push({ data: encodeWav16(pcm), format: 'wav' });
    }
  }
  return out;
}

export function generatorAnswerer(generator: TextGenerator, labels: readonly string[]): Answerer {
  return {
    name: generator.name,
    async *answer(conversation, req) {
      const messages = renderGroundedContext(conversation, { labels });
      const audio = await audioAsWav(conversation);
      const lastUser = [...messages].reverse().find((m) => m.role === 'user');
      if (audio.length && lastUser) lastUser.audio = audio;
      const it = generator.generate({
        messages,
        maxOutputTokens: req.maxOutputTokens,
        temperature: req.temperature,
        topP: req.topP,
        topK: req.topK,
        seed: req.seed,
        stopSequences: req.stopSequences,
        jsonSchema: req.responseMimeType === 'application/json' ? (jsonSchemaOf(req) ?? {}) : undefined,
        signal: req.signal,
      });
      let text = '';
      for (;;) {
        const step = await it.next();
        if (step.done) return { text, finishReason: step.value.finishReason, outputTokens: step.value.outputTokens };
        text += step.value.text;
        if (step.value.text) yield step.value.text;
      }
    },
  };
}
