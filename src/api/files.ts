// Files resource: GET /files/{id}, GET /files (paged), DELETE /files/{id}, and Earshot's read-only
// extension GET /files/{id}:analysis. Bytes cannot be downloaded back, as on Gemini.

import type { FastifyInstance } from 'fastify';
import { baseUrlOf, type ApiContext } from './context.js';
import { EarshotError } from '../domain/errors.js';
import { decodePageToken, encodePageToken, toWireFile, wireFileSchema } from './wire.js';
import { FILE_ID_PATTERN } from '../store/files.js';
import { listQuery, nameParams } from './schemas.js';

const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 10;

export async function filesRoutes(app: FastifyInstance, opts: { ctx: ApiContext }): Promise<void> {
  const { ctx } = opts;

  app.get<{ Params: { name: string } }>(
    '/files/:name',
    { schema: { params: nameParams, response: { 200: wireFileSchema } } },
    async (req, reply) => {
      const project = req.project;
      const [id, method] = splitMethod(req.params.name);
      const rec = FILE_ID_PATTERN.test(id) ? await ctx.files.getVisible(project, id) : undefined;
      if (!rec) throw new EarshotError('FILE_ACCESS_DENIED', { name: id });
      if (method === 'analysis') {
        reply.serializer(JSON.stringify);
        return ctx.media.analysisStatus(rec);
      }
      if (method !== undefined) throw new EarshotError('API_UNKNOWN_FILE_METHOD', { method, id });
      return toWireFile(rec, baseUrlOf(req, ctx.config));
    },
  );

  app.get<{ Querystring: { pageSize?: string; pageToken?: string; page_size?: string; page_token?: string } }>(
    '/files',
    {
      schema: {
        querystring: listQuery,
        response: {
          200: { type: 'object', properties: { files: { type: 'array', items: wireFileSchema }, nextPageToken: { type: 'string' } } },
        },
      },
    },
    async (req) => {
      const project = req.project;
      const q = req.query;
      const rawSize = q.pageSize ?? q.page_size;
      let pageSize = DEFAULT_PAGE_SIZE;
      if (rawSize !== undefined) {
        const n = Number(rawSize); // a non-negative integer: listQuery checked it
        pageSize = n === 0 ? DEFAULT_PAGE_SIZE : Math.min(n, MAX_PAGE_SIZE);
      }
      const token = q.pageToken ?? q.page_token;
      let cursor: ReturnType<typeof decodePageToken>;
      if (token) {
        cursor = decodePageToken(token);
        if (!cursor) throw new EarshotError('API_BAD_PAGE_TOKEN', { token: token.slice(0, 64) });
      }
      const page = await ctx.files.list(project, pageSize, cursor);
      const base = baseUrlOf(req, ctx.config);
      const body: { files?: unknown[]; nextPageToken?: string } = {};
      if (page.files.length) body.files = page.files.map((f) => toWireFile(f, base));
      if (page.nextCursor) body.nextPageToken = encodePageToken(page.nextCursor);
      return body;
    },
  );

  app.delete<{ Params: { name: string } }>('/files/:name', { schema: { params: nameParams } }, async (req) => {
    const project = req.project;
    const id = req.params.name;
    const rec = FILE_ID_PATTERN.test(id) ? await ctx.files.getVisible(project, id) : undefined;
    if (!rec) throw new EarshotError('FILE_ACCESS_DENIED', { name: id });
    await ctx.files.remove(project, id);
    return {};
  });
}

/** "abc:analysis" → ["abc", "analysis"]; Google custom methods follow a colon. */
export function splitMethod(name: string): [string, string | undefined] {
  const i = name.indexOf(':');
  return i < 0 ? [name, undefined] : [name.slice(0, i), name.slice(i + 1)];
}
