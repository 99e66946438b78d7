// The one interface of content-addressed byte storage, with two backends: the data dir (blobs.ts, the default)
// and S3-compatible object storage (s3-blobs.ts). Uploads are appended chunk by chunk under an upload id,
// hashed, then committed to their content address; readers get a stream, a byte range or a local path.

import type { Readable } from 'node:stream';

/** An upload's place in the blob store: the bytes received so far and the backend's state for it (JSON). */
export interface UploadTarget {
  id: string;
  received: number;
  /** what the backend returned after the last chunk (kept in the database so any node may continue) */
  blobState: string | null;
}

export interface ChunkLimits {
  /** most bytes accepted; one more is refused with tooMuch() */
  max: number;
  tooMuch: () => Error;
}

/** Inclusive byte range, as in HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface Blobs {
  readonly kind: 'disk' | 's3';
  init(): Promise<void>;
  /**
   * Append `body` after the upload's `received` bytes. Resolves with the bytes written and the new blob state;
   * on failure nothing of this chunk counts (the next attempt starts again at `received`).
   */
  appendChunk(upload: UploadTarget, body: Readable, limits: ChunkLimits): Promise<{ written: number; blobState: string | null }>;
  /** SHA-256 (hex) of the upload's `received` bytes. */
  digest(upload: UploadTarget): Promise<string>;
  /**
   * Give the upload's bytes their content address; false when that address already held them (deduplicated).
   * Run under the database's lock on the address (FileStore.lockBlob).
   */
  commitUpload(upload: UploadTarget, sha256: string): Promise<boolean>;
  /** Drop an unfinished upload's bytes. */
  discardUpload(id: string, blobState: string | null): Promise<void>;
  /** After a restart: the bytes of this upload really held (at most `received`); cuts off any torn chunk. */
  recoverUpload(upload: UploadTarget): Promise<number>;
  /** Upload ids with bytes stored (to remove strays no session owns). */
  listUploads(): Promise<string[]>;
  exists(sha256: string): Promise<boolean>;
  removeBlob(sha256: string): Promise<void>;
  /** Every content address stored (for the orphan check). */
  listBlobs(): Promise<string[]>;
  /** The bytes, whole or a range. */
  openRead(sha256: string, range?: ByteRange): Promise<Readable>;
  /** A local file with the bytes, for tools that need a path (ffmpeg); see each backend for its lifetime. */
  localPath(sha256: string): Promise<string>;
  /** Remove local copies (made by localPath) unused for `maxAgeMs`; the disk backend has none. */
  pruneLocal?(maxAgeMs: number): Promise<number>;
  /** Throws when the storage cannot be reached (for /readyz). */
  check(): Promise<void>;
}
