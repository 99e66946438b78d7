// Models resource: the Gemini model names this server answers to. Every name is served by the
// configured engines; the list exists so that SDK code which lists or checks models keeps working.

import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.js';
import { EarshotError } from '../domain/errors.js';
import { listQuery } from './schemas.js';

export const MODEL_NAMES = [
  'gemini-2.5-flash',
  'gemini-2.5-pro',
  'gemini-2.5-flash-lite',
  'gemini-2.0-flash',
  'gemini-2.0-flash-001',
  'gemini-2.0-flash-lite',
  'gemini-1.5-flash',
  'gemini-1.5-flash-002',
  'gemini-1.5-flash-8b',
  'gemini-1.5-pro',
  'gemini-flash-latest',
  'gemini-flash-lite-latest',
  'gemini-pro-latest',
] as const;

/** Input tokens a prompt may hold (Gemini 2.x Flash and Pro: 1,048,576). */
export const INPUT_TOKEN_LIMIT = 1_048_576;

/** Accept the listed names and any other gemini-* name (new releases, -preview-MM-DD suffixes). */
export function isServedModel(name: string): boolean {
  return (MODEL_NAMES as readonly string[]).includes(name) || /^gemini-[a-z0-9.-]{1,80}$/.test(name);
}

/** "models/gemini-2.5-flash" or "gemini-2.5-flash" → "gemini-2.5-flash"; throws NOT_FOUND for others. */
export function resolveModel(raw: string): string {
  const name = raw.replace(/^models\//, '');
  if (!isServedModel(name)) throw new EarshotError('API_MODEL_NOT_FOUND', { name });
  return name;
}

function describe(name: string, textEngine: string) {
  return {
    name: `models/${name}`,
    version: '001',
    displayName: name
      .split('-')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(' '),
    description: `Served locally by Earshot (speech, sounds and voice activity engines; text by ${textEngine}).`,
    inputTokenLimit: INPUT_TOKEN_LIMIT,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
  };
}

export async function modelsRoutes(app: FastifyInstance, opts: { ctx: ApiContext }): Promise<void> {
  const { ctx } = opts;
  app.get<{ Querystring: { pageSize?: string; pageToken?: string } }>('/models', { schema: { querystring: listQuery } }, async (req) => {
    // pageSize is a non-negative integer (listQuery checked it)
    const size = req.query.pageSize === undefined ? 50 : Number(req.query.pageSize);
    const start = req.query.pageToken ? Number(Buffer.from(req.query.pageToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0) throw new EarshotError('API_BAD_PAGE_TOKEN', { token: '' });
    const pageSize = size === 0 ? 50 : Math.min(size, 1000);
    const models = MODEL_NAMES.slice(start, start + pageSize).map((n) => describe(n, ctx.config.engines.text));
    const next = start + pageSize < MODEL_NAMES.length ? Buffer.from(String(start + pageSize)).toString('base64url') : undefined;
    return next ? { models, nextPageToken: next } : { models };
  });
}

/** GET /models/{model}: the caller has already split off any ":method". */
export function getModel(name: string, ctx: ApiContext): object {
  return describe(resolveModel(name), ctx.config.engines.text);
}
