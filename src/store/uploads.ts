// Upload sessions: the resumable protocol's state (declared size, bytes received, status) in SQLite,
// the bytes streamed to a part file with the SHA-256 computed on the way, and the commit that turns a
// finished part into a visible file in one step. Survives restarts; a crash mid-chunk loses only that chunk.

import { randomBytes, type Hash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pumpInto } from './pump.js';
import type { Db } from './database.js';
import type { BlobStore } from './blobs.js';
import { FILE_ID_PATTERN, newFileId, type FileRecord, type FileStore } from './files.js';
import type { Limits } from '../config.js';
import { EarshotError, isEarshotError } from '../domain/errors.js';
import { isDiskFull, writing } from './disk-full.js';
import { FILE_MODE } from './database.js';

export type UploadStatus = 'active' | 'final' | 'cancelled';

export interface UploadSession {
  id: string;
  project: string;
  fileId: string;
  displayName: string | null;
  mimeType: string;
  declaredSize: number | null;
  received: number;
  status: UploadStatus;
  createTime: number;
  updateTime: number;
}

interface UploadRow {
  id: string;
  project: string;
  file_id: string;
  display_name: string | null;
  mime_type: string;
  declared_size: number | null;
  received: number;
  status: UploadStatus;
  create_time: number;
  update_time: number;
}

const fromRow = (r: UploadRow): UploadSession => ({
  id: r.id,
  project: r.project,
  fileId: r.file_id,
  displayName: r.display_name,
  mimeType: r.mime_type,
  declaredSize: r.declared_size,
  received: r.received,
  status: r.status,
  createTime: r.create_time,
  updateTime: r.update_time,
});

export interface NewUpload {
  /** requested id (without "files/"), or undefined to generate one */
  fileId?: string;
  displayName?: string | null;
  mimeType: string;
  declaredSize?: number | null;
}

export class UploadStore {
  private readonly stmts;
  /** running SHA-256 per active upload, valid for the first `bytes` bytes */
  private readonly hashes = new Map<string, { hash: Hash; bytes: number }>();
  private readonly busy = new Set<string>();
  /** sessions a full disk ended whose 'cancelled' status is not yet in the database */
  private readonly ended = new Map<string, UploadSession>();
  /** file ids promised to active uploads */
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly files: FileStore,
    private readonly limits: Limits,
  ) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO uploads (id, project, file_id, display_name, mime_type, declared_size, received, status, create_time, update_time)
         VALUES (@id, @project, @fileId, @displayName, @mimeType, @declaredSize, 0, 'active', @now, @now)`,
      ),
      get: db.prepare<[string], UploadRow>('SELECT * FROM uploads WHERE id = ?'),
      setReceived: db.prepare('UPDATE uploads SET received = @received, update_time = @now WHERE id = @id'),
      setStatus: db.prepare('UPDATE uploads SET status = @status, update_time = @now WHERE id = @id'),
      reserved: db.prepare<[string], { n: number | null }>(
        "SELECT sum(max(coalesce(declared_size, 0), received)) AS n FROM uploads WHERE project = ? AND status = 'active'",
      ),
      fileIdPending: db.prepare<[string, string], { n: number }>("SELECT count(*) AS n FROM uploads WHERE project = ? AND file_id = ? AND status = 'active'"),
      active: db.prepare<[], UploadRow>("SELECT * FROM uploads WHERE status = 'active'"),
      stale: db.prepare<[number], UploadRow>('SELECT * FROM uploads WHERE update_time < ?'),
      delete: db.prepare<[string]>('DELETE FROM uploads WHERE id = ?'),
    };
  }

  /** Open an upload session after checking the name, the declared size and the project's quota. */
  start(project: string, req: NewUpload): UploadSession {
    const { limits } = this;
    let fileId = req.fileId;
    if (fileId !== undefined) {
      if (!FILE_ID_PATTERN.test(fileId)) throw new EarshotError('STORE_FILE_ID_INVALID', { id: fileId });
      // names are per project: another project's files/x is invisible, and no obstacle
      if (this.files.idTaken(project, fileId) || this.stmts.fileIdPending.get(project, fileId)!.n > 0) throw new EarshotError('STORE_FILE_EXISTS', { id: fileId });
    } else {
      do fileId = newFileId();
      while (this.files.idTaken(project, fileId));
    }
    if (req.displayName && req.displayName.length > limits.maxDisplayNameChars) {
      throw new EarshotError('STORE_DISPLAY_NAME_TOO_LONG', { length: req.displayName.length, max: limits.maxDisplayNameChars });
    }
    const declared = req.declaredSize ?? null;
    if (declared !== null) this.checkSize(project, declared);
    const now = Date.now();
    const id = randomBytes(24).toString('base64url');
    writing(() => this.stmts.insert.run({ id, project, fileId, displayName: req.displayName ?? null, mimeType: req.mimeType, declaredSize: declared, now }));
    return this.get(id)!;
  }

  private checkSize(project: string, size: number, alreadyReserved = 0): void {
    const { limits } = this;
    if (size > limits.maxFileBytes) throw new EarshotError('STORE_FILE_TOO_LARGE', { size, max: limits.maxFileBytes });
    const used = this.files.usedBytes(project) + this.reservedBytes(project) - alreadyReserved;
    if (used + size > limits.maxProjectBytes) throw new EarshotError('STORE_QUOTA_EXCEEDED', { used, size, max: limits.maxProjectBytes });
  }

  get(id: string): UploadSession | undefined {
    const row = this.stmts.get.get(id);
    if (!row) return undefined;
    return this.ended.has(id) ? { ...fromRow(row), status: 'cancelled' } : fromRow(row);
  }

  /** Bytes promised to the project's active uploads (sessions ended by a full disk no longer count). */
  private reservedBytes(project: string): number {
    let n = this.stmts.reserved.get(project)!.n ?? 0;
    for (const s of this.ended.values()) if (s.project === project) n -= Math.max(s.declaredSize ?? 0, s.received);
    return n;
  }

  /** Write the cancellation of sessions a full disk ended, as far as the database now lets us. */
  private flushEnded(): void {
    for (const [id] of this.ended) {
      try {
        this.stmts.setStatus.run({ id, status: 'cancelled', now: Date.now() });
        this.ended.delete(id);
      } catch {
        return; // still full: next sweep
      }
    }
  }

  /**
   * Append the bytes of `body` at `offset`. The offset must equal the bytes received so far.
   * On any failure (too many bytes, client gone) the part file is cut back to `offset`: nothing half-written stays.
   */
  async writeChunk(session: UploadSession, offset: number, body: Readable): Promise<UploadSession> {
    return this.exclusive(session.id, (current) => this.append(current, offset, body));
  }

  /**
   * Run one step of an upload alone, on the session as the database has it now (not as it was when
   * the request came in): two requests racing on one upload must not both write, finalize or cancel.
   */
  private async exclusive<T>(id: string, fn: (session: UploadSession) => Promise<T>): Promise<T> {
    if (this.busy.has(id)) throw new EarshotError('UPLOAD_BUSY');
    this.busy.add(id);
    try {
      const session = this.get(id);
      if (!session || session.status !== 'active') {
        const status = session?.status ?? 'cancelled';
        const facts = { uploadStatus: status, uploadSizeReceived: session?.received ?? 0 };
        throw new EarshotError(status === 'final' ? 'UPLOAD_FINALIZED' : 'UPLOAD_CANCELLED', undefined, { facts });
      }
      return await fn(session);
    } finally {
      this.busy.delete(id);
    }
  }

  private async append(session: UploadSession, offset: number, body: Readable): Promise<UploadSession> {
    if (offset !== session.received) {
      throw new EarshotError('UPLOAD_OFFSET_MISMATCH', { offset, received: session.received }, { facts: { uploadStatus: 'active', uploadSizeReceived: session.received } });
    }
    let state = this.hashes.get(session.id);
    if (!state || state.bytes !== offset) {
      await this.blobs.preparePart(session.id, offset);
      state = { hash: await this.blobs.hashPart(session.id, offset), bytes: offset };
    }
    const max = Math.min(session.declaredSize ?? Infinity, this.limits.maxFileBytes) - offset;
    const tooMuch = () =>
      session.declaredSize !== null && session.declaredSize <= this.limits.maxFileBytes
        ? new EarshotError('UPLOAD_OVER_DECLARED_SIZE', { declared: session.declaredSize })
        : new EarshotError('STORE_FILE_TOO_LARGE', { max: this.limits.maxFileBytes });
    let written: number;
    try {
      written = await pumpInto(body, { file: this.blobs.partPath(session.id), start: offset, mode: FILE_MODE, hash: state.hash, max, tooMuch });
    } catch (err) {
      this.hashes.delete(session.id);
      if (isDiskFull(err)) throw await this.release(session, err);
      await this.blobs.preparePart(session.id, offset).catch(() => {});
      if (isEarshotError(err)) throw err;
      throw new EarshotError('UPLOAD_CHUNK_INCOMPLETE', { reason: (err as Error).message, offset });
    }
    const received = offset + written;
    try {
      this.stmts.setReceived.run({ id: session.id, received, now: Date.now() });
    } catch (err) {
      this.hashes.delete(session.id);
      if (isDiskFull(err)) throw await this.release(session, err);
      throw err;
    }
    state.bytes = received;
    this.hashes.set(session.id, state);
    // write the chunk back to disk while the next one arrives, so finalize's fsync has only the tail left
    this.blobs.syncSoon(session.id);
    return { ...session, received };
  }

  /** Turn a complete upload into a file: verify the size, commit the bytes, insert the record. */
  async finalize(session: UploadSession, ttlSec = this.limits.fileTtlSec): Promise<FileRecord> {
    return this.exclusive(session.id, (current) => this.finish(current, ttlSec));
  }

  private async finish(session: UploadSession, ttlSec: number): Promise<FileRecord> {
    if (session.declaredSize !== null && session.received !== session.declaredSize) {
      throw new EarshotError(
        'UPLOAD_SIZE_MISMATCH',
        { received: session.received, declared: session.declaredSize },
        { facts: { uploadStatus: 'active', uploadSizeReceived: session.received } },
      );
    }
    this.checkSize(session.project, session.received, Math.max(session.declaredSize ?? 0, session.received));
    let state = this.hashes.get(session.id);
    if (!state || state.bytes !== session.received) {
      await this.blobs.preparePart(session.id, session.received);
      state = { hash: await this.blobs.hashPart(session.id, session.received), bytes: session.received };
    }
    const sha256 = state.hash.digest('hex');
    this.hashes.delete(session.id);
    await this.blobs.preparePart(session.id, session.received);
    try {
      return await this.blobs.withLock(sha256, () => this.commit(session, sha256, ttlSec));
    } catch (err) {
      if (isDiskFull(err)) throw await this.release(session, err);
      throw err;
    }
  }

  /**
   * A full disk ends the session: its part file goes first (freeing the space), then the session is
   * marked cancelled so its quota reservation is released. The client is told storage is full (not that
   * it sent something wrong) and starts a new upload once space is freed.
   */
  private async release(session: UploadSession, cause: unknown): Promise<EarshotError> {
    this.hashes.delete(session.id);
    await this.blobs.removePart(session.id).catch(() => {});
    // ended at once in memory (the database may be full too); written down as soon as it has room
    this.ended.set(session.id, session);
    this.flushEnded();
    return new EarshotError('STORAGE_FULL', undefined, { cause, facts: { uploadStatus: 'cancelled', uploadSizeReceived: 0 } });
  }

  /** Move the bytes to their address and insert the record, under the content address's lock. */
  private async commit(session: UploadSession, sha256: string, ttlSec: number): Promise<FileRecord> {
    const created = await this.blobs.commitPart(session.id, sha256);
    const now = Date.now();
    const record = {
      id: session.fileId,
      project: session.project,
      displayName: session.displayName,
      mimeType: session.mimeType,
      sizeBytes: session.received,
      sha256,
      createTime: now,
      updateTime: now,
      expireTime: now + ttlSec * 1000,
      state: 'PROCESSING' as const,
    };
    try {
      writing(() =>
        this.db.transaction(() => {
          this.files.insert(record);
          this.stmts.setStatus.run({ id: session.id, status: 'final', now });
        })(),
      );
    } catch (err) {
      // nothing half-written is listed: bytes this commit put at the content address go with the record
      if (created && this.files.filesWithSha(sha256).length === 0) await this.blobs.removeBlob(sha256).catch(() => {});
      throw err;
    }
    return this.files.getAny(record.project, record.id)!;
  }

  async cancel(session: UploadSession): Promise<void> {
    await this.exclusive(session.id, async () => {
      this.hashes.delete(session.id);
      this.stmts.setStatus.run({ id: session.id, status: 'cancelled', now: Date.now() });
      await this.blobs.removePart(session.id);
    });
  }

  /**
   * After a restart: every active upload's part file is cut back to the bytes the database says were
   * received (a chunk interrupted by a crash is dropped whole), stale sessions and stray parts go.
   */
  async recover(now = Date.now()): Promise<void> {
    await this.sweepStale(now);
    const active = new Set<string>();
    for (const row of this.stmts.active.all()) {
      active.add(row.id);
      const size = await stat(this.blobs.partPath(row.id)).then((s) => s.size, () => 0);
      const received = Math.min(size, row.received);
      if (received !== row.received) this.stmts.setReceived.run({ id: row.id, received, now });
      await this.blobs.preparePart(row.id, received);
    }
    for (const part of await this.blobs.listParts()) if (!active.has(part)) await this.blobs.removePart(part);
  }

  /** Forget sessions untouched for uploadTtlSec (finished, cancelled or abandoned), with their part files. */
  async sweepStale(now = Date.now()): Promise<number> {
    this.flushEnded();
    let n = 0;
    for (const row of this.stmts.stale.all(now - this.limits.uploadTtlSec * 1000)) {
      if (this.busy.has(row.id)) continue;
      await this.blobs.removePart(row.id);
      this.stmts.delete.run(row.id);
      n++;
    }
    return n;
  }
}
