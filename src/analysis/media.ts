// Media: the one face the API sees for what happens to audio after it arrives. It only wires the owners
// together: the ingest service (a file's state), the analysis store (results, retention, deletion, in
// src/store/analyses.ts), the queue (running analyses) and inline audio (prompt bytes). A request's transcription
// hints are cut to what the engines can use (src/domain/hints.ts) before they key an analysis: hints the engine
// cannot use are answered from the base analysis, never by running the recogniser again.

import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Blobs } from '../store/blob-store.js';
import type { FileRecord, FileStore } from '../store/files.js';
import type { AnalysisStore } from '../store/analyses.js';
import type { AudioAnalysis, AudioProbe } from '../domain/analysis.js';
import { hasHints, usableHints, type TranscriptionHints } from '../domain/hints.js';
import { AnalysisQueue, type QueueObserver } from './queue.js';
import { Ingest } from './ingest.js';
import { InlineAudio, type InlineResult } from './inline.js';
import type { AnalysisJobs } from './jobs/types.js';

export interface FileAnalysisStatus {
  name: string;
  state: FileRecord['state'];
  error?: { code: number; message: string };
  probe?: AudioProbe;
  progress: { stage: string; fraction: number };
  analysis?: AudioAnalysis;
}

/** What files/{id}:analysis shows: the state, the progress (done once ACTIVE) and the analysis when there is one. */
export function analysisStatusOf(
  rec: FileRecord,
  progress: { stage: string; fraction: number },
  analysis?: AudioAnalysis,
): FileAnalysisStatus {
  const active = rec.state === 'ACTIVE';
  const out: FileAnalysisStatus = {
    name: `files/${rec.id}`,
    state: rec.state,
    progress: { stage: active ? 'done' : progress.stage, fraction: active ? 1 : progress.fraction },
  };
  if (rec.error) out.error = rec.error;
  if (rec.probe) out.probe = rec.probe;
  if (analysis) out.analysis = analysis;
  return out;
}

export interface Media {
  /** the local analysis processes (on an API node: never started) */
  readonly queue: AnalysisQueue;
  /** the job queue: embedded (in-process) or durable (pg-boss on PostgreSQL) */
  readonly jobs: AnalysisJobs;
  /** a local file with the bytes of this content (the blob's own on disk; a cached copy from S3) */
  blobPath(sha256: string): Promise<string>;
  /** Start processing a freshly uploaded file (returns at once). */
  fileCreated(rec: FileRecord): void;
  analysisStatus(rec: FileRecord): Promise<FileAnalysisStatus>;
  /** Wait until the file leaves PROCESSING, at most `timeoutMs`; returns the current record. */
  settled(rec: FileRecord, timeoutMs: number): Promise<FileRecord>;
  /**
   * The stored analysis of an ACTIVE audio file; with hints, its hinted analysis (computed on demand once, kept
   * limits.inlineAnalysisTtlSec after its last use and removed with the file).
   */
  analysisOf(rec: FileRecord, hints?: TranscriptionHints): Promise<AudioAnalysis>;
  /** Probe and analyse a project's inline audio bytes (with hints: their hinted analysis). Throws AudioError for unusable bytes. */
  inline(data: Buffer, declaredMime: string, project: string, hints?: TranscriptionHints): Promise<InlineResult>;
  /** Probe a project's inline bytes only (for countTokens). */
  probeInline(data: Buffer, declaredMime: string, project: string): Promise<{ sha256: string; probe: AudioProbe }>;
  /** Re-run processing of files left PROCESSING by a restart. */
  resumePending(): Promise<void>;
  /** Delete inline analyses past their lifetime; returns how many went. */
  sweepExpired(now?: number): Promise<number>;
  close(): Promise<void>;
}

export interface MediaDeps {
  config: Config;
  files: FileStore;
  blobs: Blobs;
  analyses: AnalysisStore;
  logger: Logger;
  observer?: QueueObserver;
  /** ms before processing that met a full disk is tried again */
  retryMs?: number;
}

export function createMedia(deps: MediaDeps): Media {
  const { config, files, blobs, analyses, logger } = deps;
  const queue = new AnalysisQueue(config, analyses, logger, deps.observer);
  const ingest = new Ingest({
    config,
    files,
    blobs,
    analyses,
    queue,
    logger,
    ...(deps.retryMs === undefined ? {} : { retryMs: deps.retryMs }),
  });
  const inline = new InlineAudio(config, analyses, queue);

  const jobs: AnalysisJobs = {
    kind: 'embedded',
    enqueue: async (rec) => ingest.fileCreated(rec),
    progress: (key) => queue.status(key),
    cancel: async (key) => queue.cancel(key),
    stats: async () => ({ ...queue.counts(), failed: 0 }),
  };

  return {
    queue,
    jobs,
    blobPath: (sha256) => blobs.localPath(sha256),
    fileCreated: (rec) => ingest.fileCreated(rec),
    settled: (rec, timeoutMs) => ingest.settled(rec, timeoutMs),
    resumePending: () => ingest.resumePending(),

    async analysisStatus(rec) {
      const key = analyses.keyFor(rec.project, rec.sha256);
      const st = await queue.status(key);
      return analysisStatusOf(rec, st, rec.state === 'ACTIVE' ? await queue.get(key) : undefined);
    },

    async analysisOf(rec, hints) {
      const usable = usableHints(hints, queue.engines.hintCapabilities);
      if (hasHints(usable)) {
        const key = analyses.keyFor(rec.project, rec.sha256, usable);
        const expireTime = Date.now() + config.limits.inlineAnalysisTtlSec * 1000;
        const file = await blobs.localPath(rec.sha256);
        return queue.analyze(key, file, rec.probe?.durationSec ?? 0, expireTime, { hints: usable, baseExpireTime: null });
      }
      const key = analyses.keyFor(rec.project, rec.sha256);
      return (await queue.get(key)) ?? queue.analyze(key, await blobs.localPath(rec.sha256), rec.probe?.durationSec ?? 0);
    },

    inline: (data, declaredMime, project, hints) =>
      inline.analyse(project, data, declaredMime, usableHints(hints, queue.engines.hintCapabilities)),
    probeInline: (data, declaredMime, project) => inline.probe(project, data, declaredMime),
    sweepExpired: (now) => analyses.sweepExpired(now),

    async close() {
      ingest.close();
      await queue.close();
    },
  };
}
