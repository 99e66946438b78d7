// Model methods: generateContent, streamGenerateContent (alt=sse, or a JSON array stream) and
// countTokens. Reads the request, resolves its audio to analyses, asks the configured answerer, and
// writes Gemini's response shape with usage metadata (audio at 32 tokens per second).

import { randomBytes } from 'node:crypto';

import type { FastifyReply } from 'fastify';
import type { ApiContext } from './context.js';
import type { ModelMethods } from './server.js';
import { INPUT_TOKEN_LIMIT, resolveModel } from './models.js';
import { respondOptions, toWire } from './respond.js';
import { EarshotError } from '../domain/errors.js';

import { readCountTokensRequest, readGenerateRequest, type GenerateRequest } from './request.js';

import { resolvePrompt, type ResolvedPrompt } from './prompt.js';
import type { Answerer, AnswerOutcome, AnswerRequest } from '../understanding/answer.js';
import { audioTokens } from '../domain/audio.js';
import { transcriptionAnswer, transcriptionHints, type TranscriptionAnswer } from './audio-transcription.js';
import { translationTarget } from '../understanding/intent.js';

export interface GenerateDeps {
  answerer(): Promise<Answerer>;
  /** total tokens of the texts; stops (rejects) when `signal` aborts */
  countText(texts: string[], signal?: AbortSignal): Promise<number>;
}

/** A text token is at least one byte, and prose runs ~4 bytes a token: over 4× the limit in bytes is over it. */
const MAX_TEXT_BYTES = 4 * INPUT_TOKEN_LIMIT;

interface ModalityCount {
  modality: 'TEXT' | 'AUDIO';
  tokenCount: number;
}

/**
 * Token accounting of a prompt. Text beyond the model's input limit is refused as Gemini refuses it, before
 * the tokenizer spends time on it where the byte count alone settles it. (Audio is bounded separately by
 * limits.maxPromptAudioSec, Gemini's 9.5 hours, and is not held to the token limit here.)
 */
async function promptUsage(
  deps: GenerateDeps,
  prompt: ResolvedPrompt,
  signal?: AbortSignal,
): Promise<{ total: number; details: ModalityCount[] }> {
  const audio = prompt.audioSeconds.reduce((s, sec) => s + audioTokens(sec), 0);
  const bytes = prompt.texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  if (bytes > MAX_TEXT_BYTES)
    throw new EarshotError('API_INPUT_TOKENS_EXCEEDED', { count: Math.ceil(bytes / 4) + audio, max: INPUT_TOKEN_LIMIT });
  const text = await deps.countText(prompt.texts, signal);
  if (text > INPUT_TOKEN_LIMIT) throw new EarshotError('API_INPUT_TOKENS_EXCEEDED', { count: text + audio, max: INPUT_TOKEN_LIMIT });
  const details: ModalityCount[] = [];
  if (text > 0 || prompt.audioSeconds.length === 0) details.push({ modality: 'TEXT', tokenCount: text });
  if (prompt.audioSeconds.length) details.push({ modality: 'AUDIO', tokenCount: audio });
  return { total: text + audio, details };
}

function answerRequest(req: GenerateRequest, signal?: AbortSignal): AnswerRequest {
  const g = req.generationConfig;
  return {
    responseMimeType: g.responseMimeType,
    responseSchema: g.responseJsonSchema as object | undefined,
    geminiSchema: g.responseSchema,
    maxOutputTokens: g.maxOutputTokens,
    stopSequences: g.stopSequences,
    temperature: g.temperature,
    topP: g.topP,
    topK: g.topK,
    seed: g.seed,
    signal,
  };
}

/** Aborted when the client goes away before its answer is written, so its work stops. */
function abandonedWith(reply: FastifyReply): AbortController {
  const abort = new AbortController();
  reply.raw.once('close', () => reply.raw.writableFinished || abort.abort());
  return abort;
}

function responseId(): string {
  return randomBytes(12).toString('base64url');
}

function candidate(text: string | object[], finishReason?: string) {
  return {
    content: { parts: typeof text === 'string' ? [{ text }] : text, role: 'model' },
    ...(finishReason ? { finishReason } : {}),
    index: 0,
  };
}

export function modelMethods(ctx: ApiContext, deps: GenerateDeps): ModelMethods {
  /** Read and resolve the request, then start the answer; it is abandoned if the client goes away. */
  async function startAnswer(model: string, body: unknown, project: string, reply: FastifyReply) {
    const modelName = resolveModel(model);
    const request = readGenerateRequest(body);
    // audioTranscriptionConfig's languages and vocabulary: the audio is answered from its analysis made with them;
    // a prompt asking for an English translation gets the analysis with Whisper's translate task where it can run
    const hints = request.transcription
      ? transcriptionHints(request.transcription)
      : translationTarget(lastUserText(request)) === 'english'
        ? { translate: true }
        : undefined;
    const prompt = await resolvePrompt(ctx, project, request, 'generate', hints);
    const abort = abandonedWith(reply);
    const usage = await promptUsage(deps, prompt, abort.signal);
    if (request.transcription) {
      // audioTranscriptionConfig: the stored transcript itself, as audioTranscription parts
      const transcribed = transcriptionAnswer(prompt.conversation, request.transcription);
      if (transcribed.notices.length) reply.header('x-earshot-notice', transcribed.notices.join(' '));
      const outputTokens = await deps.countText(
        transcribed.parts.map((p) => p.text ?? ''),
        abort.signal,
      );
      return { modelName, usage, transcribed: { ...transcribed, outputTokens } };
    }
    const answerer = await deps.answerer();
    const it = answerer.answer(prompt.conversation, answerRequest(request, abort.signal));
    return { modelName, usage, it, transcribed: undefined };
  }

  function usageMetadata(usage: { total: number; details: ModalityCount[] }, outputTokens?: number) {
    return {
      promptTokenCount: usage.total,
      ...(outputTokens !== undefined ? { candidatesTokenCount: outputTokens } : {}),
      totalTokenCount: usage.total + (outputTokens ?? 0),
      promptTokensDetails: usage.details,
    };
  }

  return {
    async countTokens({ model, req, reply, project }) {
      resolveModel(model);
      const request = readCountTokensRequest(req.body);
      const prompt = await resolvePrompt(ctx, project, request, 'count');
      const usage = await promptUsage(deps, prompt, abandonedWith(reply).signal);
      return { totalTokens: usage.total, promptTokensDetails: usage.details };
    },

    async generateContent({ model, req, reply, project }) {
      const { modelName, usage, it, transcribed } = await startAnswer(model, req.body, project, reply);
      if (transcribed) {
        return {
          candidates: [candidate(transcribed.parts, 'STOP')],
          usageMetadata: usageMetadata(usage, transcribed.outputTokens),
          modelVersion: modelName,
          responseId: responseId(),
        };
      }
      let outcome: AnswerOutcome;
      for (;;) {
        const step = await it.next();
        if (step.done) {
          outcome = step.value;
          break;
        }
      }
      return {
        candidates: [candidate(outcome.text, outcome.finishReason)],
        usageMetadata: usageMetadata(usage, outcome.outputTokens),
        modelVersion: modelName,
        responseId: responseId(),
      };
    },

    async streamGenerateContent({ model, req, reply, project }) {
      const sse = (req.query as Record<string, string>).alt === 'sse';
      const { modelName, usage, it, transcribed } = await startAnswer(model, req.body, project, reply);
      const id = responseId();
      if (transcribed)
        return streamTranscription(ctx, reply, sse, transcribed, (last) => ({
          usageMetadata: usageMetadata(usage, last ? transcribed.outputTokens : undefined),
          modelVersion: modelName,
          responseId: id,
        }));
      // the first step runs before the response starts, so a refused request still gets its HTTP error
      const firstStep = await it.next();
      return streamOut(ctx, reply, sse, async (write) => {
        let pending: string | undefined;
        let step = firstStep;
        for (; ; step = await it.next()) {
          if (step.done) {
            const o = step.value;
            write({
              candidates: [candidate(pending ?? '', o.finishReason)],
              usageMetadata: usageMetadata(usage, o.outputTokens),
              modelVersion: modelName,
              responseId: id,
            });
            return;
          }
          // hold one chunk back so the last one can carry finishReason and the final usage
          if (pending !== undefined)
            write({ candidates: [candidate(pending)], usageMetadata: usageMetadata(usage), modelVersion: modelName, responseId: id });
          pending = step.value;
        }
      });
    },
  };
}

/** A transcription answer streamed a part per chunk; the last chunk carries finishReason and the full usage. */
function streamTranscription(
  ctx: ApiContext,
  reply: FastifyReply,
  sse: boolean,
  t: TranscriptionAnswer,
  meta: (last: boolean) => object,
): Promise<FastifyReply> {
  const notice = reply.getHeader('x-earshot-notice');
  if (notice !== undefined) reply.raw.setHeader('x-earshot-notice', notice);
  return streamOut(ctx, reply, sse, async (write) => {
    // no speech: one chunk with no parts, as the unary answer has none
    if (!t.parts.length) return write({ candidates: [candidate([], 'STOP')], ...meta(true) });
    t.parts.forEach((part, i) => {
      const last = i === t.parts.length - 1;
      write({ candidates: [candidate([part], last ? 'STOP' : undefined)], ...meta(last) });
    });
  });
}

/** Write a stream of response objects as SSE (`data: {...}\r\n\r\n`) or as one JSON array. */
async function streamOut(
  ctx: ApiContext,
  reply: FastifyReply,
  sse: boolean,
  produce: (write: (obj: object) => void) => Promise<void>,
): Promise<FastifyReply> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8',
    'cache-control': 'no-cache',
    'x-request-id': String(reply.request.id),
  });
  let first = true;
  const write = (obj: object) => {
    if (res.destroyed) return;
    const json = JSON.stringify(obj);
    if (sse) res.write(`data: ${json}\r\n\r\n`);
    else {
      res.write(first ? `[${json}` : `\r\n,${json}`);
      first = false;
    }
  };
  try {
    await produce(write);
  } catch (err) {
    // the same mapping as the unary path's error handler: the same failure gives the same error
    const wire = toWire(err, respondOptions(ctx));
    if (wire.unexpected || wire.httpStatus >= 500) reply.request.log.error({ err }, 'stream failed');
    write(wire.body);
  }
  if (!res.destroyed) res.end(sse ? '' : first ? '[]' : ']');
  return reply;
}

/** The text of the request's last user turn (what the prompt asks now). */
function lastUserText(request: GenerateRequest): string {
  const turn = [...request.contents].reverse().find((c) => c.role !== 'model');
  return (turn?.parts ?? []).map((p) => p.text ?? '').join('\n');
}
