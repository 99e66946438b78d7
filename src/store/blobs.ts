// Content-addressed blob storage on disk: bytes live once under blobs/<aa>/<sha256>, whatever number of
// files reference them. Writers stream into uploads/<id>.part and commit with an atomic rename, so a
// crash never leaves a half-written blob visible. The Blobs interface (blob-store.ts) over the data dir.

import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DIR_MODE, FILE_MODE } from './database.js';
import { pumpInto } from './pump.js';
import type { Blobs, ByteRange, ChunkLimits, UploadTarget } from './blob-store.js';

export class BlobStore implements Blobs {
  readonly kind = 'disk';
  readonly blobsDir: string;
  readonly partsDir: string;
  /** background fdatasync per part file (see syncSoon) */
  private readonly syncs = new Map<string, Promise<void>>();
  /** running SHA-256 per upload, valid for its first `bytes` bytes */
  private readonly hashes = new Map<string, { hash: Hash; bytes: number }>();

  constructor(dataDir: string) {
    this.blobsDir = path.join(dataDir, 'blobs');
    this.partsDir = path.join(dataDir, 'uploads');
  }

  async appendChunk(upload: UploadTarget, body: Readable, limits: ChunkLimits): Promise<{ written: number; blobState: string | null }> {
    const offset = upload.received;
    let state = this.hashes.get(upload.id);
    if (!state || state.bytes !== offset) {
      // another attempt (or a restart) left bytes past `offset`, or no hash is running: rebuild both
      this.hashes.delete(upload.id);
      await this.preparePart(upload.id, offset);
      state = { hash: await this.hashPart(upload.id, offset), bytes: offset };
    }
    let written: number;
    try {
      written = await pumpInto(body, { file: this.partPath(upload.id), start: offset, mode: FILE_MODE, hash: state.hash, ...limits });
    } catch (err) {
      this.hashes.delete(upload.id);
      await this.preparePart(upload.id, offset).catch(() => {});
      throw err;
    }
    state.bytes = offset + written;
    this.hashes.set(upload.id, state);
    // write the chunk back to disk while the next one arrives, so commit's fsync has only the tail left
    this.syncSoon(upload.id);
    return { written, blobState: null };
  }

  async digest(upload: UploadTarget): Promise<string> {
    let state = this.hashes.get(upload.id);
    if (!state || state.bytes !== upload.received) {
      await this.preparePart(upload.id, upload.received);
      state = { hash: await this.hashPart(upload.id, upload.received), bytes: upload.received };
    }
    this.hashes.delete(upload.id);
    await this.preparePart(upload.id, upload.received);
    return state.hash.digest('hex');
  }

  commitUpload(upload: UploadTarget, sha256: string): Promise<boolean> {
    return this.commitPart(upload.id, sha256);
  }

  async discardUpload(id: string): Promise<void> {
    this.hashes.delete(id);
    await this.removePart(id);
  }

  async recoverUpload(upload: UploadTarget): Promise<number> {
    const size = await stat(this.partPath(upload.id)).then(
      (s) => s.size,
      () => 0,
    );
    const received = Math.min(size, upload.received);
    await this.preparePart(upload.id, received);
    return received;
  }

  listUploads(): Promise<string[]> {
    return this.listParts();
  }

  async exists(sha256: string): Promise<boolean> {
    return stat(this.blobPath(sha256)).then(
      () => true,
      () => false,
    );
  }

  async openRead(sha256: string, range?: ByteRange): Promise<Readable> {
    const stream = createReadStream(this.blobPath(sha256), range ? { start: range.start, end: range.end } : {});
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
    return stream;
  }

  /** The blob's own file: the decoder reads it in place. */
  async localPath(sha256: string): Promise<string> {
    return this.blobPath(sha256);
  }

  async check(): Promise<void> {
    await stat(this.blobsDir);
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
    const exists = await stat(dest).then(
      () => true,
      () => false,
    );
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
