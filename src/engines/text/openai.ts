// Text generation through any OpenAI-compatible chat-completions server (Ollama, vLLM, llama.cpp server,
// OpenAI itself): builds the request, streams the server-sent events back as text chunks, and maps the
// finish reason and token usage; audio can be forwarded as `input_audio` parts to audio-native models.
// Getting the answer's head runs under the remote guard (time-out, retries, circuit breaker); once the
// stream has started it is not retried, since text already handed on cannot be taken back.

import type { ChatMessage, TextChunk, TextGenerator, TextRequest, TextResult } from '../types.js';
import { EarshotError } from '../../domain/errors.js';
import { createRemoteGuard } from '../remote/guard.js';

export interface OpenAiCompatibleOptions {
  /** the API root, e.g. http://127.0.0.1:11434/v1 (the part before /chat/completions) */
  baseUrl: string;
  model: string;
  /** sent as `Authorization: Bearer <apiKey>` */
  apiKey?: string;
  /** forward ChatMessage.audio as input_audio content parts (for audio-native models). Default false. */
  sendAudio?: boolean;
  /** fetch implementation; defaults to the global one */
  fetch?: typeof fetch;
  /** name reported by the generator; default "openai:<model>" */
  name?: string;
  /** ms the server may take to start answering (the stream itself is not limited). Default 120000. */
  timeoutMs?: number;
  /** retries on network errors, 5xx and 429 before the stream starts. Default 2. */
  retries?: number;
  backoffMs?: number;
  /** consecutive failures that open the circuit breaker. Default 5. */
  breakerFailures?: number;
  /** ms an open breaker fails fast before a probe. Default 30000. */
  breakerResetMs?: number;
}

type ContentPart = { type: 'text'; text: string } | { type: 'input_audio'; input_audio: { data: string; format: 'wav' | 'mp3' } };

interface WireMessage {
  role: ChatMessage['role'];
  content: string | ContentPart[];
}

interface StreamEvent {
  choices?: { delta?: { content?: string | null }; message?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { completion_tokens?: number } | null;
  error?: { message?: string } | string;
}

function toWireMessages(messages: ChatMessage[], sendAudio: boolean): WireMessage[] {
  if (messages.length === 0) throw new EarshotError('TEXT_NO_MESSAGES');
  return messages.map((m) => {
    if (!sendAudio || !m.audio || m.audio.length === 0) return { role: m.role, content: m.content };
    const parts: ContentPart[] = [];
    if (m.content.length > 0) parts.push({ type: 'text', text: m.content });
    for (const a of m.audio) parts.push({ type: 'input_audio', input_audio: { data: a.data.toString('base64'), format: a.format } });
    return { role: m.role, content: parts };
  });
}

/** The request body for POST {baseUrl}/chat/completions. */
export function buildChatCompletionBody(model: string, request: TextRequest, sendAudio: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    messages: toWireMessages(request.messages, sendAudio),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.maxOutputTokens !== undefined) body.max_tokens = request.maxOutputTokens;
  if (request.stopSequences && request.stopSequences.length > 0) body.stop = request.stopSequences;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  // top_k is no OpenAI parameter, but vLLM, llama.cpp server and Ollama accept it
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.jsonSchema) {
    body.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: request.jsonSchema, strict: true } };
  }
  return body;
}

function errorText(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const err = (payload as { error?: unknown; message?: unknown }).error ?? payload;
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string')
    return (err as { message: string }).message;
  return undefined;
}

/** Splits an SSE byte stream into the `data` of each event (multi-line data joined by "\n"). */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line[5] === ' ' ? 6 : 5));
        } // comments (":") and other fields (event, id, retry) carry nothing we need
      }
      if (done) break;
    }
    if (buffer.startsWith('data:')) data.push(buffer.slice(buffer[5] === ' ' ? 6 : 5));
    if (data.length > 0) yield data.join('\n');
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** A TextGenerator talking to an OpenAI-compatible /chat/completions endpoint with streaming. */
export function createOpenAiCompatibleGenerator(options: OpenAiCompatibleOptions): TextGenerator {
  if (!options.baseUrl) throw new EarshotError('OPENAI_BASE_URL_MISSING');
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const sendAudio = options.sendAudio ?? false;
  const name = options.name ?? `openai:${options.model}`;
  const guard = createRemoteGuard({
    name: 'text server',
    url,
    timeoutMs: options.timeoutMs ?? 120_000,
    retries: options.retries,
    backoffMs: options.backoffMs,
    breakerFailures: options.breakerFailures,
    breakerResetMs: options.breakerResetMs,
    keepSignalAfterReturn: true, // the body is streamed after the head arrives
  });

  async function* generate(request: TextRequest): AsyncGenerator<TextChunk, TextResult> {
    const body = buildChatCompletionBody(options.model, request, sendAudio);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

    const response = await guard.run(async (signal) => {
      let answer: Response;
      try {
        answer = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new EarshotError(
          'OPENAI_UNREACHABLE',
          { url, reason: String(cause?.code ?? cause?.message ?? (err as Error).message) },
          { cause: err },
        );
      }
      if (!answer.ok) {
        const text = await answer.text().catch(() => '');
        let message = text.trim().slice(0, 500);
        try {
          message = errorText(JSON.parse(text)) ?? message;
        } catch {
          // not JSON: keep the raw text
        }
        throw new EarshotError(
          'OPENAI_HTTP_ERROR',
          { url, status: answer.status, statusText: answer.statusText, message },
          { facts: { upstreamStatus: answer.status } },
        );
      }
      return answer;
    }, request.signal);

    let finishReason: string | null | undefined;
    let outputTokens: number | undefined;
    let deltas = 0;
    const take = (event: StreamEvent): string => {
      const problem = event.error !== undefined ? (errorText(event) ?? JSON.stringify(event.error)) : undefined;
      if (problem !== undefined) throw new EarshotError('OPENAI_STREAM_ERROR', { url, problem });
      if (typeof event.usage?.completion_tokens === 'number') outputTokens = event.usage.completion_tokens;
      const choice = event.choices?.[0];
      if (!choice) return '';
      if (choice.finish_reason) finishReason = choice.finish_reason;
      return choice.delta?.content ?? choice.message?.content ?? '';
    };

    const contentType = response.headers.get('content-type') ?? '';
    try {
      if (!response.body || contentType.includes('application/json')) {
        // a server that ignores `stream: true` answers with one JSON object
        const text = take((await response.json()) as StreamEvent);
        if (text) {
          deltas++;
          yield { text };
        }
      } else {
        for await (const data of sseData(response.body)) {
          if (data.trim() === '[DONE]') break;
          let event: StreamEvent;
          try {
            event = JSON.parse(data) as StreamEvent;
          } catch {
            throw new EarshotError('OPENAI_STREAM_NOT_JSON', { url, data });
          }
          const text = take(event);
          if (text) {
            deltas++;
            yield { text };
          }
        }
      }
    } catch (err) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw err;
    }
    request.signal?.throwIfAborted();
    // Without usage from the server, count content deltas: servers send about one token per delta.
    return { finishReason: finishReason === 'length' ? 'MAX_TOKENS' : 'STOP', outputTokens: outputTokens ?? deltas };
  }

  return { name, generate };
}
