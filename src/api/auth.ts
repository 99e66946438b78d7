// API keys and tenancy: the key comes from `x-goog-api-key` or `?key=`; with no keys configured every
// distinct key is its own project, otherwise only configured keys are accepted, each mapped to its project.
// Routes get it through the `requireKey` hook, which sets `req.project` before any handler runs.

import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { EarshotError } from '../domain/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** the project the request acts for; set by requireKey on routes that need a key */
    project: string;
  }
}

export function apiKeyOf(req: FastifyRequest): string | undefined {
  const header = req.headers['x-goog-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const q = (req.query as Record<string, unknown> | undefined)?.key;
  return typeof q === 'string' && q !== '' ? q : undefined;
}

/** The project a request acts for; throws Gemini's errors for a missing or unknown key. */
export function projectOf(req: FastifyRequest, keys: Map<string, string> | null): string {
  const key = apiKeyOf(req);
  if (!key) throw new EarshotError('API_KEY_MISSING');
  if (keys === null) return `key:${key}`;
  const project = keys.get(key);
  if (project === undefined) throw new EarshotError('API_KEY_INVALID');
  return `project:${project}`;
}

/**
 * An onRequest hook that authenticates the caller (before the body is read) and sets `req.project`.
 * `skip` exempts requests that carry their own capability (an upload session URL).
 */
export function requireKey(keys: () => Map<string, string> | null, skip?: (req: FastifyRequest) => boolean): onRequestHookHandler {
  return function authenticate(req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) {
    if (skip?.(req)) return done();
    try {
      req.project = projectOf(req, keys());
      done();
    } catch (err) {
      done(err as Error);
    }
  };
}
