// Composition root: opens the store, builds the services and the HTTP server from one Config, runs
// the expiry sweeper, and closes everything in order on shutdown.

import pino, { type Logger } from 'pino';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './store/sql.js';
import type { Blobs } from './store/blob-store.js';
import { openStore } from './store/open.js';
import type { FileStore } from './store/files.js';
import type { AnalysisStore } from './store/analyses.js';
import type { UploadStore } from './store/uploads.js';
import { buildServer } from './api/server.js';
import type { Media } from './analysis/media.js';
import { checkRole, startAnalysisNode, type AnalysisNode } from './analysis/jobs/node.js';
import { modelMethods } from './api/generate.js';
import { TextTokenizer } from './understanding/tokenizer.js';
import { answererFactory } from './understanding/backends.js';
import { soundLabels } from './engines/registry.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Metrics, observeRequests, opsRoutes, type ReadinessCheck } from './api/ops.js';
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
  /** the analysis side of this node's role (its job queue, and its job worker on a worker) */
  analysis: AnalysisNode;
  logger: Logger;
  /** listen on config.host:config.port; resolves with the URL */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createApp(config: Config, logger: Logger = pino({ level: config.logLevel })): Promise<App> {
  checkRole(config);
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
  // by role: embedded (no databaseUrl) keeps the in-process queue; on PostgreSQL an API node produces durable jobs,
  // a worker consumes those its engines can run, `all` does both
  const node = await startAnalysisNode({
    config,
    db,
    blobs,
    files,
    analyses,
    logger,
    observer: {
      onDone: (sec, audioSec, engines) => metrics.analysisDone(sec, audioSec, engines),
      onDepth: (n) => metrics.queueDepth.set(n),
    },
  });
  const media = node.media;
  metrics.watchJobs(
    () => node.jobs.stats(),
    () => node.counters(),
  );
  const swept = await media.sweepExpired();
  if (swept > 0) logger.info({ swept }, 'removed expired inline analyses');
  const ctx = { config, files, uploads, media, metrics };
  // a worker node serves only /metrics, /healthz and /readyz: no Gemini API, no tokenizer
  const serves = config.role !== 'worker';
  const tokenizer = serves ? new TextTokenizer() : undefined;
  let tokenizerReady = false;
  tokenizer?.warmUp().then(
    () => (tokenizerReady = true),
    (err) => logger.error({ err }, 'the text tokenizer failed to load'),
  );
  const checks: Record<string, ReadinessCheck> = {
    ...node.checks,
    objectStore: async () => {
      await blobs.check();
      return undefined;
    },
  };
  if (tokenizer) checks.tokenizer = async () => (tokenizerReady ? undefined : 'the text tokenizer is still loading');
  const ops = opsRoutes(metrics, db, checks, { role: config.role });
  let server: FastifyInstance;
  if (tokenizer) {
    const labels = soundLabels(config);
    const methods = modelMethods(ctx, {
      answerer: answererFactory(config, tokenizer, labels, {
        pull: true,
        log: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
      }),
      countText: async (texts, signal) => (await tokenizer.countMany(texts, signal)).reduce((a, b) => a + b, 0),
    });
    const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');
    server = await buildServer({ ctx, logger, metrics, modelMethods: methods, extras: [ops, (app) => playgroundRoutes(app, { distDir })] });
  } else {
    server = Fastify({ loggerInstance: logger as unknown as FastifyBaseLogger, disableRequestLogging: true });
    observeRequests(server, metrics);
    await server.register(ops);
  }

  // the sweepers take cluster-wide try-locks, so any number of API nodes may run them; workers leave them be
  const sweeper = setInterval(() => {
    if (!serves) return;
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
    analysis: node,
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
      await node.close();
      await tokenizer?.close();
      await db.close();
    },
  };
}
