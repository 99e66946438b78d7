// The OpenAI-compatible routes' edges: keys read as the openai clients send them (Authorization: Bearer), mapped
// to the same projects as Gemini's x-goog-api-key, and failures in OpenAI's error shape
// {"error": {"message", "type", "param", "code"}} with the same catalogue messages and HTTP codes as everywhere.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { EarshotError, isEarshotError, type ErrorCode } from '../../domain/errors.js';
import { toWire, type RespondOptions } from '../respond.js';
import { apiKeyOf } from '../auth.js';

/** The key of a request: `Authorization: Bearer KEY` as the openai clients send it, else Gemini's header or ?key=. */
export function openaiKeyOf(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return apiKeyOf(req);
}

/**
 * The project the request acts for, by the same rule as Gemini's routes (src/api/auth.ts): with no keys configured
 * every distinct key is its own project, so one key reaches the same files and analyses on both surfaces.
 */
export function openaiProjectOf(req: FastifyRequest, keys: Map<string, string> | null): string {
  const key = openaiKeyOf(req);
  if (!key) throw new EarshotError('OPENAI_KEY_MISSING');
  if (keys === null) return `key:${key}`;
  const project = keys.get(key);
  if (project === undefined) throw new EarshotError('OPENAI_KEY_INVALID');
  return `project:${project}`;
}

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's own codes where one names the case; other failures show their Google status in lower case. */
const OPENAI_CODES: Partial<Record<ErrorCode, string>> = {
  OPENAI_KEY_MISSING: 'missing_api_key',
  OPENAI_KEY_INVALID: 'invalid_api_key',
  OPENAI_FIELD_MISSING: 'missing_required_parameter',
  OPENAI_BAD_VALUE: 'invalid_value',
  OPENAI_BAD_NUMBER: 'invalid_value',
  OPENAI_FILE_TOO_LARGE: 'file_too_large',
  OPENAI_FILE_UNREADABLE: 'invalid_file_format',
  OPENAI_TRANSLATION_UNAVAILABLE: 'translation_unavailable',
  API_DIARIZATION_UNAVAILABLE: 'diarization_unavailable',
};

/** Fastify's and @fastify/multipart's own failures on these routes, as catalogue entries. */
function catalogued(err: unknown, maxFileBytes: number): unknown {
  if (err instanceof EarshotError) return err;
  const code = (err as FastifyError | undefined)?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE')
    return new EarshotError('OPENAI_FILE_TOO_LARGE', { max: maxFileBytes }, { facts: { param: 'file' } });
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new EarshotError('OPENAI_NOT_MULTIPART', { type: '' });
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT')
    return new EarshotError('OPENAI_FORM_MALFORMED', { reason: 'too many parts' });
  if (code === 'FST_PROTO_VIOLATION') return new EarshotError('OPENAI_FORM_MALFORMED', { reason: 'a field name is not allowed' });
  return err;
}

/** Any thrown value → OpenAI's error shape, with the status and message the Google-shaped mapping gives it. */
export function toOpenAiError(
  err: unknown,
  opts: RespondOptions & { maxFileBytes: number },
): { httpStatus: number; body: OpenAiErrorBody; unexpected: boolean } {
  const e = catalogued(err, opts.maxFileBytes);
  const wire = toWire(e, opts);
  const status = wire.httpStatus;
  const param = isEarshotError(e) && typeof e.facts?.param === 'string' ? e.facts.param : null;
  const code = (isEarshotError(e) ? OPENAI_CODES[e.code] : undefined) ?? wire.body.error.status.toLowerCase();
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  return { httpStatus: status, body: { error: { message: wire.body.error.message, type, param, code } }, unexpected: wire.unexpected };
}

/** The error handler of the OpenAI-compatible plugin. */
export function openaiErrorHandler(opts: () => RespondOptions & { maxFileBytes: number }) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const out = toOpenAiError(err, opts());
    if (out.unexpected || out.httpStatus >= 500) req.log.error({ err }, 'request failed');
    else req.log.debug({ code: out.body.error.code, message: out.body.error.message }, 'request refused');
    if (out.httpStatus === 401) reply.header('www-authenticate', 'Bearer');
    reply.code(out.httpStatus).type('application/json; charset=utf-8').serializer(JSON.stringify).send(out.body);
  };
}
