// Inline audio (inlineData in a prompt): probed and analysed on demand. Concurrent requests with the same
// bytes share one in-flight probe and one analysis; every temp file has a unique name (never shared between
// requests), is private (0600) and is removed when its step ends. Results live limits.inlineAnalysisTtlSec
// (1 h by default) after their last use, then the analysis store sweeps them. Bytes with transcription hints get the
// hinted analysis (its base analysis first, from the same temp file), kept as long.

import { randomBytes, createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config.js';
import type { AnalysisStore } from '../store/analyses.js';
import { DIR_MODE, FILE_MODE } from '../store/database.js';
import { translateDiskFull } from '../store/disk-full.js';
import { keyString } from '../store/analyses.js';
import type { AudioAnalysis, AudioProbe } from '../domain/analysis.js';
import type { TranscriptionHints } from '../domain/hints.js';
import { AudioError } from '../audio/errors.js';
import type { AnalysisQueue } from './queue.js';
import { probeChecked } from './audio-check.js';

export interface InlineResult {
  sha256: string;
  probe: AudioProbe;
  analysis: AudioAnalysis;
}

export class InlineAudio {
  private readonly dir: string;
  /** probes by analysis scope and content: a cached probe answers faster, so it must not cross projects */
  private readonly probes = new LRUCache<string, AudioProbe>({ max: 1000 });
  private readonly probing = new Map<string, Promise<AudioProbe>>();
  private readonly analysing = new Map<string, Promise<AudioAnalysis>>();

  constructor(
    private readonly config: Config,
    private readonly analyses: AnalysisStore,
    private readonly queue: Pick<AnalysisQueue, 'analyze'>,
  ) {
    this.dir = path.join(config.dataDir, 'inline');
  }

  /** Probe a project's inline bytes (for countTokens). Throws AudioError for bytes that are not usable audio. */
  async probe(project: string, data: Buffer, declaredMime: string): Promise<{ sha256: string; probe: AudioProbe }> {
    if (data.length === 0) throw new AudioError('AUDIO_EMPTY', { case: 'data' });
    const sha256 = createHash('sha256').update(data).digest('hex');
    const id = keyString(this.analyses.keyFor(project, sha256));
    const known = this.probes.get(id);
    if (known) return { sha256, probe: known };
    const flight = `${id}\n${declaredMime}`;
    let p = this.probing.get(flight);
    if (!p) {
      p = this.withTempFile(sha256, 'probe', data, (file) =>
        probeChecked(file, declaredMime, { maxDurationSec: this.config.limits.maxPromptAudioSec, subject: 'data' }),
      ).finally(() => this.probing.delete(flight));
      this.probing.set(flight, p);
    }
    const probe = await p;
    this.probes.set(id, probe);
    return { sha256, probe };
  }

  /**
   * Probe and analyse inline bytes for a project (one analysis per content, scope and hints at a time); `hints`
   * should already be what the engine can use (usableHints), so hints it cannot use never start a job.
   */
  async analyse(project: string, data: Buffer, declaredMime: string, hints?: TranscriptionHints): Promise<InlineResult> {
    const { sha256, probe } = await this.probe(project, data, declaredMime);
    const key = this.analyses.keyFor(project, sha256, hints);
    const expireTime = Date.now() + this.config.limits.inlineAnalysisTtlSec * 1000;
    const cached = await this.analyses.get(key);
    if (cached) {
      await this.analyses.retain(key, expireTime);
      return { sha256, probe, analysis: cached };
    }
    const id = keyString(key);
    let p = this.analysing.get(id);
    if (!p) {
      // the bytes stay on this machine, in a file of this run alone, deleted once analysed
      p = this.withTempFile(sha256, 'audio', data, (file) =>
        this.queue.analyze(key, file, probe.durationSec, expireTime, key.hints && hints ? { hints } : {}),
      ).finally(() => this.analysing.delete(id));
      this.analysing.set(id, p);
    } else {
      await this.analyses.retain(key, expireTime);
    }
    return { sha256, probe, analysis: await p };
  }

  private async withTempFile<T>(sha256: string, kind: string, data: Buffer, fn: (file: string) => Promise<T>): Promise<T> {
    const file = path.join(this.dir, `${sha256}.${randomBytes(8).toString('hex')}.${kind}`);
    try {
      await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
      await writeFile(file, data, { mode: FILE_MODE, flag: 'wx' });
    } catch (err) {
      await rm(file, { force: true });
      throw translateDiskFull(err);
    }
    try {
      return await fn(file);
    } finally {
      await rm(file, { force: true });
    }
  }
}
