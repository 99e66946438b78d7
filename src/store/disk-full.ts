// Recognises a full disk, whichever layer hit it (the file system's ENOSPC/EDQUOT, SQLite's SQLITE_FULL,
// PostgreSQL's disk_full 53100),
// and turns it into the catalogue's STORAGE_FULL so callers branch on a code, never on a message.

import { EarshotError, isEarshotError } from '../domain/errors.js';

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', '53100']);

/** True when `err` says the storage is full (raw or already translated). */
export function isDiskFull(err: unknown): boolean {
  if (isEarshotError(err, 'STORAGE_FULL')) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && FULL_CODES.has(code);
}

/** STORAGE_FULL for a full disk, the error itself otherwise. */
export function translateDiskFull(err: unknown): unknown {
  if (isEarshotError(err, 'STORAGE_FULL') || !isDiskFull(err)) return err;
  return new EarshotError('STORAGE_FULL', undefined, { cause: err });
}

/** Run a synchronous write (a SQLite statement); a full disk comes out as STORAGE_FULL. */
export function writing<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw translateDiskFull(err);
  }
}
