// Content-addressed blob storage on disk: bytes live once under blobs/<aa>/<sha256>, whatever number of
// files reference them. Writers stream into uploads/<id>.part and commit with an atomic rename, so a
// crash never leaves a half-written blob visible.

import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import path from 'node:path';
import { DIR_MODE, FILE_MODE } from './database.js';

export class BlobStore {
  readonly blobsDir: string;
  readonly partsDir: string;
  /** tail of the queue of work per content address (see withLock) */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** background fdatasync per part file (see syncSoon) */
  private readonly syncs = new Map<string, Promise<void>>();

  constructor(dataDir: string) {
    this.blobsDir = path.join(dataDir, 'blobs');
    this.partsDir = path.join(dataDir, 'uploads');
  }

  /**
   * Run `fn` alone for this content address. Committing new bytes (exists? → insert the file record)
   * and removing the last file that uses them (delete record → unlink) must not interleave, or a new
   * file could end up pointing at bytes that were just unlinked.
   */
  async withLock<T>(sha256: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(sha256) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.locks.set(sha256, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(sha256) === tail) this.locks.delete(sha256);
    }
  }

  async init(): Promise<void> {
    // private to the server's user (0700 folders, 0600 files), like the database
    for (const dir of [this.blobsDir, this.partsDir]) {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
      await chmod(dir, DIR_MODE);
    }
  }

  blobPath(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.blobsDir, sha256.slice(0, 2), sha256);
  }

  partPath(uploadId: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(uploadId)) throw new Error(`bad upload id: ${uploadId}`);
    return path.join(this.partsDir, `${uploadId}.part`);
  }

  /** Make the part file exist and be exactly `size` bytes long (drops bytes of an interrupted chunk). */
  async preparePart(uploadId: string, size: number): Promise<void> {
    const fh = await open(this.partPath(uploadId), 'a', FILE_MODE);
    try {
      const st = await fh.stat();
      if (st.size !== size) await fh.truncate(size);
    } finally {
      await fh.close();
    }
  }

  /** SHA-256 of the first `length` bytes of a part file (to rebuild hashing state after a restart). */
  async hashPart(uploadId: string, length: number): Promise<Hash> {
    const hash = createHash('sha256');
    if (length === 0) return hash;
    for await (const chunk of createReadStream(this.partPath(uploadId), { start: 0, end: length - 1, highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
    }
    return hash;
  }

  /**
   * Start writing a part file's received bytes back to disk in the background (one fdatasync per chunk at
   * most; one still running is not doubled). The fsync before commit then only has the last chunk to flush,
   * instead of the whole file at the end.
   */
  syncSoon(uploadId: string): void {
    if (this.syncs.has(uploadId)) return;
    const run = (async () => {
      const fh = await open(this.partPath(uploadId), 'r');
      try {
        await fh.datasync();
      } finally {
        await fh.close();
      }
    })()
      .catch(() => {}) // best effort: commitPart syncs for real
      .finally(() => this.syncs.delete(uploadId));
    this.syncs.set(uploadId, run);
  }

  /** Move a finished part file to its content address. Returns false when the blob already existed (deduplicated). */
  async commitPart(uploadId: string, sha256: string): Promise<boolean> {
    await this.syncs.get(uploadId);
    const part = this.partPath(uploadId);
    const dest = this.blobPath(sha256);
    await mkdir(path.dirname(dest), { recursive: true, mode: DIR_MODE });
    const exists = await stat(dest).then(() => true, () => false);
    if (exists) {
      await unlink(part);
      return false;
    }
    const fh = await open(part, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(part, dest);
    return true;
  }

  async removePart(uploadId: string): Promise<void> {
    await rm(this.partPath(uploadId), { force: true });
  }

  async removeBlob(sha256: string): Promise<void> {
    await rm(this.blobPath(sha256), { force: true });
  }

  /** Every blob on disk (for the startup consistency check). */
  async listBlobs(): Promise<string[]> {
    const out: string[] = [];
    for (const d of await readdir(this.blobsDir).catch(() => [] as string[])) {
      for (const f of await readdir(path.join(this.blobsDir, d)).catch(() => [] as string[])) out.push(f);
    }
    return out;
  }

  async listParts(): Promise<string[]> {
    const names = await readdir(this.partsDir).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.part')).map((n) => n.slice(0, -5));
  }
}
