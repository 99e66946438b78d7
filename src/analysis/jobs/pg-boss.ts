// The durable analysis job queue on PostgreSQL (pg-boss 10, the newest line that runs on Node 20): one job per
// analysis key (scope + content SHA-256 + hints key), on a queue per speech capability so a job goes only to a worker that has
// the engine; retries with exponential back-off, a dead-letter queue after retryLimit + 1 failures, a lease per
// running job (an advisory lock held by the worker's database session) so a dead worker's job is handed on within
// seconds, and progress in the database so every node can show it. Producer, consumer loop and queue statistics.

import { hostname } from 'node:os';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../../store/sql.js';
import { keyString, type AnalysisKey } from '../../store/analyses.js';
import { EarshotError } from '../../domain/errors.js';
import type { TranscriptionHints } from '../../domain/hints.js';

/**
 * What a job carries: the analysis key (with `hints`, the stored hints key, for a hinted analysis), for a hinted one
 * the hints themselves, and for inline audio the bytes themselves (base64; ≤ 20 MB).
 */
export interface AnalysisJobData {
  scope: string;
  sha256: string;
  /** a hinted analysis' key (storedHintsKey); absent for a base analysis */
  hints?: string;
  /** a hinted analysis: its hints, the audio's length and how long the result is kept */
  hinted?: { hints: TranscriptionHints; durationSec: number; expireTime: number };
  /** inline audio: its bytes, its probed length and how long the analysis is kept */
  inline?: { data: string; mimeType: string; durationSec: number; expireTime: number };
}

/** The analysis key a job is for. */
export const jobKey = (data: AnalysisJobData): AnalysisKey =>
  data.hints ? { scope: data.scope, sha256: data.sha256, hints: data.hints } : { scope: data.scope, sha256: data.sha256 };

export interface JobMeta {
  id: string;
  queue: string;
  data: AnalysisJobData;
  /** 0 on the first attempt */
  retryCount: number;
  retryLimit: number;
  /** the dead-letter copy: the last attempt's error */
  output?: { message?: string } | null;
}

export interface JobStats {
  waiting: number;
  active: number;
  oldestWaitingSec: number;
  failed: number;
}

export interface PgJobsOptions {
  /** retries after the first attempt (the issue: a crashing file goes FAILED after three attempts) */
  retryLimit?: number;
  /** seconds before the first retry; doubled (with jitter) for each later one */
  retryDelaySec?: number;
  /** hard ceiling on one attempt, whatever the lease says */
  expireInSeconds?: number;
  /** an active job whose lease nobody holds for this long is handed on */
  leaseGraceSec?: number;
  pollSec?: number;
}

const PREFIX = 'earshot-analysis-';
export const DEAD_LETTER_QUEUE = 'earshot-analysis-dead';
/** the speech capabilities a queue can name; `any` is taken by every worker */
export const CAPABILITIES = ['any', 'whisper', 'pocketsphinx', 'openai', 'none'] as const;
export type Capability = (typeof CAPABILITIES)[number];
export const queueFor = (c: Capability): string => `${PREFIX}${c}`;

/** The capability a job needs, from the producing node's configured speech engine. */
export function neededCapability(speech: string): Capability {
  return speech === 'auto' ? 'any' : (CAPABILITIES as readonly string[]).includes(speech) ? (speech as Capability) : 'any';
}

/** The capabilities a worker has, from the names of the engines it loaded (e.g. "pocketsphinx", "whisper:base.en"). */
export function capabilitiesOf(engineNames: Record<string, string>): Capability[] {
  const [speech = ''] = (engineNames.speech ?? 'none').split(/[^a-z]/); // split always yields at least one part
  const own = (CAPABILITIES as readonly string[]).includes(speech) ? (speech as Capability) : undefined;
  return own && own !== 'any' ? [own, 'any'] : ['any'];
}

export const leaseKey = (jobId: string) => `earshot:job-lease:${jobId}`;
export const analysisLockKey = (key: AnalysisKey) => `earshot:analysis:${keyString(key)}`;

const hintsOf = (key: AnalysisKey) => key.hints ?? '';

/** Progress and liveness of the newest job per analysis key, shown by every node (the queue's own table). */
const PROGRESS_TABLE = `CREATE TABLE IF NOT EXISTS earshot_job_progress (
  scope TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  hints TEXT NOT NULL DEFAULT '',
  job_id TEXT NOT NULL,
  worker TEXT,
  stage TEXT NOT NULL DEFAULT 'queued',
  fraction DOUBLE PRECISION NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  outcome TEXT,
  reason TEXT,
  cancelled BOOLEAN NOT NULL DEFAULT false,
  update_time BIGINT NOT NULL,
  PRIMARY KEY (scope, sha256, hints)
)`;

/** A progress table made before hinted analyses (keyed by scope and content only) gains the hints key. */
const PROGRESS_HINTS = `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = 'earshot_job_progress' AND column_name = 'hints') THEN
    ALTER TABLE earshot_job_progress ADD COLUMN hints TEXT NOT NULL DEFAULT '';
    ALTER TABLE earshot_job_progress DROP CONSTRAINT earshot_job_progress_pkey;
    ALTER TABLE earshot_job_progress ADD PRIMARY KEY (scope, sha256, hints);
  END IF;
END $$`;

export interface JobProgress {
  jobId: string;
  worker: string | null;
  stage: string;
  fraction: number;
  attempts: number;
  /** 'dead' once dead-lettered */
  outcome: string | null;
  reason: string | null;
  cancelled: boolean;
}

export class PgJobs {
  readonly boss: PgBoss;
  readonly workerName = `${hostname()}:${process.pid}`;
  private readonly opts: Required<PgJobsOptions>;
  private started = false;
  private stopping = false;
  /** counters of this node, for /metrics */
  readonly counts = { completed: 0, retried: 0, deadLettered: 0, handedOn: 0 };

  constructor(
    url: string,
    private readonly db: Db,
    private readonly logger: Logger,
    opts: PgJobsOptions = {},
  ) {
    this.opts = { retryLimit: 2, retryDelaySec: 2, expireInSeconds: 4 * 3600, leaseGraceSec: 5, pollSec: 1, ...opts };
    // supervise: pg-boss's own maintenance (expiry of over-long attempts, archiving) runs on one node at a time
    this.boss = new PgBoss({
      connectionString: url,
      schema: 'pgboss',
      max: 4,
      supervise: true,
      maintenanceIntervalSeconds: 30,
      application_name: 'earshot-jobs',
    });
    // a lost connection (PostgreSQL restarting) is reported here and retried by pg-boss; it must never crash the node
    this.boss.on('error', (err) => this.logger.warn({ err: { message: err.message } }, 'job queue: database error (retrying)'));
  }

  /** Install or migrate pg-boss's schema, create the queues and the progress table (idempotent, any node). */
  async start(): Promise<void> {
    await this.boss.start();
    this.started = true;
    await this.db.withLock('earshot:jobs:setup', async () => {
      if (!(await this.boss.getQueue(DEAD_LETTER_QUEUE)))
        await this.boss.createQueue(DEAD_LETTER_QUEUE, { name: DEAD_LETTER_QUEUE, policy: 'standard', retryLimit: 5, retryDelay: 2 });
      for (const c of CAPABILITIES) {
        const name = queueFor(c);
        const queue = {
          name,
          // short: at most one job per analysis key waiting (a second upload of the same content joins it)
          policy: 'short' as const,
          retryLimit: this.opts.retryLimit,
          retryDelay: this.opts.retryDelaySec,
          retryBackoff: true,
          expireInSeconds: this.opts.expireInSeconds,
          deadLetter: DEAD_LETTER_QUEUE,
        };
        if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, queue);
        else await this.boss.createQueue(name, queue);
      }
      await this.db.run(PROGRESS_TABLE);
      await this.db.run(PROGRESS_HINTS);
    });
  }

  /** Queue the analysis of `key` (once: a job already waiting for it is joined). */
  async enqueue(data: AnalysisJobData, capability: Capability): Promise<string | null> {
    try {
      const id = await this.boss.send(queueFor(capability), data, { singletonKey: keyString(data) });
      if (id) {
        await this.db.run(
          `INSERT INTO earshot_job_progress (scope, sha256, hints, job_id, worker, stage, fraction, attempts, outcome, reason, cancelled, update_time)
           VALUES (?, ?, ?, ?, NULL, 'queued', 0, 0, NULL, NULL, false, ?)
           ON CONFLICT (scope, sha256, hints) DO UPDATE SET job_id = excluded.job_id, worker = NULL, stage = 'queued', fraction = 0,
             attempts = 0, outcome = NULL, reason = NULL, cancelled = false, update_time = excluded.update_time`,
          [data.scope, data.sha256, data.hints ?? '', id, Date.now()],
        );
        this.logger.info({ jobId: id, sha256: data.sha256, queue: queueFor(capability) }, 'analysis job queued');
      }
      return id;
    } catch (err) {
      throw new EarshotError('JOBS_UNAVAILABLE', { reason: (err as Error).message }, { cause: err });
    }
  }

  async progress(key: AnalysisKey): Promise<JobProgress | undefined> {
    const row = await this.db.get<{
      job_id: string;
      worker: string | null;
      stage: string;
      fraction: number;
      attempts: number;
      outcome: string | null;
      reason: string | null;
      cancelled: boolean;
    }>(
      'SELECT job_id, worker, stage, fraction, attempts, outcome, reason, cancelled FROM earshot_job_progress WHERE scope = ? AND sha256 = ? AND hints = ?',
      [key.scope, key.sha256, hintsOf(key)],
    );
    return (
      row && {
        jobId: row.job_id,
        worker: row.worker,
        stage: row.stage,
        fraction: row.fraction,
        attempts: row.attempts,
        outcome: row.outcome,
        reason: row.reason,
        cancelled: !!row.cancelled,
      }
    );
  }

  /** A worker's heartbeat with its progress; answers whether the analysis was cancelled meanwhile (file deleted). */
  async report(key: AnalysisKey, jobId: string, stage: string, fraction: number, attempts: number): Promise<{ cancelled: boolean }> {
    const row = await this.db.get<{ cancelled: boolean }>(
      `UPDATE earshot_job_progress SET worker = ?, stage = ?, fraction = ?, attempts = ?, update_time = ?
       WHERE scope = ? AND sha256 = ? AND hints = ? AND job_id = ? RETURNING cancelled`,
      [this.workerName, stage, fraction, attempts, Date.now(), key.scope, key.sha256, hintsOf(key), jobId],
    );
    return { cancelled: !!row?.cancelled };
  }

  async markDead(key: AnalysisKey, reason: string): Promise<void> {
    await this.db.run(
      "UPDATE earshot_job_progress SET outcome = 'dead', reason = ?, update_time = ? WHERE scope = ? AND sha256 = ? AND hints = ?",
      [reason, Date.now(), key.scope, key.sha256, hintsOf(key)],
    );
  }

  /** The analysis was removed (its audio deleted or expired): drop waiting jobs, flag the running one. */
  async cancel(key: AnalysisKey): Promise<void> {
    const row = await this.progress(key);
    await this.db.run('UPDATE earshot_job_progress SET cancelled = true, update_time = ? WHERE scope = ? AND sha256 = ? AND hints = ?', [
      Date.now(),
      key.scope,
      key.sha256,
      hintsOf(key),
    ]);
    if (!row) return;
    for (const c of CAPABILITIES) await this.boss.cancel(queueFor(c), row.jobId).catch(() => {});
  }

  /** Take the next job from the first of `queues` that has one (null: none waiting, or the database is away). */
  async fetch(queues: string[]): Promise<JobMeta | null> {
    for (const queue of queues) {
      const [job] = await this.boss.fetch<AnalysisJobData>(queue, { includeMetadata: true, batchSize: 1 });
      if (job)
        return {
          id: job.id,
          queue,
          data: job.data,
          retryCount: job.retryCount,
          retryLimit: job.retryLimit,
          output: job.output as JobMeta['output'],
        };
    }
    return null;
  }

  complete(job: JobMeta): Promise<unknown> {
    this.counts.completed++;
    return this.boss.complete(job.queue, job.id);
  }

  /** Fail this attempt: retried after a back-off, or dead-lettered after the last one. */
  fail(job: JobMeta, message: string): Promise<unknown> {
    if (job.retryCount < job.retryLimit) this.counts.retried++;
    return this.boss.fail(job.queue, job.id, { message });
  }

  /**
   * Hand on jobs whose worker died: an active job started more than leaseGraceSec ago whose lease (an advisory lock
   * its worker's session holds while it runs) nobody holds is failed, so pg-boss retries it on a live worker.
   */
  async reapLostLeases(): Promise<number> {
    const rows = await this.db.all<{ id: string; name: string }>(
      `SELECT id::text AS id, name FROM pgboss.job WHERE name LIKE '${PREFIX}%' AND name <> '${DEAD_LETTER_QUEUE}'
         AND state = 'active' AND started_on < now() - make_interval(secs => ?)`,
      [this.opts.leaseGraceSec],
    );
    let n = 0;
    for (const r of rows) {
      const free = await this.db.tryExclusive(leaseKey(r.id), async () => true);
      if (!free.ran) continue;
      const res = (await this.boss.fail(r.name, r.id, { message: new EarshotError('JOBS_LEASE_LOST').message })) as unknown as
        | { affected?: number }
        | undefined;
      if (res?.affected) {
        n++;
        this.counts.handedOn++;
        this.logger.warn({ jobId: r.id, queue: r.name }, 'analysis job handed on: its worker stopped');
      }
    }
    return n;
  }

  /** Whether a job for `key` is waiting or running (for the sweep of files a lost enqueue stranded). */
  async hasLiveJob(key: AnalysisKey): Promise<boolean> {
    const row = await this.db.get<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name LIKE '${PREFIX}%' AND singleton_key = ? AND state IN ('created', 'retry', 'active')`,
      [keyString(key)],
    );
    return (row?.n ?? 0) > 0;
  }

  async stats(): Promise<JobStats> {
    const row = await this.db.get<{ waiting: number; active: number; oldest: number | null; failed: number }>(
      `SELECT count(*) FILTER (WHERE state IN ('created', 'retry'))::int AS waiting,
              count(*) FILTER (WHERE state = 'active')::int AS active,
              extract(epoch FROM now() - min(created_on) FILTER (WHERE state IN ('created', 'retry')))::float AS oldest,
              count(*) FILTER (WHERE state = 'failed')::int AS failed
         FROM pgboss.job WHERE name LIKE '${PREFIX}%' AND name <> '${DEAD_LETTER_QUEUE}'`,
    );
    return { waiting: row?.waiting ?? 0, active: row?.active ?? 0, oldestWaitingSec: row?.oldest ?? 0, failed: row?.failed ?? 0 };
  }

  /** For /readyz: the queue's schema answers. */
  async check(): Promise<void> {
    if (!this.started) throw new Error('the job queue has not started');
    await this.boss.getQueueSize(queueFor('any'));
  }

  get closing(): boolean {
    return this.stopping;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.started) await this.boss.stop({ graceful: false, wait: true, timeout: 3000 }).catch(() => {});
  }
}
