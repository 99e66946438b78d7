// Any failure → what the client receives: Fastify's own errors (body limits, JSON parsing, schema validation)
// become catalogued EarshotErrors, then src/api/errors.ts's toWireError gives Google's shape (unknown bugs:
// 500 INTERNAL). Used alike by the unary error handler and the stream writer; no server path reaches a client.

import os from 'node:os';
import type { FastifyError } from 'fastify';
import { toWireError, type WireError } from './errors.js';
import type { ApiContext } from './context.js';
import { EarshotError } from '../domain/errors.js';

export interface RespondOptions {
  maxRequestBytes: number;
  /** absolute directories whose paths must never appear in a message (data dir, models dir…) */
  privateRoots: readonly string[];
}

/** How failures are turned into wire errors for this server (limits and the directories never shown). */
export function respondOptions(ctx: ApiContext): RespondOptions {
  return { maxRequestBytes: ctx.config.limits.maxRequestBytes, privateRoots: [ctx.config.dataDir, ctx.config.modelsDir] };
}

/** Map any thrown value to the status, body and headers a client sees. */
export function toWire(err: unknown, opts: RespondOptions): WireError {
  const wire = toWireError(catalogued(err, opts));
  wire.body.error.message = scrubPaths(wire.body.error.message, opts.privateRoots);
  return wire;
}

/** toWire with the accessors of the earlier ApiError-returning mapping (kept for callers written against it). */
export function toApiError(err: unknown, opts: RespondOptions) {
  const w = toWire(err, opts);
  return { httpCode: w.httpStatus, status: w.body.error.status, message: w.body.error.message, headers: w.headers, toJSON: () => w.body };
}

/** Fastify's own request errors as catalogue entries; everything else passes through unchanged. */
function catalogued(err: unknown, opts: RespondOptions): unknown {
  if (err instanceof EarshotError) return err;
  const e = err as FastifyError | undefined;
  const code = e?.code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new EarshotError('API_BODY_TOO_LARGE', { max: opts.maxRequestBytes });
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new EarshotError('API_UNSUPPORTED_CONTENT_TYPE');
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new EarshotError('API_EMPTY_BODY');
  if (err instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return new EarshotError('API_INVALID_JSON', { reason: String(e?.message) });
  const status = e?.statusCode;
  // other client errors Fastify detects (content-length mismatch, validation): its message, as a 400
  if (e?.validation || (status && status >= 400 && status < 500))
    return new EarshotError('INVALID_ARGUMENT', { message: String(e?.message) });
  return err;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replace server paths in a message with `<file>`: anything under the private roots (data and models
 * directories, the temp dir, the working directory), with or without ffmpeg's `file:` prefix, and any other
 * `file:` URL. Paths come from engine and decoder messages (ffprobe/ffmpeg name the file they could not read).
 */
export function scrubPaths(message: string, roots: readonly string[]): string {
  if (!message.includes('/')) return message;
  const all = [...roots, os.tmpdir(), process.cwd()].filter((r) => r && r !== '/').map((r) => r.replace(/\/+$/, ''));
  const re = new RegExp(`(?:file:)?(?:${all.map(escapeRe).join('|')})(?:/[^\\s'"]*[^\\s'".,:;)])?`, 'g');
  return message.replace(re, '<file>').replace(/file:\/[^\s'"]*[^\s'".,:;)]/g, '<file>');
}
