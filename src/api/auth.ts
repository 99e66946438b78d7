// API keys and tenancy: the key comes from `x-goog-api-key` or `?key=`; with no keys configured every
// distinct key is its own project, otherwise only configured keys are accepted, each mapped to its project.

import type { FastifyRequest } from 'fastify';
import { invalidApiKey, missingApiKey } from './errors.js';

export function apiKeyOf(req: FastifyRequest): string | undefined {
  const header = req.headers['x-goog-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const q = (req.query as Record<string, unknown> | undefined)?.key;
  return typeof q === 'string' && q !== '' ? q : undefined;
}

/** The project a request acts for; throws Gemini's errors for a missing or unknown key. */
export function projectOf(req: FastifyRequest, keys: Map<string, string> | null): string {
  const key = apiKeyOf(req);
  if (!key) throw missingApiKey();
  if (keys === null) return `key:${key}`;
  const project = keys.get(key);
  if (project === undefined) throw invalidApiKey();
  return `project:${project}`;
}
