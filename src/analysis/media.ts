// Media: what happens to audio after it arrives. An uploaded file is sniffed and probed (PROCESSING),
// then analysed once by the queue (ACTIVE), or marked FAILED with a reason a person can act on.
// Inline audio takes the same path on demand, cached by its SHA-256. Other kinds of file (text, …)
// are stored and become ACTIVE without analysis, as on Gemini.

import { EventEmitter } from 'node:events';

import { mkdir, rm, writeFile } from 'node:fs/promises';

import { createHash } from 'node:crypto';

import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../store/database.js';
import type { BlobStore } from '../store/blobs.js';
import type { FileRecord, FileStore } from '../store/files.js';
import type { AudioAnalysis, AudioProbe } from '../domain/analysis.js';
import { AnalysisQueue, type QueueObserver } from './queue.js';

import { isAudioMime, sniffContent, type SniffResult } from '../audio/formats.js';

import { probeAudio, readHead } from '../audio/probe.js';

import { AudioError } from '../audio/errors.js';
import { formatDuration } from '../domain/audio.js';

export interface FileAnalysisStatus {
  name: string;
  state: FileRecord['state'];
  error?: { code: number; message: string };
  probe?: AudioProbe;
  progress: { stage: string; fraction: number };
  analysis?: AudioAnalysis;
}

export interface InlineAudio {
  sha256: string;
  probe: AudioProbe;
  analysis: AudioAnalysis;
}

export interface Media {
  readonly queue: AnalysisQueue;
  /** where the bytes of this content live */
  blobPath(sha256: string): string;
  /** Start processing a freshly uploaded file (returns at once). */
  fileCreated(rec: FileRecord): void;
  analysisStatus(rec: FileRecord): FileAnalysisStatus;
  /** Wait until the file leaves PROCESSING, at most `timeoutMs`; returns the current record. */
  settled(rec: FileRecord, timeoutMs: number): Promise<FileRecord>;
  /** The stored analysis of an ACTIVE audio file. */
  analysisOf(rec: FileRecord): Promise<AudioAnalysis>;
  /** Probe and analyse inline audio bytes (cached by hash). Throws AudioError for unusable bytes. */
  inline(data: Buffer, declaredMime: string): Promise<InlineAudio>;
  /** Probe inline bytes only (for countTokens). */
  probeInline(data: Buffer, declaredMime: string): Promise<{ sha256: string; probe: AudioProbe }>;
  /** Re-run processing of files left PROCESSING by a restart. */
  resumePending(): void;
  close(): Promise<void>;
}

export interface MediaDeps {
  config: Config;
  files: FileStore;
  blobs: BlobStore;
  db: Db;
  logger: Logger;
  observer?: QueueObserver;
}

/** Whether content should be treated as audio: the bytes decide; the declared type only breaks ties. */
export function classify(sniff: SniffResult, declaredMime: string): 'audio' | 'other' | { notAudio: string } {
  if (sniff.kind === 'audio') return 'audio';
  if (isAudioMime(declaredMime)) return sniff.kind === 'not-audio' ? { notAudio: sniff.what } : 'audio';
  return 'other';
}

export function createMedia(deps: MediaDeps): Media {
  const { config, files, blobs, logger } = deps;
  const queue = new AnalysisQueue(config, deps.db, logger, deps.observer);
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const inlineDir = path.join(config.dataDir, 'inline');
  const probes = new Map<string, AudioProbe>();

  let closed = false;
  const setState = (id: string, state: FileRecord['state'], error: { code: number; message: string } | null = null) => {
    if (closed || !files.getAny(id)) return; // shutting down, or deleted meanwhile
    files.setState(id, state, error);
    events.emit(id);
  };

  /** Probe content already classified (or classify it now); refuses what is not audio. */
  async function probeChecked(file: string, declaredMime: string, known?: ReturnType<typeof classify>): Promise<AudioProbe> {
    const kind = known ?? classify(sniffContent(await readHead(file)), declaredMime);
    if (typeof kind === 'object') throw new AudioError('not-audio', `The file is declared as ${declaredMime}, but its content is ${kind.notAudio}, not audio.`);
    if (kind === 'other') throw new AudioError('not-audio', `The content (${declaredMime}) is not audio.`);
    const probe = await probeAudio(file, { maxDurationSec: config.limits.maxPromptAudioSec });
    if (!(probe.durationSec > 0)) throw new AudioError('empty', 'The audio is empty: it holds no samples.');
    const { durationSec, channels, sampleRate, codec, bitRate, format } = probe;
    return { durationSec, channels, sampleRate, codec, bitRate, format };
  }

  async function process(rec: FileRecord): Promise<void> {
    const file = blobs.blobPath(rec.sha256);
    if (rec.sizeBytes === 0) {
      if (isAudioMime(rec.mimeType)) return setState(rec.id, 'FAILED', { code: 400, message: 'The file is empty (0 bytes).' });
      return setState(rec.id, 'ACTIVE');
    }
    const kind = classify(sniffContent(await readHead(file)), rec.mimeType);
    if (kind === 'other') return setState(rec.id, 'ACTIVE');
    let probe: AudioProbe;
    try {
      probe = rec.probe ?? (await probeChecked(file, rec.mimeType, kind));
    } catch (err) {
      const message = err instanceof AudioError ? err.message : `The audio could not be read: ${(err as Error).message}`;
      return setState(rec.id, 'FAILED', { code: 400, message });
    }
    if (closed) return;
    if (!rec.probe) files.setProbe(rec.id, probe);
    try {
      await queue.analyze(rec.sha256, file, probe.durationSec);
      setState(rec.id, 'ACTIVE');
    } catch (err) {
      if ((err as Error).message === 'the server is shutting down') return;
      setState(rec.id, 'FAILED', { code: 500, message: `Analysis failed: ${(err as Error).message}` });
    }
  }

  return {
    queue,
    blobPath: (sha256) => blobs.blobPath(sha256),
    fileCreated(rec) {
      process(rec).catch((err) => {
        if (closed) return;
        logger.error({ err, file: rec.id }, 'processing failed');
        setState(rec.id, 'FAILED', { code: 500, message: `Processing failed: ${(err as Error).message}` });
      });
    },

    analysisStatus(rec) {
      const st = queue.status(rec.sha256);
      const out: FileAnalysisStatus = {
        name: `files/${rec.id}`,
        state: rec.state,
        progress: { stage: rec.state === 'ACTIVE' ? 'done' : st.stage, fraction: rec.state === 'ACTIVE' ? 1 : st.fraction },
      };
      if (rec.error) out.error = rec.error;
      if (rec.probe) out.probe = rec.probe;
      const analysis = rec.state === 'ACTIVE' ? queue.get(rec.sha256) : undefined;
      if (analysis) out.analysis = analysis;
      return out;
    },

    settled(rec, timeoutMs) {
      if (rec.state !== 'PROCESSING' || timeoutMs <= 0) return Promise.resolve(rec);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          events.off(rec.id, done);
          resolve(files.getAny(rec.id) ?? rec);
        };
        const timer = setTimeout(done, timeoutMs);
        events.on(rec.id, done);
        // it may have settled between the caller's read and now
        if (files.getAny(rec.id)?.state !== 'PROCESSING') done();
      });
    },

    async analysisOf(rec) {
      const hit = queue.get(rec.sha256);
      if (hit) return hit;
      return queue.analyze(rec.sha256, blobs.blobPath(rec.sha256), rec.probe?.durationSec ?? 0);
    },

    async probeInline(data, declaredMime) {
      const sha256 = createHash('sha256').update(data).digest('hex');
      const known = probes.get(sha256);
      if (known) return { sha256, probe: known };
      if (data.length === 0) throw new AudioError('empty', 'The inline audio is empty (0 bytes).');
      await mkdir(inlineDir, { recursive: true });
      const file = path.join(inlineDir, `${sha256}.probe`);
      await writeFile(file, data);
      try {
        const probe = await probeChecked(file, declaredMime);
        probes.set(sha256, probe);
        if (probes.size > 1000) probes.delete(probes.keys().next().value!);
        return { sha256, probe };
      } finally {
        await rm(file, { force: true });
      }
    },

    async inline(data, declaredMime) {
      const { sha256, probe } = await this.probeInline(data, declaredMime);
      const cached = queue.get(sha256);
      if (cached) return { sha256, probe, analysis: cached };
      // stays on this machine, deleted once analysed
      const file = path.join(inlineDir, `${sha256}.audio`);
      await writeFile(file, data);
      try {
        return { sha256, probe, analysis: await queue.analyze(sha256, file, probe.durationSec) };
      } finally {
        await rm(file, { force: true });
      }
    },

    resumePending() {
      for (const rec of files.processing()) process(rec).catch((err) => logger.error({ err, file: rec.id }, 'resumed processing failed'));
    },

    async close() {
      closed = true;
      await queue.close();
    },
  };
}

export { formatDuration };
