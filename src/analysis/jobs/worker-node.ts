// A worker node's side of the durable queue: takes analysis jobs it has the engines for (one loop per analysis
// slot), holds a lease on each while it runs, reads the audio from the blob store (never an API node's disk),
// analyses it in the local child process (queue.ts), settles every file of that content, and turns dead letters
// into FAILED files with a readable reason. Results are idempotent by content hash (and hints): a second run of the
// same key finds the stored analysis and only settles files. A hinted job re-runs only the speech of the base analysis.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../store/sql.js';
import type { Blobs } from '../../store/blob-store.js';
import type { FileRecord, FileStore } from '../../store/files.js';
import { keyString, type AnalysisKey, type AnalysisStore } from '../../store/analyses.js';
import { EarshotError, isEarshotError } from '../../domain/errors.js';
import { isAudioMime } from '../../audio/formats.js';
import { AudioError } from '../../audio/errors.js';
import type { AudioProbe } from '../../domain/analysis.js';
import type { AnalysisQueue } from '../queue.js';
import { classifyFile, probeChecked } from '../audio-check.js';
import { analysisLockKey, capabilitiesOf, DEAD_LETTER_QUEUE, jobKey, leaseKey, queueFor, type JobMeta, type PgJobs } from './pg-boss.js';

export interface JobWorkerDeps {
  config: Config;
  db: Db;
  blobs: Blobs;
  files: FileStore;
  analyses: AnalysisStore;
  /** the local analysis child processes */
  queue: AnalysisQueue;
  jobs: PgJobs;
  logger: Logger;
}

type FileError = { code: number; message: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export class JobWorker {
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private reaper: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  /** the queues this worker takes, once its engines are loaded */
  queues: string[] = [];
  private running = 0;

  constructor(private readonly deps: JobWorkerDeps) {}

  get busy(): number {
    return this.running;
  }

  /** Wait for the engines, declare the capabilities they give, then take jobs (returns once started). */
  async start(): Promise<void> {
    const { queue, jobs, logger, config } = this.deps;
    queue.warmUp();
    while (!queue.engines.ready && !queue.engines.error && !this.stopped) await sleep(100);
    if (this.stopped) return;
    const caps = capabilitiesOf(queue.engines.names);
    this.queues = caps.map(queueFor);
    logger.info({ engines: queue.engines.names, queues: this.queues }, 'worker taking analysis jobs');
    for (let i = 0; i < Math.max(1, config.analysisConcurrency); i++) this.loops.push(this.loop(this.queues));
    this.loops.push(this.loop([DEAD_LETTER_QUEUE]));
    this.reaper = setInterval(() => {
      jobs.reapLostLeases().catch((err: Error) => logger.warn({ err: { message: err.message } }, 'lease check failed'));
    }, 3000);
    this.reaper.unref();
    this.sweeper = setInterval(() => {
      this.requeueStranded().catch((err: Error) => logger.warn({ err: { message: err.message } }, 'stranded-file sweep failed'));
    }, 30_000);
    this.sweeper.unref();
  }

  /**
   * Files left PROCESSING with no job (the API node died, or the database was away, between storing the file and
   * queueing it): queue them again. Runs on one node at a time.
   */
  async requeueStranded(olderThanMs = 30_000): Promise<number> {
    const { db, files, analyses, jobs } = this.deps;
    const r = await db.tryExclusive('earshot:jobs:stranded', async () => {
      let n = 0;
      const seen = new Set<string>();
      for (const rec of await files.processing()) {
        if (Date.now() - rec.updateTime < olderThanMs) continue;
        const key = analyses.keyFor(rec.project, rec.sha256);
        if (seen.has(keyString(key))) continue;
        seen.add(keyString(key));
        if (await jobs.hasLiveJob(key)) continue;
        if (await jobs.enqueue({ scope: key.scope, sha256: key.sha256 }, 'any')) n++;
      }
      return n;
    });
    return r.ran ? r.value : 0;
  }

  private async loop(queues: string[]): Promise<void> {
    const { jobs, logger } = this.deps;
    const idleMs = 500;
    while (!this.stopped) {
      let job: JobMeta | null = null;
      try {
        job = await jobs.fetch(queues);
      } catch (err) {
        logger.warn({ err: { message: (err as Error).message } }, 'job fetch failed (retrying)');
      }
      if (!job) {
        await sleep(idleMs);
        continue;
      }
      this.running++;
      try {
        await this.run(job);
      } finally {
        this.running--;
      }
    }
  }

  /** One attempt of one job, with its outcome written back to pg-boss (retried if the database is away). */
  private async run(job: JobMeta): Promise<void> {
    const { jobs, db } = this.deps;
    const log = this.deps.logger.child({ jobId: job.id, sha256: job.data.sha256, scope: job.data.scope, attempt: job.retryCount + 1 });
    const started = performance.now();
    let failure: string | undefined;
    try {
      if (job.queue === DEAD_LETTER_QUEUE) await this.deadLetter(job, log);
      // the lease (liveness, seen by every node's reaper), then the key's lock (one analysis per content at a time)
      else await db.withLock(leaseKey(job.id), () => db.withLock(analysisLockKey(job.data), () => this.analyse(job, log)));
    } catch (err) {
      failure = isEarshotError(err) ? err.message : (err as Error).message;
    }
    for (let i = 0; i < 60 && !this.stopped; i++) {
      try {
        if (failure === undefined) await jobs.complete(job);
        else await jobs.fail(job, failure);
        break;
      } catch (err) {
        // PostgreSQL is away: keep the outcome and write it when it is back (the lease has gone with the session,
        // so another node may also retry the job: the result is idempotent by content hash)
        log.warn({ err: { message: (err as Error).message } }, 'could not record the job outcome yet');
        await sleep(1000);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    if (failure === undefined) log.info({ seconds }, 'analysis job done');
    else log.warn({ seconds, reason: failure, final: job.retryCount >= job.retryLimit }, 'analysis job attempt failed');
  }

  /** PROCESSING files of this key's content (in its scope): the ones a result settles. */
  private async pendingFiles(key: AnalysisKey): Promise<FileRecord[]> {
    const { files, analyses } = this.deps;
    return (await files.filesWithSha(key.sha256)).filter(
      (r) => r.state === 'PROCESSING' && keyString(analyses.keyFor(r.project, key.sha256)) === keyString(key),
    );
  }

  private async settle(recs: FileRecord[], state: FileRecord['state'], error: FileError | null = null): Promise<void> {
    for (const r of recs) await this.deps.files.setState(r.project, r.id, state, error);
  }

  private async analyse(job: JobMeta, log: Logger): Promise<void> {
    const { analyses, blobs, queue, jobs, config, files } = this.deps;
    const key = jobKey(job.data);
    if (job.data.inline) return this.analyseInline(job, key, log);
    if (job.data.hinted) return this.analyseHinted(job, key, log);
    let recs = await this.pendingFiles(key);
    const [first] = recs;
    // deleted meanwhile, or settled by an earlier run of this key
    if (!first) return;
    if (await analyses.get(key)) return this.settle(recs, 'ACTIVE');
    if (first.sizeBytes === 0) {
      if (isAudioMime(first.mimeType))
        return this.settle(recs, 'FAILED', { code: 400, message: new AudioError('AUDIO_EMPTY', { case: 'file' }).message });
      return this.settle(recs, 'ACTIVE');
    }
    // the worker's own copy from the object store (content-addressed cache), never an API node's disk
    const file = await blobs.localPath(key.sha256);
    const kind = await classifyFile(file, first.mimeType);
    if (kind === 'other') return this.settle(recs, 'ACTIVE');
    let probe: AudioProbe;
    try {
      probe =
        first.probe ??
        (await probeChecked(file, first.mimeType, { maxDurationSec: config.limits.maxPromptAudioSec, subject: 'file', known: kind }));
    } catch (err) {
      // the input is unusable: no retry helps, the file fails with the reason now
      const message = isEarshotError(err) ? err.message : new EarshotError('INGEST_UNREADABLE').message;
      return this.settle(recs, 'FAILED', { code: 400, message });
    }
    for (const r of recs) if (!r.probe) await files.setProbe(r.project, r.id, probe);
    const attempts = job.retryCount + 1;
    const beat = setInterval(() => {
      queue
        .status(key)
        .then(
          (st) =>
            jobs.report(key, job.id, st.stage, st.fraction, attempts).then(({ cancelled }) => {
              if (cancelled) void analyses.remove(key).catch(() => {});
            }),
          () => {},
        )
        .catch((err: Error) => log.debug({ err: { message: err.message } }, 'progress report failed'));
    }, 1000);
    try {
      await jobs.report(key, job.id, 'listening', 0, attempts).catch(() => {});
      await queue.analyze(key, file, probe.durationSec);
    } catch (err) {
      if (isEarshotError(err, 'ANALYSIS_CANCELLED')) return;
      throw err;
    } finally {
      clearInterval(beat);
    }
    await jobs.report(key, job.id, 'done', 1, attempts).catch(() => {});
    // every file of this content that arrived meanwhile is settled too
    recs = await this.pendingFiles(key);
    await this.settle(recs, 'ACTIVE');
  }

  private async analyseInline(job: JobMeta, key: AnalysisKey, log: Logger): Promise<void> {
    const { analyses, queue, config } = this.deps;
    const inline = job.data.inline!;
    if (await analyses.get(key)) return;
    const dir = path.join(config.dataDir, 'inline');
    const file = path.join(dir, `${key.sha256}.${randomBytes(8).toString('hex')}.job`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(file, Buffer.from(inline.data, 'base64'), { mode: 0o600 });
    try {
      const hints = job.data.hinted?.hints;
      await queue.analyze(key, file, inline.durationSec, inline.expireTime, key.hints && hints ? { hints } : {});
    } catch (err) {
      if (isEarshotError(err, 'ANALYSIS_CANCELLED')) return;
      log.debug({ err: { message: (err as Error).message } }, 'inline analysis attempt failed');
      throw err;
    } finally {
      await rm(file, { force: true });
    }
  }

  /** A hinted analysis of a stored file: the speech of its base analysis re-run with the job's hints. */
  private async analyseHinted(job: JobMeta, key: AnalysisKey, log: Logger): Promise<void> {
    const { analyses, blobs, files, queue } = this.deps;
    const hinted = job.data.hinted!;
    if (await analyses.get(key)) return;
    // the file went meanwhile: nothing to analyse for (a base run now would outlive its audio)
    const owners = (await files.filesWithSha(key.sha256)).filter(
      (r) => analyses.keyFor(r.project, key.sha256).scope === key.scope && r.state === 'ACTIVE',
    );
    if (!owners.length) return;
    try {
      await queue.analyze(key, await blobs.localPath(key.sha256), hinted.durationSec, hinted.expireTime, {
        hints: hinted.hints,
        baseExpireTime: null,
      });
    } catch (err) {
      if (isEarshotError(err, 'ANALYSIS_CANCELLED')) return;
      log.debug({ err: { message: (err as Error).message } }, 'hinted analysis attempt failed');
      throw err;
    }
  }

  /** A job that failed retryLimit + 1 times: its files go FAILED with the last reason, its analysis is marked failed. */
  private async deadLetter(job: JobMeta, log: Logger): Promise<void> {
    const { analyses, jobs } = this.deps;
    const key = jobKey(job.data);
    const last = job.output?.message ?? 'unknown';
    const reason = new EarshotError('JOBS_DEAD_LETTER', { attempts: job.retryLimit + 1, last }).message;
    const message = new EarshotError('ANALYSIS_FAILED', { reason }).message;
    await analyses.fail(key, 'failed', 0, reason);
    await jobs.markDead(key, message);
    jobs.counts.deadLettered++;
    // a hinted analysis settles no file: its requests read the failure
    const recs = key.hints ? [] : await this.pendingFiles(key);
    await this.settle(recs, 'FAILED', { code: 500, message });
    log.error({ files: recs.map((r) => r.id), reason }, 'analysis dead-lettered: files FAILED');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reaper) clearInterval(this.reaper);
    if (this.sweeper) clearInterval(this.sweeper);
    // a job in progress is abandoned with the node: its lease goes with the session and another worker takes it
    await Promise.race([Promise.all(this.loops), sleep(2000)]);
  }
}
