// Messages between the server and its analysis worker process.
import type { AudioAnalysis } from '../domain/analysis.js';
import type { Config } from '../config.js';

/** The parts of Config the worker needs (Maps do not cross process boundaries). */
export type WorkerConfig = Omit<Config, 'apiKeys'>;

export type ToWorker =
  | { type: 'init'; config: WorkerConfig }
  | { type: 'job'; id: string; path: string; sha256: string; durationSec: number }
  | { type: 'cancel'; id: string };

export type FromWorker =
  | { type: 'ready'; engines: Record<string, string>; warnings: string[] }
  | { type: 'engines-failed'; message: string }
  | { type: 'progress'; id: string; stage: string; fraction: number }
  | { type: 'done'; id: string; analysis: AudioAnalysis; seconds: number }
  /** cancelled: the job stopped because the server asked it to (not a failure of the audio) */
  | { type: 'failed'; id: string; message: string; cancelled?: boolean }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string };
