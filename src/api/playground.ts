// Serves the built web playground (web/dist): index.html at `/`, hashed assets under `/assets/`,
// with content types and cache headers, refusing anything outside the dist folder.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface PlaygroundOptions {
  /** Folder holding the Vite build (index.html + assets/). */
  distDir: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite puts a content hash in every asset name, so assets may be cached for good; the page itself never is. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const NOT_BUILT =
  'The web playground has not been built. Run `npm run build` (or `npm run build:web`) in the Earshot folder, then reload.';

/**
 * Resolves `relative` inside `root`, or returns null when it would leave `root`
 * (`..`, absolute paths, encoded separators, NUL bytes, dot-files).
 */
export function safeJoin(root: string, relative: string): string | null {
  if (relative.includes('\0') || relative.includes('\\')) return null;
  const parts = relative.split('/').filter((p) => p !== '');
  if (parts.length === 0) return null;
  if (parts.some((p) => p === '.' || p === '..' || p.startsWith('.'))) return null;
  const base = path.resolve(root);
  const full = path.resolve(base, ...parts);
  const rel = path.relative(base, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return full;
}

async function sendFile(reply: FastifyReply, file: string, cacheControl: string, ifNoneMatch?: string): Promise<FastifyReply | null> {
  let info;
  try {
    info = await stat(file);
  } catch {
    return null;
  }
  if (!info.isFile()) return null;
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  reply
    .header('content-type', type)
    .header('cache-control', cacheControl)
    .header('etag', etag)
    .header('x-content-type-options', 'nosniff');
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === etag)) {
    return reply.code(304).send();
  }
  reply.header('content-length', info.size);
  return reply.send(createReadStream(file));
}

/** Fastify plugin: the playground page at `/` and its assets at `/assets/*`. */
export async function playgroundRoutes(app: FastifyInstance, opts: PlaygroundOptions): Promise<void> {
  const distDir = path.resolve(opts.distDir);
  const indexFile = path.join(distDir, 'index.html');

  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    const inm = req.headers['if-none-match'];
    const sent = await sendFile(reply, indexFile, REVALIDATE, typeof inm === 'string' ? inm : undefined);
    if (sent) return sent;
    return reply
      .code(503)
      .header('content-type', 'text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(`${NOT_BUILT}\n(looked for ${indexFile})\n`);
  };

  app.get('/', page);
  app.get('/index.html', page);

  app.get<{ Params: { '*': string } }>('/assets/*', async (req, reply) => {
    const file = safeJoin(path.join(distDir, 'assets'), req.params['*'] ?? '');
    const inm = req.headers['if-none-match'];
    const sent = file ? await sendFile(reply, file, IMMUTABLE, typeof inm === 'string' ? inm : undefined) : null;
    if (sent) return sent;
    return reply
      .code(404)
      .header('content-type', 'text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send('Not found. If the playground was rebuilt, reload the page.\n');
  });

  // Files Vite copies from web/public (e.g. favicon.svg) live at the top of dist.
  app.get('/favicon.svg', async (req, reply) => {
    const sent = await sendFile(reply, path.join(distDir, 'favicon.svg'), 'public, max-age=3600');
    return sent ?? reply.code(404).send();
  });
}
