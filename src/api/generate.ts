// Model methods: generateContent, streamGenerateContent (alt=sse, or a JSON array stream) and
// countTokens. Reads the request, resolves its audio to analyses, asks the configured answerer, and
// writes Gemini's response shape with usage metadata (audio at 32 tokens per second).

import { randomBytes } from 'node:crypto';

import type { FastifyReply } from 'fastify';
import type { ApiContext } from './context.js';
import type { ModelMethods } from './server.js';
import { ApiError } from './errors.js';

import { resolveModel } from './models.js';

import { readCountTokensRequest, readGenerateRequest, type GenerateRequest } from './request.js';

import { resolvePrompt, type ResolvedPrompt } from './prompt.js';
import type { Answerer, AnswerOutcome, AnswerRequest } from '../understanding/answer.js';
import { audioTokens } from '../domain/audio.js';

export interface GenerateDeps {
  answerer(): Promise<Answerer>;
  countText(texts: string[]): Promise<number>;
}

interface ModalityCount {
  modality: 'TEXT' | 'AUDIO';
  tokenCount: number;
}

async function promptUsage(deps: GenerateDeps, prompt: ResolvedPrompt): Promise<{ total: number; details: ModalityCount[] }> {
  const text = await deps.countText(prompt.texts);
  const audio = prompt.audioSeconds.reduce((s, sec) => s + audioTokens(sec), 0);
  const details: ModalityCount[] = [];
  if (text > 0 || prompt.audioSeconds.length === 0) details.push({ modality: 'TEXT', tokenCount: text });
  if (prompt.audioSeconds.length) details.push({ modality: 'AUDIO', tokenCount: audio });
  return { total: text + audio, details };
}

function answerRequest(req: GenerateRequest, signal?: AbortSignal): AnswerRequest {
  const g = req.generationConfig;
  return {
    responseMimeType: g.responseMimeType,
    responseSchema: g.responseJsonSchema,
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

function responseId(): string {
  return randomBytes(12).toString('base64url');
}

function candidate(text: string, finishReason?: string) {
  return {
    content: { parts: [{ text }], role: 'model' },
    ...(finishReason ? { finishReason } : {}),
    index: 0,
  };
}

export function modelMethods(ctx: ApiContext, deps: GenerateDeps): ModelMethods {
  /** Read and resolve the request, then start the answer; it is abandoned if the client goes away. */
  async function startAnswer(model: string, body: unknown, project: string, reply: FastifyReply) {
    const modelName = resolveModel(model);
    const request = readGenerateRequest(body);
    const prompt = await resolvePrompt(ctx, project, request, 'generate');
    const usage = await promptUsage(deps, prompt);
    const abort = new AbortController();
    reply.raw.once('close', () => reply.raw.writableFinished || abort.abort());
    const answerer = await deps.answerer();
    const it = answerer.answer(prompt.conversation, answerRequest(request, abort.signal));
    return { modelName, usage, it };
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
    async countTokens({ model, req, project }) {
      resolveModel(model);
      const request = readCountTokensRequest(req.body);
      const prompt = await resolvePrompt(ctx, project, request, 'count');
      const usage = await promptUsage(deps, prompt);
      return { totalTokens: usage.total, promptTokensDetails: usage.details };
    },

    async generateContent({ model, req, reply, project }) {
      const { modelName, usage, it } = await startAnswer(model, req.body, project, reply);
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
      const { modelName, usage, it } = await startAnswer(model, req.body, project, reply);
      const id = responseId();
      // the first step runs before the response starts, so a refused request still gets its HTTP error
      const firstStep = await it.next();
      return streamOut(reply, sse, async (write) => {
        let pending: string | undefined;
        let step = firstStep;
        for (;; step = await it.next()) {
          if (step.done) {
            const o = step.value;
            write({ candidates: [candidate(pending ?? '', o.finishReason)], usageMetadata: usageMetadata(usage, o.outputTokens), modelVersion: modelName, responseId: id });
            return;
          }
          // hold one chunk back so the last one can carry finishReason and the final usage
          if (pending !== undefined) write({ candidates: [candidate(pending)], usageMetadata: usageMetadata(usage), modelVersion: modelName, responseId: id });
          pending = step.value;
        }
      });
    },
  };
}

/** Write a stream of response objects as SSE (`data: {...}\r\n\r\n`) or as one JSON array. */
async function streamOut(reply: FastifyReply, sse: boolean, produce: (write: (obj: object) => void) => Promise<void>): Promise<FastifyReply> {
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
    const apiErr = err instanceof ApiError ? err : new ApiError('INTERNAL', `Generation failed: ${(err as Error).message}`);
    reply.request.log.error({ err }, 'stream failed');
    write(apiErr.toJSON());
  }
  if (!res.destroyed) res.end(sse ? '' : first ? '[]' : ']');
  return reply;
}
