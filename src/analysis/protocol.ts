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
  | { type: 'progress'; id: string; stage: string; fraction: number }
  | { type: 'done'; id: string; analysis: AudioAnalysis; seconds: number }
  | { type: 'failed'; id: string; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string };
