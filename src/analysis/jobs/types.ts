// The one interface of the analysis job queue, whichever runs it: the embedded in-process queue of a single node
// (queue.ts, driven by the ingest service) or the durable pg-boss queue of a cluster (pg-boss.ts).

import type { FileRecord } from '../../store/files.js';
import type { AnalysisKey, AnalysisStatus } from '../../store/analyses.js';

export interface JobCounts {
  /** jobs waiting for a worker (queued or waiting to retry) */
  waiting: number;
  /** jobs being analysed */
  active: number;
  /** age of the oldest waiting job, seconds (0: none) */
  oldestWaitingSec: number;
  /** jobs dead-lettered (failed after every retry) still on record */
  failed: number;
}

export interface AnalysisJobs {
  readonly kind: 'embedded' | 'pg-boss';
  /** Process a stored file: sniff, probe, analyse its content (once per analysis key), settle its state. */
  enqueue(rec: FileRecord): Promise<void>;
  /** Where the analysis of `key` stands, as every node sees it. */
  progress(key: AnalysisKey): Promise<AnalysisStatus>;
  /** Stop the work for `key` (its audio went); nothing is written back. */
  cancel(key: AnalysisKey): Promise<void>;
  stats(): Promise<JobCounts>;
}
