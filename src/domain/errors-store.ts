// Error-catalogue group: storage, upload sessions and analyses (STORAGE_*, STORE_*, UPLOAD_*, INGEST_*,
// ANALYSIS_*), thrown by src/store and src/analysis. Upload errors carry `facts` (uploadStatus,
// sizeReceived) that the API layer turns into X-Goog-Upload-* headers; no message holds a path.

import { entry } from './catalogue-entry.js';

export const STORE_ERRORS = {
  // A full disk is RESOURCE_EXHAUSTED: google.rpc.Code defines it as "some resource has been exhausted,
  // perhaps a per-user quota, or perhaps the entire file system is out of space" — the server's state, not
  // the request's fault, so never INVALID_ARGUMENT ("send it again" would invite endless retries).
  STORAGE_FULL: entry(
    'RESOURCE_EXHAUSTED',
    () => "The server's storage is full; nothing was stored. Retry later, once space has been freed.",
  ),
  STORE_FILE_ID_INVALID: entry<{ id: string }>(
    'INVALID_ARGUMENT',
    (p) =>
      `Invalid file name "${p.id}": the id must be 1-40 characters of lowercase letters, digits or dashes, and cannot start or end with a dash.`,
  ),
  STORE_FILE_EXISTS: entry<{ id: string }>('ALREADY_EXISTS', (p) => `File files/${p.id} already exists.`),
  STORE_DISPLAY_NAME_TOO_LONG: entry<{ length: number; max: number }>(
    'INVALID_ARGUMENT',
    (p) => `display_name is ${p.length} characters long; the limit is ${p.max}.`,
  ),
  STORE_FILE_TOO_LARGE: entry<{ size?: number; max: number }>('INVALID_ARGUMENT', (p) =>
    p.size === undefined
      ? `File size exceeds the limit of ${p.max} bytes per file.`
      : `File size ${p.size} bytes exceeds the limit of ${p.max} bytes per file.`,
  ),
  STORE_QUOTA_EXCEEDED: entry<{ used: number; size: number; max: number }>(
    'RESOURCE_EXHAUSTED',
    (p) =>
      `Storage quota exceeded: the project stores ${p.used} bytes, and ${p.size} more would pass its limit of ${p.max} bytes. Delete files or wait for them to expire.`,
  ),
  // Busy is transient, so UNAVAILABLE (503), the status clients retry: @google/genai and google-genai retry
  // 408/429/500/502/503/504 (not 409), googleapiclient every 5xx; and, carrying no X-Goog-Upload-Status, the
  // SDKs' own upload loops send the chunk again. A 400 told them to give up on a session that was fine.
  UPLOAD_BUSY: entry(
    'UNAVAILABLE',
    () => 'Another request is writing to this upload; retry once it has finished (query the upload for the offset to resume from).',
  ),
  UPLOAD_FINALIZED: entry('INVALID_ARGUMENT', () => 'This upload has already been finalized; no more bytes can be sent to it.'),
  UPLOAD_CANCELLED: entry('INVALID_ARGUMENT', () => 'This upload was cancelled; start a new one.'),
  UPLOAD_OFFSET_MISMATCH: entry<{ offset: number; received: number }>(
    'INVALID_ARGUMENT',
    (p) => `Invalid X-Goog-Upload-Offset ${p.offset}: the server has received ${p.received} bytes; continue from there.`,
  ),
  UPLOAD_OVER_DECLARED_SIZE: entry<{ declared: number }>(
    'INVALID_ARGUMENT',
    (p) => `The upload is larger than its declared size of ${p.declared} bytes (X-Goog-Upload-Header-Content-Length).`,
  ),
  UPLOAD_CHUNK_INCOMPLETE: entry<{ reason: string; offset: number }>(
    'INVALID_ARGUMENT',
    (p) => `The upload chunk was not received completely (${p.reason}); send it again from offset ${p.offset}.`,
  ),
  UPLOAD_SIZE_MISMATCH: entry<{ received: number; declared: number }>(
    'INVALID_ARGUMENT',
    (p) =>
      `Upload finalized with ${p.received} bytes but ${p.declared} were declared (X-Goog-Upload-Header-Content-Length); send the remaining bytes from offset ${p.received}.`,
  ),
  INGEST_UNREADABLE: entry('INVALID_ARGUMENT', () => 'the audio could not be read; re-export it or convert it to WAV or MP3'),
  ANALYSIS_CANCELLED: entry('CANCELLED', () => 'The analysis was cancelled: the audio was deleted or expired.'),
  ANALYSIS_FAILED: entry<{ reason: string }>('INTERNAL', (p) => `Analysis failed: ${p.reason}`),
  ANALYSIS_WORKER_STOPPED: entry<{ how: string }>('INTERNAL', (p) => `the analysis worker stopped (${p.how}) while analysing this audio`),
  ANALYSIS_ENGINES_FAILED: entry<{ reason: string }>('UNAVAILABLE', (p) => `engines failed to load: ${p.reason}`),
  // -- shared database (PostgreSQL) out of reach: the server's state, retryable, so UNAVAILABLE (503), not INTERNAL
  STORE_DATABASE_UNAVAILABLE: entry<{ reason: string }>(
    'UNAVAILABLE',
    (p) => `The metadata database cannot be reached (${p.reason}); nothing was changed. Retry in a few seconds.`,
  ),
} as const;
