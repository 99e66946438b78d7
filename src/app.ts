// Composition root: opens the store, builds the services and the HTTP server from one Config, runs
// the expiry sweeper, and closes everything in order on shutdown.

import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './store/sql.js';
import type { Blobs } from './store/blob-store.js';
import { openStore } from './store/open.js';
import type { FileStore } from './store/files.js';
import type { AnalysisStore } from './store/analyses.js';
import type { UploadStore } from './store/uploads.js';
import { buildServer } from './api/server.js';
import { createMedia, type Media } from './analysis/media.js';
import { modelMethods } from './api/generate.js';
import { TextTokenizer } from './understanding/tokenizer.js';
import { answererFactory } from './understanding/backends.js';
import { yamnetPaths } from './engines/registry.js';
import { parseClassMap } from './engines/sounds/scores.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Metrics, opsRoutes } from './api/ops.js';
import { playgroundRoutes } from './api/playground.js';

export interface App {
  config: Config;
  server: FastifyInstance;
  db: Db;
  blobs: Blobs;
  files: FileStore;
  uploads: UploadStore;
  analyses: AnalysisStore;
  media: Media;
  logger: Logger;
  /** listen on config.host:config.port; resolves with the URL */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createApp(config: Config, logger: Logger = pino({ level: config.logLevel })): Promise<App> {
  // databaseUrl → PostgreSQL, else SQLite in the data dir; blobStore → S3, else the data dir
  const { db, blobs, files, uploads, analyses } = await openStore(config);
  logger.info({ database: db.dialect, blobs: blobs.kind }, 'store opened');
  // on a shared database another node may be running an inline analysis right now: only a lone node drops them
  if (db.dialect === 'sqlite') await analyses.dropInterruptedInline();
  await uploads.recover();
  // listing every object of a bucket at each start is for the single node; a cluster leaves it to an operator
  const orphans = blobs.kind === 'disk' && db.dialect === 'sqlite' ? await files.removeOrphanBlobs() : 0;
  if (orphans) logger.warn({ orphans }, 'removed blobs no file referenced (left by an earlier crash)');
  const expired = await files.sweepExpired();
  if (expired > 0) logger.info({ expired }, 'removed expired files');

  const metrics = new Metrics();
  const media = createMedia({
    config,
    files,
    blobs,
    analyses,
    logger,
    observer: { onDone: (sec, audioSec, engines) => metrics.analysisDone(sec, audioSec, engines), onDepth: (n) => metrics.queueDepth.set(n) },
  });
  media.queue.warmUp();
  const swept = await media.sweepExpired();
  if (swept > 0) logger.info({ swept }, 'removed expired inline analyses');
  const ctx = { config, files, uploads, media, metrics };
  const tokenizer = new TextTokenizer();
  const yamnet = yamnetPaths(config);
  const labels = yamnet ? parseClassMap(readFileSync(yamnet.labelsPath, 'utf8')) : [];
  const methods = modelMethods(ctx, {
    answerer: answererFactory(config, tokenizer, labels),
    countText: async (texts, signal) => (await tokenizer.countMany(texts, signal)).reduce((a, b) => a + b, 0),
  });
  let tokenizerReady = false;
  tokenizer.warmUp().then(
    () => (tokenizerReady = true),
    (err) => logger.error({ err }, 'the text tokenizer failed to load'),
  );
  const ops = opsRoutes(metrics, db, {
    engines: async () => {
      const e = media.queue.engines;
      if (e.error) return e.error;
      return e.ready ? undefined : 'the listening engines are still loading';
    },
    tokenizer: async () => (tokenizerReady ? undefined : 'the text tokenizer is still loading'),
    objectStore: async () => {
      await blobs.check();
      return undefined;
    },
  });
  const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');
  const server = await buildServer({
    ctx,
    logger,
    metrics,
    modelMethods: methods,
    extras: [ops, (app) => playgroundRoutes(app, { distDir })],
  });

  const sweeper = setInterval(() => {
    files.sweepExpired().then(
      (n) => n > 0 && logger.info({ expired: n }, 'removed expired files'),
      (err) => logger.error({ err }, 'expiry sweep failed'),
    );
    uploads.sweepStale().catch((err) => logger.error({ err }, 'upload sweep failed'));
    // local copies of S3 objects made for the decoder: kept an hour after their last use
    blobs.pruneLocal?.(3600_000).catch((err) => logger.error({ err }, 'local blob copy sweep failed'));
    media.sweepExpired().then(
      (n) => n > 0 && logger.info({ expired: n }, 'removed expired inline analyses'),
      (err) => logger.error({ err }, 'inline analysis sweep failed'),
    );
  }, config.sweepIntervalSec * 1000);
  sweeper.unref();

  await media.resumePending();

  let closed = false;
  return {
    config,
    server,
    db,
    blobs,
    files,
    uploads,
    analyses,
    media,
    logger,
    async listen() {
      await server.listen({ host: config.host, port: config.port });
      const addr = server.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return `http://${host}:${port}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      // let requests in flight finish (at most 10 s), then stop the analysis worker: unfinished analyses
      // stay queued in the database and resume on the next start; unfinished uploads keep their
      // received bytes and can be resumed with X-Goog-Upload-Command: query.
      await Promise.race([server.close(), new Promise((r) => setTimeout(r, 10_000).unref())]);
      await media.close();
      await tokenizer.close();
      await db.close();
    },
  };
}
