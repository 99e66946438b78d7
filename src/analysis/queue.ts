// The analysis queue: runs each wanted analysis once (per AnalysisKey) in worker processes
// (analysisConcurrency of them, default 1 so two analyses never fight over the 2 cores). The analysis store
// keeps the results; when it removes an analysis (its audio deleted or expired) the work is cancelled. A hinted
// analysis first has the base analysis of its content (run or joined), and its job re-runs only the speech.

import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { baseKey, keyString, type AnalysisKey, type AnalysisStatus, type AnalysisStore } from '../store/analyses.js';
import type { AudioAnalysis } from '../domain/analysis.js';
import type { HintCapabilities, TranscriptionHints } from '../domain/hints.js';
import { EarshotError, isEarshotError } from '../domain/errors.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';

export type { AnalysisStatus };

interface Job {
  /** unique per run, so a late message of a cancelled run never reaches a newer one */
  id: string;
  key: AnalysisKey;
  path: string;
  durationSec: number;
  /** a hinted analysis: the hints, and the base analysis whose speech it re-runs */
  hints?: TranscriptionHints;
  base?: AudioAnalysis;
  promise: Promise<AudioAnalysis>;
  resolve: (a: AudioAnalysis) => void;
  reject: (e: Error) => void;
  stage: string;
  fraction: number;
  worker?: WorkerHandle;
  queuedAt: number;
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

export interface AnalyzeOptions {
  /** the hints of a hinted key (key.hints is their stored key), required with it */
  hints?: TranscriptionHints;
  /** the base analysis' lifetime when it must be run first (default: expireTime); null: a file uses it */
  baseExpireTime?: number | null;
}

export class AnalysisQueue {
  /** by keyString */
  private readonly jobs = new Map<string, Job>();
  /** by job id */
  private readonly runs = new Map<string, Job>();
  private readonly workers: WorkerHandle[] = [];
  private nextRun = 0;
  private closed = false;
  /** what the most recently started worker reported about its engines */
  engines: { ready: boolean; names: Record<string, string>; warnings: string[]; error?: string; hintCapabilities?: HintCapabilities } = {
    ready: false,
    names: {},
    warnings: [],
  };

  constructor(
    private readonly config: Config,
    private readonly store: AnalysisStore,
    private readonly logger: Logger,
    private readonly observer: QueueObserver = {},
  ) {
    store.onRemoved((key) => this.cancel(key));
  }

  /** The finished analysis (memory or database). */
  get(key: AnalysisKey): Promise<AudioAnalysis | undefined> {
    return this.store.get(key);
  }

  async status(key: AnalysisKey): Promise<AnalysisStatus> {
    const job = this.jobs.get(keyString(key));
    if (job) return { status: job.worker ? 'running' : 'queued', stage: job.stage, fraction: job.fraction };
    return this.store.status(key);
  }

  /**
   * Analyse the audio at `file` (once per key): resolves with the stored result when there is one.
   * `expireTime` null: a file uses the result; a time: inline use, kept until then. A full disk throws
   * STORAGE_FULL before any work starts.
   */
  async analyze(
    key: AnalysisKey,
    file: string,
    durationSec: number,
    expireTime: number | null = null,
    opts: AnalyzeOptions = {},
  ): Promise<AudioAnalysis> {
    // the job map is checked again after each await: one job per key, however callers interleave
    const joined = await this.joinExisting(key, expireTime);
    if (joined) return joined;
    let base: AudioAnalysis | undefined;
    if (key.hints) {
      if (!opts.hints) throw new EarshotError('INTERNAL');
      base = await this.analyze(baseKey(key), file, durationSec, opts.baseExpireTime === undefined ? expireTime : opts.baseExpireTime);
      const meanwhile = await this.joinExisting(key, expireTime);
      if (meanwhile) return meanwhile;
    }
    if (this.closed) throw new EarshotError('SHUTTING_DOWN');
    let resolve!: (a: AudioAnalysis) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<AudioAnalysis>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    const job: Job = {
      id: `${keyString(key)}#${++this.nextRun}`,
      key,
      path: file,
      durationSec,
      ...(base && opts.hints ? { base, hints: opts.hints } : {}),
      promise,
      resolve,
      reject,
      stage: 'queued',
      fraction: 0,
      queuedAt: Date.now(),
    };
    this.jobs.set(keyString(key), job);
    this.runs.set(job.id, job);
    try {
      await this.store.begin(key, expireTime);
    } catch (err) {
      // nothing started (e.g. STORAGE_FULL): callers that joined meanwhile get the same error
      this.runs.delete(job.id);
      if (this.jobs.get(keyString(key)) === job) this.jobs.delete(keyString(key));
      job.reject(err as Error);
      throw err;
    }
    if (this.runs.get(job.id) !== job) return promise; // cancelled while being recorded
    this.dispatch(job);
    this.observer.onDepth?.(this.jobs.size);
    return promise;
  }

  /** A running job or stored result for `key` (its lifetime extended), or undefined. */
  private async joinExisting(key: AnalysisKey, expireTime: number | null): Promise<AudioAnalysis | undefined> {
    const running = this.jobs.get(keyString(key));
    if (running) {
      await this.store.retain(key, expireTime);
      return running.promise;
    }
    const done = await this.store.get(key);
    const existing = this.jobs.get(keyString(key));
    if (done || existing) {
      await this.store.retain(key, expireTime);
      return done ?? existing!.promise;
    }
    return undefined;
  }

  /** Start a worker now so engines are loaded (and /readyz can say so) before the first file arrives. */
  warmUp(): void {
    if (this.workers.length === 0 && !this.closed) this.spawnWorker();
  }

  /** Jobs waiting for a worker process and jobs being analysed, with the oldest wait (for /metrics). */
  counts(): { waiting: number; active: number; oldestWaitingSec: number } {
    let waiting = 0;
    let oldest = Infinity;
    for (const job of this.jobs.values()) {
      if (job.worker) continue;
      waiting++;
      oldest = Math.min(oldest, job.queuedAt);
    }
    return { waiting, active: this.jobs.size - waiting, oldestWaitingSec: waiting ? (Date.now() - oldest) / 1000 : 0 };
  }

  /** Stop the work for a removed analysis: its callers get ANALYSIS_CANCELLED, nothing is written back. */
  cancel(key: AnalysisKey): void {
    const job = this.jobs.get(keyString(key));
    if (!job) return;
    if (job.worker) this.send(job.worker, { type: 'cancel', id: job.id });
    this.finish(job, new EarshotError('ANALYSIS_CANCELLED'));
  }

  private dispatch(job: Job): void {
    const worker = this.pickWorker();
    job.worker = worker;
    worker.pending.add(job.id);
    this.send(worker, {
      type: 'job',
      id: job.id,
      path: job.path,
      sha256: job.key.sha256,
      durationSec: job.durationSec,
      ...(job.hints && job.base ? { hints: job.hints, base: job.base } : {}),
    });
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
      for (const id of handle.pending) {
        const job = this.runs.get(id);
        if (job) this.finish(job, new EarshotError('ANALYSIS_WORKER_STOPPED', { how: signal ?? `exit ${code}` }));
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
      return;
    }
    if (m.type === 'engines-failed') {
      const error = new EarshotError('ANALYSIS_ENGINES_FAILED', { reason: m.message }).message;
      this.engines = { ...this.engines, error };
      this.logger.error(error);
      return;
    }
    if (m.type === 'ready') {
      this.engines = { ready: true, names: m.engines, warnings: m.warnings, hintCapabilities: m.hintCapabilities };
      this.logger.info({ engines: m.engines }, 'listening engines loaded');
      for (const warning of m.warnings) this.logger.warn(warning);
      return;
    }
    if (m.type !== 'progress') w.pending.delete(m.id);
    const job = this.runs.get(m.id);
    if (!job) return; // cancelled meanwhile
    if (m.type === 'progress') {
      job.stage = m.stage;
      job.fraction = m.fraction;
    } else if (m.type === 'done') {
      this.observer.onDone?.(m.seconds, m.analysis.durationSec, m.analysis.engines);
      this.finish(job, m.analysis);
    } else {
      this.finish(job, m.cancelled ? new EarshotError('ANALYSIS_CANCELLED') : new Error(m.message));
    }
  }

  /** Settle a job and store its outcome. Never throws (it runs inside IPC and exit handlers). */
  private finish(job: Job, outcome: AudioAnalysis | Error): void {
    if (this.runs.get(job.id) !== job) return;
    this.runs.delete(job.id);
    // the job stays findable until its outcome is stored, so no second run starts in between
    const settled = () => {
      if (this.jobs.get(keyString(job.key)) === job) this.jobs.delete(keyString(job.key));
      this.observer.onDepth?.(this.jobs.size);
    };
    if (outcome instanceof Error) {
      if (this.closed || isEarshotError(outcome, 'ANALYSIS_CANCELLED')) {
        settled();
        job.reject(outcome);
        return;
      }
      void this.persist(job, () => this.store.fail(job.key, job.stage, job.fraction, outcome.message)).then(() => {
        settled();
        job.reject(outcome);
      });
      return;
    }
    let stored = true;
    // a result whose analysis was removed meanwhile is not written back
    void this.persist(job, async () => void (stored = await this.store.complete(job.key, outcome))).then((written) => {
      if (!written) this.store.rememberOnly(job.key, outcome);
      settled();
      if (stored) job.resolve(outcome);
      else job.reject(new EarshotError('ANALYSIS_CANCELLED'));
    });
  }

  /** A database write from an event handler: a failure (a full disk) is logged, never thrown. */
  private async persist(job: Job, write: () => Promise<void>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      this.logger.error({ err, sha256: job.key.sha256 }, 'could not store the analysis outcome');
      return false;
    }
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
    for (const job of this.jobs.values()) job.reject(new EarshotError('SHUTTING_DOWN'));
    this.jobs.clear();
    this.runs.clear();
  }
}
