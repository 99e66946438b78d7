// Turning a resolved conversation into an answer stream, whichever generator is configured: the built-in
// composer (deterministic, grounded, no language model) or a TextGenerator (llama.cpp, OpenAI-compatible)
// fed the analysis as grounded context. Output limits are applied with the real tokenizer.
// Errors: a response schema the request cannot have is a catalogued SCHEMA_* error (400); anything else a writer
// or generator throws (its own bugs included) passes through untouched, so the API answers it as 500 INTERNAL.

import type { EmotionReading } from '../domain/analysis.js';
import { readEmotions } from './emotion-reading.js';
import type { TextGenerator } from '../engines/types.js';
import type { ComposedAnswer, Conversation, GenerationOptions } from './types.js';
import { composeAnswer } from './composer.js';
import { geminiSchemaToJsonSchema } from './schema.js';
import { splitForStreaming } from './stream.js';
import { renderGroundedContext } from './context.js';
import { decodeAll, decodeBuffer, encodeWav16 } from '../audio/decode.js';
import { EarshotError } from '../domain/errors.js';

export interface AnswerOutcome {
  text: string;
  finishReason: 'STOP' | 'MAX_TOKENS';
  /** output tokens by the real tokenizer; absent when the answerer was built without one (the CLI shows no usage) */
  outputTokens?: number;
  /** the built-in composer's grounding and structured answer (absent for language-model answers) */
  grounding?: ComposedAnswer['grounding'];
  data?: ComposedAnswer['data'];
}

/** Counts and cuts output text in real tokens (TextTokenizer is one). */
export interface OutputTokenizer {
  count(text: string): Promise<number>;
  truncate(text: string, max: number): Promise<{ text: string; count: number; truncated: boolean }>;
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
  /** release a language model's resources (a one-shot caller such as the CLI) */
  close?(): Promise<void>;
  /** a language model's reading of each text's emotion (emotion-reading.ts); only answerers over a model have it */
  readEmotions?(texts: readonly string[], signal?: AbortSignal): Promise<(EmotionReading['value'] | undefined)[]>;
}

export function jsonSchemaOf(req: AnswerRequest): object | undefined {
  if (req.responseSchema) return req.responseSchema;
  if (req.geminiSchema) return geminiSchemaToJsonSchema(req.geminiSchema);
  return undefined;
}

/**
 * The built-in composer as an answerer. With a tokenizer, maxOutputTokens cuts in real tokens and the outcome
 * carries the output token count; without one (the CLI), the composer's own approximate cut applies.
 */
export function composerAnswerer(tokenizer: OutputTokenizer | undefined, labels: readonly string[], llmHint: string): Answerer {
  return {
    name: 'composer',
    async *answer(conversation, req) {
      const composed = composeAnswer(conversation, {
        ...req,
        responseSchema: jsonSchemaOf(req),
        maxOutputTokens: tokenizer ? undefined : req.maxOutputTokens,
        labels,
        llmHint,
      });
      let text = composed.text;
      let finishReason = composed.finishReason;
      let outputTokens: number | undefined;
      if (tokenizer && req.maxOutputTokens !== undefined) {
        const cut = await tokenizer.truncate(text, req.maxOutputTokens);
        text = cut.text;
        outputTokens = cut.count;
        if (cut.truncated) finishReason = 'MAX_TOKENS';
      } else if (tokenizer) {
        outputTokens = await tokenizer.count(text);
      }
      for (const chunk of splitForStreaming(text)) yield chunk;
      return { text, finishReason, outputTokens, grounding: composed.grounding, data: composed.data };
    },
  };
}

/** Run an answer to its end (no streaming): the outcome, its text whole. */
export async function collectAnswer(it: AsyncGenerator<string, AnswerOutcome>): Promise<AnswerOutcome> {
  for (;;) {
    const step = await it.next();
    if (step.done) return step.value;
  }
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

/**
 * A language model as an answerer, on the grounded context. JSON mode generates under a grammar built from the
 * schema; 'text/x.enum' generates one of the schema's enum values under a grammar and answers it bare, in one chunk.
 */
export function generatorAnswerer(generator: TextGenerator, labels: readonly string[]): Answerer {
  return {
    name: generator.name,
    close: async () => generator.close?.(),
    readEmotions: (texts, signal) => readEmotions(generator, texts, signal),
    async *answer(conversation, req) {
      const mime = (req.responseMimeType ?? '').toLowerCase();
      let jsonSchema: object | undefined;
      if (mime === 'application/json') jsonSchema = jsonSchemaOf(req) ?? {};
      else if (mime === 'text/x.enum') {
        const values = ((jsonSchemaOf(req) as { enum?: unknown[] } | undefined)?.enum ?? []).filter(
          (v): v is string => typeof v === 'string',
        );
        if (!values.length) throw new EarshotError('SCHEMA_ENUM_MISSING');
        jsonSchema = { type: 'string', enum: values };
      }
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
        jsonSchema,
        signal: req.signal,
      });
      const bare = mime === 'text/x.enum';
      let text = '';
      for (;;) {
        const step = await it.next();
        if (step.done) {
          if (bare) {
            // the grammar made it a JSON string of one enum value; a cut one (MAX_TOKENS) is left as it came
            try {
              text = JSON.parse(text) as string;
            } catch {
              /* cut by maxOutputTokens */
            }
            if (text) yield text;
          }
          return { text, finishReason: step.value.finishReason, outputTokens: step.value.outputTokens };
        }
        text += step.value.text;
        if (step.value.text && !bare) yield step.value.text;
      }
    },
  };
}
