// Messages between the server and its analysis worker process.
import type { AudioAnalysis } from '../domain/analysis.js';
import type { HintCapabilities, TranscriptionHints } from '../domain/hints.js';
import type { Config } from '../config.js';

/** The parts of Config the worker needs (Maps do not cross process boundaries). */
export type WorkerConfig = Omit<Config, 'apiKeys'>;

export type ToWorker =
  | { type: 'init'; config: WorkerConfig }
  /** `hints` and `base`: a hinted analysis, re-running only the speech of the base analysis (hinted.ts) */
  | { type: 'job'; id: string; path: string; sha256: string; durationSec: number; hints?: TranscriptionHints; base?: AudioAnalysis }
  | { type: 'cancel'; id: string };

export type FromWorker =
  | { type: 'ready'; engines: Record<string, string>; warnings: string[]; hintCapabilities: HintCapabilities }
  | { type: 'engines-failed'; message: string }
  | { type: 'progress'; id: string; stage: string; fraction: number }
  | { type: 'done'; id: string; analysis: AudioAnalysis; seconds: number }
  /** cancelled: the job stopped because the server asked it to (not a failure of the audio) */
  | { type: 'failed'; id: string; message: string; cancelled?: boolean }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string };
