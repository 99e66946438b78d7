// Any failure → Google's error body: catalogued EarshotErrors, the API layer's ApiErrors, Fastify's own
// errors (body limits, JSON parsing, schema validation) and unknown bugs (500 INTERNAL). Used alike by the
// unary error handler, the stream writer and the transport-level handlers; no server path reaches a client.

import os from 'node:os';
import type { FastifyError } from 'fastify';
import { ApiError, invalidArgument } from './errors.js';
import type { ApiContext } from './context.js';
import { isEarshotError, type ErrorFacts } from '../domain/errors.js';

export interface RespondOptions {
  maxRequestBytes: number;
  /** absolute directories whose paths must never appear in a message (data dir, models dir…) */
  privateRoots: readonly string[];
}

/** How failures are turned into wire errors for this server (limits and the directories never shown). */
export function respondOptions(ctx: ApiContext): RespondOptions {
  return { maxRequestBytes: ctx.config.limits.maxRequestBytes, privateRoots: [ctx.config.dataDir, ctx.config.modelsDir] };
}

/** Map any thrown value to the ApiError a client sees. */
export function toApiError(err: unknown, opts: RespondOptions): ApiError {
  const apiErr = classify(err, opts);
  const clean = scrubPaths(apiErr.message, opts.privateRoots);
  if (clean === apiErr.message) return apiErr;
  return new ApiError(apiErr.status, clean, { details: apiErr.details, headers: apiErr.headers, httpCode: apiErr.httpCode });
}

function classify(err: unknown, opts: RespondOptions): ApiError {
  if (err instanceof ApiError) return err;
  if (isEarshotError(err)) {
    const headers = err.facts?.uploadStatus !== undefined ? uploadHeaders(err.facts) : undefined;
    return new ApiError(err.status, err.message, { details: err.details, httpCode: err.httpStatus, headers });
  }
  const e = err as FastifyError;
  const code = e?.code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return invalidArgument(
      `Request payload size exceeds the limit: ${opts.maxRequestBytes} bytes. Upload large audio with the Files API (POST /upload/v1beta/files) and refer to it with fileData instead of sending it inline.`,
    );
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return invalidArgument(`Unsupported Content-Type: send the request body as application/json.`);
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return invalidArgument('The request body is empty; send a JSON object.');
  if (err instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') return invalidArgument(`Invalid JSON payload received. ${e.message}`);
  if (e?.validation) return invalidArgument(e.message);
  const status = e?.statusCode;
  if (status && status >= 400 && status < 500) return invalidArgument(e.message);
  return new ApiError('INTERNAL', 'Internal error encountered.');
}

/** Upload failures carry their session's state as facts; the wire shows them as X-Goog-Upload-* headers. */
function uploadHeaders(facts: ErrorFacts): Record<string, string> {
  const out: Record<string, string> = { 'x-goog-upload-status': String(facts.uploadStatus) };
  if (facts.uploadSizeReceived !== undefined) out['x-goog-upload-size-received'] = String(facts.uploadSizeReceived);
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replace server paths in a message with `<file>`: anything under the private roots (data and models
 * directories, the temp dir), with or without ffmpeg's `file:` prefix. Paths come from engine and decoder
 * messages (ffprobe/ffmpeg name the inline temp file they could not read).
 */
export function scrubPaths(message: string, roots: readonly string[]): string {
  const all = [...roots, os.tmpdir(), process.cwd()].filter((r) => r && r !== '/').map((r) => r.replace(/\/+$/, ''));
  if (!message.includes('/')) return message;
  const re = new RegExp(`(?:file:)?(?:${all.map(escapeRe).join('|')})(?:/[^\\s'"]*[^\\s'".,:;)])?`, 'g');
  return message.replace(re, '<file>').replace(/file:\/[^\s'"]*[^\s'".,:;)]/g, '<file>');
}
