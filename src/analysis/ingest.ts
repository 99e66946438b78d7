// The ingest service: the one writer of an uploaded file's state (files.state). Takes a file through
// sniff → probe → analysis to ACTIVE, or FAILED with a reason a person can act on, and announces when it
// settles. A full disk never takes the server down: the step is retried until space is freed. Other kinds
// of file (text, …) are stored and become ACTIVE without analysis, as on Gemini.

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Blobs } from '../store/blob-store.js';
import type { FileRecord, FileStore } from '../store/files.js';
import type { AnalysisStore } from '../store/analyses.js';
import { isDiskFull } from '../store/disk-full.js';
import type { AudioProbe } from '../domain/analysis.js';
import { EarshotError, isEarshotError } from '../domain/errors.js';
import { isAudioMime } from '../audio/formats.js';
import { AudioError } from '../audio/errors.js';
import type { AnalysisQueue } from './queue.js';
import { classifyFile, probeChecked } from './audio-check.js';

type FileError = { code: number; message: string };

/** File names are per project: events and retries are keyed by both. */
const eventName = (rec: FileRecord) => `${rec.project}\n${rec.id}`;

export interface IngestDeps {
  config: Config;
  files: FileStore;
  blobs: Blobs;
  analyses: AnalysisStore;
  queue: AnalysisQueue;
  logger: Logger;
  /** ms before a step that met a full disk is tried again */
  retryMs?: number;
}

export class Ingest {
  private readonly settledEvents = new EventEmitter();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly deps: IngestDeps) {
    this.settledEvents.setMaxListeners(0);
  }

  /** Start processing a freshly uploaded file (returns at once; never rejects). */
  fileCreated(rec: FileRecord): void {
    void this.run(rec);
  }

  /** Re-run processing of files left PROCESSING by a restart. */
  async resumePending(): Promise<void> {
    for (const rec of await this.deps.files.processing()) this.fileCreated(rec);
  }

  /** Wait until the file leaves PROCESSING, at most `timeoutMs`; returns the current record. */
  settled(rec: FileRecord, timeoutMs: number): Promise<FileRecord> {
    const { files } = this.deps;
    if (rec.state !== 'PROCESSING' || timeoutMs <= 0) return Promise.resolve(rec);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.settledEvents.off(eventName(rec), done);
        files.getAny(rec.project, rec.id).then(
          (r) => resolve(r ?? rec),
          () => resolve(rec),
        );
      };
      const timer = setTimeout(done, timeoutMs);
      this.settledEvents.on(eventName(rec), done);
      // it may have settled between the caller's read and now
      void files.getAny(rec.project, rec.id).then(
        (r) => r?.state !== 'PROCESSING' && done(),
        () => {},
      );
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
  }

  /** process(), with every failure handled here: nothing escapes as an unhandled rejection. */
  private async run(rec: FileRecord): Promise<void> {
    try {
      await this.process(rec);
    } catch (err) {
      if (this.closed || isEarshotError(err, 'SHUTTING_DOWN')) return;
      if (isDiskFull(err)) return this.retryLater(rec);
      // deleted or expired meanwhile: its analysis was cancelled, and there is nothing left to settle
      if (isEarshotError(err, 'ANALYSIS_CANCELLED') && !(await this.deps.files.getAny(rec.project, rec.id).catch(() => rec))) return;
      this.deps.logger.error({ err, file: rec.id }, 'processing failed');
      const reason = isEarshotError(err) ? err.message : 'internal error';
      try {
        await this.settle(rec, 'FAILED', { code: 500, message: new EarshotError('ANALYSIS_FAILED', { reason }).message });
      } catch (again) {
        if (isDiskFull(again)) this.retryLater(rec);
        else this.deps.logger.error({ err: again, file: rec.id }, 'could not record the failure');
      }
    }
  }

  private retryLater(rec: FileRecord): void {
    const id = eventName(rec);
    if (this.closed || this.retries.has(id)) return;
    this.deps.logger.warn({ file: rec.id }, 'storage is full; processing will be retried');
    const timer = setTimeout(async () => {
      this.retries.delete(id);
      const current = await this.deps.files.getAny(rec.project, rec.id).catch(() => rec);
      if (current?.state === 'PROCESSING') void this.run(current);
    }, this.deps.retryMs ?? 5000);
    timer.unref();
    this.retries.set(id, timer);
  }

  private async process(rec: FileRecord): Promise<void> {
    const { config, files, blobs, analyses, queue } = this.deps;
    const file = await blobs.localPath(rec.sha256);
    if (rec.sizeBytes === 0) {
      if (isAudioMime(rec.mimeType))
        return this.settle(rec, 'FAILED', { code: 400, message: new AudioError('AUDIO_EMPTY', { case: 'file' }).message });
      return this.settle(rec, 'ACTIVE');
    }
    const kind = await classifyFile(file, rec.mimeType);
    if (kind === 'other') return this.settle(rec, 'ACTIVE');
    let probe: AudioProbe;
    try {
      probe =
        rec.probe ??
        (await probeChecked(file, rec.mimeType, { maxDurationSec: config.limits.maxPromptAudioSec, subject: 'file', known: kind }));
    } catch (err) {
      if (!isEarshotError(err)) this.deps.logger.warn({ err, file: rec.id }, 'probe failed');
      const message = isEarshotError(err) ? err.message : new EarshotError('INGEST_UNREADABLE').message;
      return this.settle(rec, 'FAILED', { code: 400, message });
    }
    if (this.closed) return;
    // deleted while being probed: start nothing (an analysis begun now would outlive its audio)
    if (!(await files.getAny(rec.project, rec.id))) return;
    if (!rec.probe) await files.setProbe(rec.project, rec.id, probe);
    try {
      await queue.analyze(analyses.keyFor(rec.project, rec.sha256), file, probe.durationSec);
    } catch (err) {
      if (isEarshotError(err, 'SHUTTING_DOWN', 'ANALYSIS_CANCELLED', 'STORAGE_FULL')) throw err;
      return this.settle(rec, 'FAILED', {
        code: 500,
        message: new EarshotError('ANALYSIS_FAILED', { reason: (err as Error).message }).message,
      });
    }
    await this.settle(rec, 'ACTIVE');
  }

  /** The only write of files.state. Skipped when shutting down or the file is gone; announces the change. */
  private async settle(rec: FileRecord, state: FileRecord['state'], error: FileError | null = null): Promise<void> {
    if (this.closed || !(await this.deps.files.getAny(rec.project, rec.id))) return;
    await this.deps.files.setState(rec.project, rec.id, state, error);
    this.settledEvents.emit(eventName(rec));
  }
}
