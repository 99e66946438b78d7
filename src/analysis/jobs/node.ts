// The analysis side of one process, by role: embedded (no databaseUrl: today's in-process queue and ingest), or on a
// shared PostgreSQL the durable queue — an API node only produces jobs, a worker node only consumes them, `all` does
// both. Says what this node's readiness depends on, and closes its parts in order.

import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../store/sql.js';
import type { Blobs } from '../../store/blob-store.js';
import type { FileStore } from '../../store/files.js';
import type { AnalysisStore } from '../../store/analyses.js';
import { EarshotError } from '../../domain/errors.js';
import { AnalysisQueue, type QueueObserver } from '../queue.js';
import { createMedia, type Media } from '../media.js';
import { createClusterMedia } from './cluster-media.js';
import { PgJobs, type PgJobsOptions } from './pg-boss.js';
import { JobWorker } from './worker-node.js';
import type { AnalysisJobs } from './types.js';

export interface AnalysisNodeDeps {
  config: Config;
  db: Db;
  blobs: Blobs;
  files: FileStore;
  analyses: AnalysisStore;
  logger: Logger;
  observer?: QueueObserver;
  jobOptions?: PgJobsOptions;
}

export interface AnalysisNode {
  role: Config['role'];
  media: Media;
  jobs: AnalysisJobs;
  /** the durable queue (absent when embedded) */
  pg?: PgJobs;
  /** this node's job consumer (roles worker and all on PostgreSQL) */
  worker?: JobWorker;
  /** readiness checks of the analysis side: each resolves undefined when ready, else what is not */
  checks: Record<string, () => Promise<string | undefined>>;
  /** this node's job counters, for /metrics */
  counters(): { completed: number; retried: number; deadLettered: number; handedOn: number };
  close(): Promise<void>;
}

const engineCheck = (queue: AnalysisQueue) => async () => {
  const e = queue.engines;
  if (e.error) return e.error;
  return e.ready ? undefined : 'the listening engines are still loading';
};

/** Roles api and worker need the shared database and object store; `all` runs on either. */
export function checkRole(config: Config): void {
  if (config.role !== 'all' && (!config.databaseUrl || !config.blobStore))
    throw new EarshotError('JOBS_ROLE_NEEDS_CLUSTER', { role: config.role });
}

export async function startAnalysisNode(deps: AnalysisNodeDeps): Promise<AnalysisNode> {
  const { config, db, blobs, files, analyses, logger, observer } = deps;
  checkRole(config);
  if (!config.databaseUrl) {
    const media = createMedia({ config, files, blobs, analyses, logger, ...(observer ? { observer } : {}) });
    media.queue.warmUp();
    return {
      role: config.role,
      media,
      jobs: media.jobs,
      checks: { engines: engineCheck(media.queue) },
      counters: () => ({ completed: 0, retried: 0, deadLettered: 0, handedOn: 0 }),
      close: () => media.close(),
    };
  }

  const pg = new PgJobs(config.databaseUrl, db, logger, deps.jobOptions);
  await pg.start();
  const works = config.role === 'worker' || config.role === 'all';
  const local = works ? new AnalysisQueue(config, analyses, logger, observer) : undefined;
  const media = createClusterMedia({ config, files, blobs, analyses, jobs: pg, logger, ...(local ? { queue: local } : {}) });
  const worker = local ? new JobWorker({ config, db, blobs, files, analyses, queue: local, jobs: pg, logger }) : undefined;
  // the worker declares its capabilities once its engines are loaded; the node serves /readyz meanwhile
  if (worker) void worker.start().catch((err: Error) => logger.error({ err }, 'the job worker failed to start'));
  const checks: AnalysisNode['checks'] = {
    queue: async () => {
      await pg.check();
      return undefined;
    },
  };
  if (local) checks.engines = engineCheck(local);
  return {
    role: config.role,
    media,
    jobs: media.jobs,
    pg,
    ...(worker ? { worker } : {}),
    checks,
    counters: () => ({ ...pg.counts }),
    async close() {
      await worker?.stop();
      await media.close();
      await local?.close();
      await pg.stop();
    },
  };
}
