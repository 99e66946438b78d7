// The analysis queue: one analysis per distinct content (by SHA-256), run in worker processes
// (analysisConcurrency of them, default 1 so two analyses never fight over the 2 cores), persisted in
// the analyses table so results are reused forever after and unfinished work resumes after a restart.

import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../store/database.js';
import type { AudioAnalysis } from '../domain/analysis.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';

export interface AnalysisStatus {
  status: 'none' | 'queued' | 'running' | 'done' | 'failed';
  stage: string;
  fraction: number;
  error?: string;
}

interface Job {
  sha256: string;
  path: string;
  durationSec: number;
  promise: Promise<AudioAnalysis>;
  resolve: (a: AudioAnalysis) => void;
  reject: (e: Error) => void;
  stage: string;
  fraction: number;
  worker?: WorkerHandle;
}

interface WorkerHandle {
  proc: ChildProcess;
  pending: Set<string>;
}

export interface QueueObserver {
  /** called when an analysis finishes, with its wall time */
  onDone?(seconds: number, durationSec: number, engines: Record<string, string>): void;
  onDepth?(depth: number): void;
}

const CACHE_ENTRIES = 32;

export class AnalysisQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly workers: WorkerHandle[] = [];
  private readonly cache = new Map<string, AudioAnalysis>();
  private readonly stmts;
  private closed = false;
  /** what the most recently started worker reported about its engines */
  engines: { ready: boolean; names: Record<string, string>; warnings: string[]; error?: string } = { ready: false, names: {}, warnings: [] };

  constructor(
    private readonly config: Config,
    db: Db,
    private readonly logger: Logger,
    private readonly observer: QueueObserver = {},
  ) {
    this.stmts = {
      get: db.prepare<[string], { status: string; stage: string; fraction: number; result: string | null; error: string | null }>(
        'SELECT status, stage, fraction, result, error FROM analyses WHERE sha256 = ?',
      ),
      upsert: db.prepare(
        `INSERT INTO analyses (sha256, status, stage, fraction, result, error, update_time) VALUES (@sha256, @status, @stage, @fraction, @result, @error, @now)
         ON CONFLICT(sha256) DO UPDATE SET status = excluded.status, stage = excluded.stage, fraction = excluded.fraction,
           result = excluded.result, error = excluded.error, update_time = excluded.update_time`,
      ),
      unfinished: db.prepare<[], { sha256: string }>("SELECT sha256 FROM analyses WHERE status IN ('queued', 'running')"),
    };
  }

  /** The finished analysis of this content, from memory or the database. */
  get(sha256: string): AudioAnalysis | undefined {
    const hit = this.cache.get(sha256);
    if (hit) {
      this.cache.delete(sha256);
      this.cache.set(sha256, hit);
      return hit;
    }
    const row = this.stmts.get.get(sha256);
    if (row?.status !== 'done' || !row.result) return undefined;
    const analysis = JSON.parse(row.result) as AudioAnalysis;
    if (analysis.loudnessDb === null) analysis.loudnessDb = -Infinity;
    this.remember(sha256, analysis);
    return analysis;
  }

  status(sha256: string): AnalysisStatus {
    const job = this.jobs.get(sha256);
    if (job) return { status: job.worker ? 'running' : 'queued', stage: job.stage, fraction: job.fraction };
    const row = this.stmts.get.get(sha256);
    if (!row) return { status: 'none', stage: 'none', fraction: 0 };
    return { status: row.status as AnalysisStatus['status'], stage: row.stage, fraction: row.fraction, error: row.error ?? undefined };
  }

  /** Content hashes whose analysis was interrupted (by a restart) and should run again. */
  unfinished(): string[] {
    return this.stmts.unfinished.all().map((r) => r.sha256);
  }

  /** Analyse the audio at `file` (once per content): resolves with the stored result when there is one. */
  analyze(sha256: string, file: string, durationSec: number): Promise<AudioAnalysis> {
    const done = this.get(sha256);
    if (done) return Promise.resolve(done);
    const existing = this.jobs.get(sha256);
    if (existing) return existing.promise;
    if (this.closed) return Promise.reject(new Error('the server is shutting down'));
    let resolve!: (a: AudioAnalysis) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<AudioAnalysis>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    const job: Job = { sha256, path: file, durationSec, promise, resolve, reject, stage: 'queued', fraction: 0 };
    this.jobs.set(sha256, job);
    this.save(sha256, 'queued', 'queued', 0);
    this.dispatch(job);
    this.observer.onDepth?.(this.jobs.size);
    return promise;
  }

  /** Start a worker now so engines are loaded (and /readyz can say so) before the first file arrives. */
  warmUp(): void {
    if (this.workers.length === 0 && !this.closed) this.spawnWorker();
  }

  private dispatch(job: Job): void {
    const worker = this.pickWorker();
    job.worker = worker;
    worker.pending.add(job.sha256);
    this.send(worker, { type: 'job', id: job.sha256, path: job.path, sha256: job.sha256, durationSec: job.durationSec });
  }

  private pickWorker(): WorkerHandle {
    const max = Math.max(1, this.config.analysisConcurrency);
    if (this.workers.length < max && this.workers.every((w) => w.pending.size > 0)) return this.spawnWorker();
    return this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private spawnWorker(): WorkerHandle {
    const self = fileURLToPath(import.meta.url);
    const ext = path.extname(self);
    const entry = path.join(path.dirname(self), `worker${ext}`);
    const proc = fork(entry, [], {
      execArgv: ext === '.ts' ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const handle: WorkerHandle = { proc, pending: new Set() };
    this.workers.push(handle);
    const { apiKeys: _omit, ...workerConfig } = this.config;
    this.send(handle, { type: 'init', config: workerConfig as WorkerConfig });
    proc.on('message', (m: FromWorker) => this.onMessage(handle, m));
    proc.on('exit', (code, signal) => {
      this.workers.splice(this.workers.indexOf(handle), 1);
      for (const sha of handle.pending) {
        const job = this.jobs.get(sha);
        if (!job) continue;
        this.finish(job, new Error(`the analysis worker stopped (${signal ?? `exit ${code}`}) while analysing this audio`));
      }
      if (!this.closed && (code !== 0 || signal)) this.logger.error({ code, signal }, 'analysis worker exited');
    });
    return handle;
  }

  private send(w: WorkerHandle, m: ToWorker): void {
    if (w.proc.connected) w.proc.send(m);
  }

  private onMessage(w: WorkerHandle, m: FromWorker): void {
    if (m.type === 'log') {
      this.logger[m.level](m.msg);
      if (m.level === 'error' && /engines failed to load/.test(m.msg)) this.engines = { ...this.engines, error: m.msg };
      return;
    }
    if (m.type === 'ready') {
      this.engines = { ready: true, names: m.engines, warnings: m.warnings };
      this.logger.info({ engines: m.engines }, 'listening engines loaded');
      for (const warning of m.warnings) this.logger.warn(warning);
      return;
    }
    const job = this.jobs.get(m.id);
    if (!job) return;
    if (m.type === 'progress') {
      job.stage = m.stage;
      job.fraction = m.fraction;
    } else if (m.type === 'done') {
      w.pending.delete(m.id);
      this.observer.onDone?.(m.seconds, m.analysis.durationSec, m.analysis.engines);
      this.finish(job, m.analysis);
    } else if (m.type === 'failed') {
      w.pending.delete(m.id);
      this.finish(job, new Error(m.message));
    }
  }

  private finish(job: Job, outcome: AudioAnalysis | Error): void {
    this.jobs.delete(job.sha256);
    this.observer.onDepth?.(this.jobs.size);
    if (outcome instanceof Error) {
      if (!this.closed) this.save(job.sha256, 'failed', job.stage, job.fraction, null, outcome.message);
      job.reject(outcome);
    } else {
      this.save(job.sha256, 'done', 'done', 1, JSON.stringify(outcome));
      this.remember(job.sha256, outcome);
      job.resolve(outcome);
    }
  }

  private save(sha256: string, status: string, stage: string, fraction: number, result: string | null = null, error: string | null = null): void {
    this.stmts.upsert.run({ sha256, status, stage, fraction, result, error, now: Date.now() });
  }

  private remember(sha256: string, a: AudioAnalysis): void {
    this.cache.set(sha256, a);
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Forget a result (its bytes are gone). */
  forget(sha256: string): void {
    this.cache.delete(sha256);
  }

  /** Stop the workers. Unfinished jobs stay 'queued'/'running' in the database and resume on the next start. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.proc.once('exit', () => resolve());
            w.proc.kill('SIGTERM');
            setTimeout(() => {
              w.proc.kill('SIGKILL');
              resolve();
            }, 3000).unref();
          }),
      ),
    );
    for (const job of this.jobs.values()) job.reject(new Error('the server is shutting down'));
    this.jobs.clear();
  }
}
