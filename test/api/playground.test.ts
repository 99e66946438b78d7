// The playground's static serving (src/api/playground.ts) on a real Fastify instance over a temporary dist
// folder: the 503 with instructions before a build, the page and assets with their cache headers and ETags
// (304 on a match), and every way out of the dist folder refused with the same plain 404.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { playgroundRoutes } from '../../src/api/playground.js';
import { tempDir } from '../helpers.js';

async function serve(distDir: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register((a) => playgroundRoutes(a, { distDir }));
  await app.ready();
  return app;
}

/** A GET sent as written: node:http keeps the path byte for byte (inject and fetch would resolve `..`). */
function rawGet(app: FastifyInstance, url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { port } = app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: url }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function build(distDir: string): void {
  mkdirSync(path.join(distDir, 'assets'), { recursive: true });
  writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><title>Earshot</title><script src="/assets/index-abc123.js"></script>');
  writeFileSync(path.join(distDir, 'assets', 'index-abc123.js'), 'console.log("playground");');
  writeFileSync(path.join(distDir, 'assets', '.hidden'), 'dot-file');
  writeFileSync(path.join(distDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(path.dirname(distDir), 'secret.txt'), 'outside the dist folder');
}

test('before a build: 503 with instructions for the page, plain 404 for assets; serves once built', async () => {
  const tmp = tempDir();
  const dist = path.join(tmp.dir, 'dist');
  const app = await serve(dist);
  try {
    const page = await app.inject('/');
    assert.equal(page.statusCode, 503);
    assert.match(page.headers['content-type'] as string, /^text\/plain/);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.match(page.body, /npm run build:web/);
    assert.ok(page.body.includes(path.join(dist, 'index.html')));
    const asset = await app.inject('/assets/index-abc123.js');
    assert.equal(asset.statusCode, 404);
    assert.match(asset.body, /reload the page/);

    build(dist); // built while the server runs: no restart needed
    assert.equal((await app.inject('/')).statusCode, 200);
    assert.equal((await app.inject('/assets/index-abc123.js')).body, 'console.log("playground");');
  } finally {
    await app.close();
    tmp.cleanup();
  }
});

test('page, assets and favicon carry their types, cache headers and ETags; a matching ETag is a 304', async () => {
  const tmp = tempDir();
  const dist = path.join(tmp.dir, 'dist');
  build(dist);
  const app = await serve(dist);
  try {
    for (const url of ['/', '/index.html']) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.match(res.body, /<title>Earshot<\/title>/);
      const etag = res.headers.etag as string;
      assert.match(etag, /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
      const again = await app.inject({ url, headers: { 'if-none-match': etag } });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
    }
    const js = await app.inject('/assets/index-abc123.js');
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /^(text|application)\/javascript; charset=utf-8$/);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.headers['x-content-type-options'], 'nosniff');
    const cached = await app.inject({ url: '/assets/index-abc123.js', headers: { 'if-none-match': js.headers.etag as string } });
    assert.equal(cached.statusCode, 304);
    const icon = await app.inject('/favicon.svg');
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers['content-type'], 'image/svg+xml');
    assert.equal(icon.headers['cache-control'], 'public, max-age=3600');
    const head = await app.inject({ method: 'HEAD', url: '/assets/index-abc123.js' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
  } finally {
    await app.close();
    tmp.cleanup();
  }
});

test('paths that leave the assets folder, dot-files and missing files are one plain 404', async () => {
  const tmp = tempDir();
  const dist = path.join(tmp.dir, 'dist');
  build(dist);
  const app = await serve(dist);
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const attempts = [
      '/assets/../index.html',
      '/assets/%2e%2e/index.html',
      '/assets/..%2findex.html',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/assets/sub/../../../secret.txt',
      '/assets/%252e%252e/index.html',
      '/assets/.hidden',
      '/assets/%2ehidden',
      '/assets/index-abc123.js%00.png',
      '/assets/',
      '/assets/missing-0000.js',
    ];
    for (const url of attempts) {
      const res = await rawGet(app, url);
      assert.equal(res.status, 404, `${url} → ${res.status}`);
      assert.equal(res.body, 'Not found. If the playground was rebuilt, reload the page.\n', url);
      assert.equal(res.headers['cache-control'], 'no-store', url);
    }
  } finally {
    await app.close();
    tmp.cleanup();
  }
});
