// Error-catalogue group: the durable job queue and the roles of a cluster (JOBS_*), thrown by src/analysis/jobs
// and the composition root. Reasons carry no paths or connection strings.

import { entry } from './catalogue-entry.js';

export const JOB_ERRORS = {
  JOBS_UNAVAILABLE: entry<{ reason: string }>(
    'UNAVAILABLE',
    (p) => `The analysis job queue cannot be reached (${p.reason}); nothing was lost. Retry shortly.`,
  ),
  /** the reason a file goes FAILED once its job has been tried retryLimit + 1 times (inside ANALYSIS_FAILED) */
  JOBS_DEAD_LETTER: entry<{ attempts: number; last: string }>(
    'INTERNAL',
    (p) => `it was tried ${p.attempts} times and failed each time (last: ${p.last})`,
  ),
  JOBS_LEASE_LOST: entry(
    'INTERNAL',
    () => 'the worker analysing this audio stopped (its database session ended); handed to another worker',
  ),
  JOBS_TIMED_OUT: entry<{ seconds: number }>('DEADLINE_EXCEEDED', (p) => `the analysis did not finish within ${p.seconds} s`),
  JOBS_ROLE_NEEDS_CLUSTER: entry<{ role: string }>(
    'FAILED_PRECONDITION',
    (p) =>
      `role "${p.role}" needs a shared database and object store: set --database-url (EARSHOT_DATABASE_URL) and --blob-store (EARSHOT_BLOB_STORE), or run --role all`,
  ),
} as const;
