// Media for a node that shares PostgreSQL and the object store (roles api and all with databaseUrl): a new file
// becomes a durable job (analysed by whichever worker has the engines), status and progress are read from the
// database so any node shows them, waits poll the database, and inline audio travels inside its job. A hinted
// analysis is a job of its own (its hints in the job, keyed by content and hints) queued once the base analysis is
// there. It keeps no state of its own: no local queue runs here, no blob is needed on this node's disk.

import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Blobs } from '../../store/blob-store.js';
import type { FileRecord, FileStore } from '../../store/files.js';
import { baseKey, type AnalysisKey, type AnalysisStatus, type AnalysisStore } from '../../store/analyses.js';
import type { AudioAnalysis } from '../../domain/analysis.js';
import { EarshotError, isEarshotError } from '../../domain/errors.js';
import { hasHints, usableHints } from '../../domain/hints.js';
import { AnalysisQueue, type AnalyzeOptions } from '../queue.js';
import { InlineAudio } from '../inline.js';
import { analysisStatusOf, type Media } from '../media.js';
import { neededCapability, type PgJobs } from './pg-boss.js';
import type { AnalysisJobs } from './types.js';

export interface ClusterMediaDeps {
  config: Config;
  files: FileStore;
  blobs: Blobs;
  analyses: AnalysisStore;
  jobs: PgJobs;
  logger: Logger;
  /** the local analysis processes, on a node that also works (role all); an API node has none running */
  queue?: AnalysisQueue;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/** The durable queue behind the AnalysisJobs interface. */
export function pgBossJobs(deps: ClusterMediaDeps): AnalysisJobs {
  const { jobs, analyses, config } = deps;
  const capability = neededCapability(config.engines.speech);
  return {
    kind: 'pg-boss',
    async enqueue(rec) {
      const key = analyses.keyFor(rec.project, rec.sha256);
      await jobs.enqueue({ scope: key.scope, sha256: key.sha256 }, capability);
    },
    async progress(key) {
      const [st, p] = await Promise.all([analyses.status(key), jobs.progress(key)]);
      if (
        p &&
        (st.status === 'queued' || st.status === 'running' || st.status === 'none' || st.status === 'failed') &&
        p.outcome !== 'dead'
      ) {
        // a failed attempt that will be retried still reads as queued
        return { status: p.worker ? 'running' : 'queued', stage: p.stage, fraction: p.fraction };
      }
      return st;
    },
    cancel: (key) => jobs.cancel(key),
    async stats() {
      const s = await jobs.stats();
      return { waiting: s.waiting, active: s.active, oldestWaitingSec: s.oldestWaitingSec, failed: s.failed };
    },
  };
}

export function createClusterMedia(deps: ClusterMediaDeps): Media & { jobs: AnalysisJobs } {
  const { config, files, blobs, analyses, logger } = deps;
  const pollMs = deps.pollMs ?? 250;
  const jobs = pgBossJobs(deps);
  // an API node never starts this queue (no child process is forked until a job is dispatched, and none is)
  const queue = deps.queue ?? new AnalysisQueue(config, analyses, logger);
  analyses.onRemoved(
    (key) =>
      void jobs
        .cancel(key)
        .catch((err: Error) => logger.warn({ err: { message: err.message }, sha256: key.sha256 }, 'could not cancel the job')),
  );

  /** Inline audio: the bytes go inside the job; this node waits for the stored result. */
  const remote = {
    async analyze(
      key: AnalysisKey,
      file: string,
      durationSec: number,
      expireTime: number | null = null,
      opts: AnalyzeOptions = {},
    ): Promise<AudioAnalysis> {
      const done = await analyses.get(key);
      if (done) {
        await analyses.retain(key, expireTime);
        return done;
      }
      const expire = expireTime ?? Date.now() + config.limits.inlineAnalysisTtlSec * 1000;
      // a hinted analysis re-runs the speech of the base one: that comes first (its own job, or stored already)
      if (key.hints) {
        if (!opts.hints) throw new EarshotError('INTERNAL');
        await remote.analyze(baseKey(key), file, durationSec, opts.baseExpireTime === undefined ? expireTime : opts.baseExpireTime);
      }
      await analyses.begin(key, expire);
      const data = (await readFile(file)).toString('base64');
      await deps.jobs.enqueue(
        {
          scope: key.scope,
          sha256: key.sha256,
          ...(key.hints && opts.hints ? { hints: key.hints, hinted: { hints: opts.hints, durationSec, expireTime: expire } } : {}),
          inline: { data, mimeType: 'application/octet-stream', durationSec, expireTime: expire },
        },
        neededCapability(config.engines.speech),
      );
      return waitForAnalysis(key);
    },
  };
  const inline = new InlineAudio(config, analyses, remote);

  async function waitForAnalysis(key: AnalysisKey): Promise<AudioAnalysis> {
    for (;;) {
      const a = await analyses.get(key);
      if (a) return a;
      const [st, p] = await Promise.all([analyses.status(key), deps.jobs.progress(key)]);
      if (st.status === 'none') throw new EarshotError('ANALYSIS_CANCELLED');
      if (p?.outcome === 'dead') throw new EarshotError('ANALYSIS_FAILED', { reason: p.reason ?? st.error ?? 'unknown' });
      await sleep(pollMs);
    }
  }

  const media: Media & { jobs: AnalysisJobs } = {
    queue,
    jobs,
    blobPath: (sha256) => blobs.localPath(sha256),
    fileCreated(rec) {
      jobs.enqueue(rec).catch((err: unknown) => {
        // the file stays PROCESSING; a worker's sweep of stranded files queues it again once the database is back
        logger.error(
          { err: { message: (err as Error).message }, file: rec.id },
          isEarshotError(err, 'JOBS_UNAVAILABLE') ? 'could not queue the analysis yet' : 'could not queue the analysis',
        );
      });
    },
    async settled(rec, timeoutMs) {
      if (rec.state !== 'PROCESSING' || timeoutMs <= 0) return rec;
      const until = Date.now() + timeoutMs;
      let current: FileRecord | undefined = rec;
      while (Date.now() < until) {
        current = await files.getAny(rec.project, rec.id).catch(() => current);
        if (!current || current.state !== 'PROCESSING') return current ?? rec;
        await sleep(Math.min(pollMs, Math.max(0, until - Date.now())));
      }
      return current ?? rec;
    },
    async resumePending() {
      // workers re-queue stranded files (JobWorker's sweep); an API node has nothing of its own to resume
    },
    async analysisStatus(rec) {
      const key = analyses.keyFor(rec.project, rec.sha256);
      const st: AnalysisStatus = await jobs.progress(key);
      return analysisStatusOf(rec, st, rec.state === 'ACTIVE' ? await analyses.get(key) : undefined);
    },
    async analysisOf(rec, hints) {
      const usable = usableHints(hints, queue.engines.hintCapabilities);
      const key = analyses.keyFor(rec.project, rec.sha256, hasHints(usable) ? usable : undefined);
      const a = await analyses.get(key);
      const expireTime = Date.now() + config.limits.inlineAnalysisTtlSec * 1000;
      if (a) {
        if (key.hints) await analyses.retain(key, expireTime);
        return a;
      }
      if (!key.hints) {
        await jobs.enqueue(rec);
        return waitForAnalysis(key);
      }
      // hinted: the base analysis first (the file's, normally there already), then a job for the hints alone
      await media.analysisOf(rec);
      await analyses.begin(key, expireTime);
      await deps.jobs.enqueue(
        {
          scope: key.scope,
          sha256: key.sha256,
          hints: key.hints,
          hinted: { hints: usable, durationSec: rec.probe?.durationSec ?? 0, expireTime },
        },
        neededCapability(config.engines.speech),
      );
      return waitForAnalysis(key);
    },
    inline: (data, declaredMime, project, hints) =>
      inline.analyse(project, data, declaredMime, usableHints(hints, queue.engines.hintCapabilities)),
    probeInline: (data, declaredMime, project) => inline.probe(project, data, declaredMime),
    sweepExpired: (now) => analyses.sweepExpired(now),
    async close() {
      if (!deps.queue) await queue.close();
    },
  };
  return media;
}
