// Serves the built web playground (web/dist) with @fastify/static: index.html at `/`, hashed assets under
// `/assets/`, with ETags and cache headers; paths outside the dist folder are refused; 503 when it is not built.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic, { type SetHeadersResponse } from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface PlaygroundOptions {
  /** Folder holding the Vite build (index.html + assets/). */
  distDir: string;
}

/** Vite puts a content hash in every asset name, so assets may be cached for good; the page itself never is. */
const YEAR_MS = 31_536_000_000;
const HOUR_MS = 3_600_000;
const REVALIDATE = 'no-cache';

const NOT_BUILT = 'The web playground has not been built. Run `npm run build` (or `npm run build:web`) in the Earshot folder, then reload.';
const ASSET_NOT_FOUND = 'Not found. If the playground was rebuilt, reload the page.\n';

/** Every file we serve is ours and typed by extension: browsers must not guess. */
const nosniff = (res: SetHeadersResponse): void => {
  res.setHeader('x-content-type-options', 'nosniff');
};

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

const plainText = (reply: FastifyReply, code: number, text: string) =>
  reply.code(code).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(text);

/** Fastify plugin: the playground page at `/` and its assets at `/assets/*`. */
export async function playgroundRoutes(app: FastifyInstance, opts: PlaygroundOptions): Promise<void> {
  const distDir = path.resolve(opts.distDir);
  const indexFile = path.join(distDir, 'index.html');

  // The page and the files Vite copies from web/public (favicon.svg): named routes, served with reply.sendFile.
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root: distDir, serve: false, dotfiles: 'deny', setHeaders: nosniff });
    const page = async (_req: unknown, reply: FastifyReply) => {
      if (!(await isFile(indexFile))) return plainText(reply, 503, `${NOT_BUILT}\n(looked for ${indexFile})\n`);
      reply.header('cache-control', REVALIDATE);
      return reply.sendFile('index.html', { cacheControl: false });
    };
    scope.get('/', page);
    scope.get('/index.html', page);
    scope.get('/favicon.svg', async (_req, reply) => {
      if (!(await isFile(path.join(distDir, 'favicon.svg')))) return reply.code(404).send();
      return reply.sendFile('favicon.svg', { maxAge: HOUR_MS });
    });
  });

  // Hashed assets: any file under dist/assets (the build may change while the server runs). `..`, encoded
  // separators and dot-files are refused by @fastify/send; every refusal reads as the same plain 404.
  await app.register(
    async (scope) => {
      await scope.register(fastifyStatic, {
        root: path.join(distDir, 'assets'),
        prefix: '/',
        decorateReply: false,
        dotfiles: 'deny',
        maxAge: YEAR_MS,
        immutable: true,
        setHeaders: nosniff,
      });
      scope.setNotFoundHandler((_req, reply) => plainText(reply, 404, ASSET_NOT_FOUND));
      scope.setErrorHandler((err: { statusCode?: number }, _req, reply) => {
        if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
          return plainText(reply, 404, ASSET_NOT_FOUND);
        }
        throw err;
      });
    },
    { prefix: '/assets' },
  );
}
