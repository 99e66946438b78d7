// Upload sessions: the resumable protocol's state (declared size, bytes received, status, the blob store's
// state) in the database, the bytes appended by the blob store with the SHA-256 computed on the way, and the
// commit that turns a finished upload into a visible file in one step. Survives restarts, and any node sharing
// the database may continue a session (cluster-wide locks); a crash mid-chunk loses only that chunk.

import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Db, Sql } from './sql.js';
import type { Blobs, UploadTarget } from './blob-store.js';
import { FILE_ID_PATTERN, newFileId, type FileRecord, type FileStore } from './files.js';
import type { Limits } from '../config.js';
import { EarshotError, isEarshotError } from '../domain/errors.js';
import { isDiskFull } from './disk-full.js';

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
  /** the blob store's state for this upload (JSON) */
  blobState: string | null;
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
  blob_state: string | null;
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
  blobState: r.blob_state,
});

const target = (s: UploadSession): UploadTarget => ({ id: s.id, received: s.received, blobState: s.blobState });

export interface NewUpload {
  /** requested id (without "files/"), or undefined to generate one */
  fileId?: string;
  displayName?: string | null;
  mimeType: string;
  declaredSize?: number | null;
}

export class UploadStore {
  private readonly busy = new Set<string>();
  /** sessions a full disk ended whose 'cancelled' status is not yet in the database */
  private readonly ended = new Map<string, UploadSession>();

  constructor(
    private readonly db: Db,
    private readonly blobs: Blobs,
    private readonly files: FileStore,
    private readonly limits: Limits,
  ) {}

  /**
   * Open an upload session after checking the name, the declared size and the project's quota. The checks and
   * the insert hold the project's lock, so racing starts (on any node) cannot both take the last bytes or a name.
   */
  async start(project: string, req: NewUpload): Promise<UploadSession> {
    const { limits } = this;
    if (req.fileId !== undefined && !FILE_ID_PATTERN.test(req.fileId)) throw new EarshotError('STORE_FILE_ID_INVALID', { id: req.fileId });
    if (req.displayName && req.displayName.length > limits.maxDisplayNameChars) {
      throw new EarshotError('STORE_DISPLAY_NAME_TOO_LONG', { length: req.displayName.length, max: limits.maxDisplayNameChars });
    }
    const declared = req.declaredSize ?? null;
    if (declared !== null && declared > limits.maxFileBytes)
      throw new EarshotError('STORE_FILE_TOO_LARGE', { size: declared, max: limits.maxFileBytes });
    const id = randomBytes(24).toString('base64url');
    await this.db.tx(
      async (q) => {
        let fileId = req.fileId;
        if (fileId !== undefined) {
          // names are per project: another project's files/x is invisible, and no obstacle
          if ((await this.files.idTaken(project, fileId, q)) || (await this.namePending(q, project, fileId)))
            throw new EarshotError('STORE_FILE_EXISTS', { id: fileId });
        } else {
          do fileId = newFileId();
          while ((await this.files.idTaken(project, fileId, q)) || (await this.namePending(q, project, fileId)));
        }
        if (declared !== null) await this.checkSize(q, project, declared);
        const now = Date.now();
        await q.run(
          `INSERT INTO uploads (id, project, file_id, display_name, mime_type, declared_size, received, status, create_time, update_time)
           VALUES (?, ?, ?, ?, ?, ?, 0, 'active', ?, ?)`,
          [id, project, fileId, req.displayName ?? null, req.mimeType, declared, now, now],
        );
      },
      [`project:${project}`],
    );
    return (await this.get(id))!;
  }

  private async namePending(q: Sql, project: string, fileId: string): Promise<boolean> {
    return (
      (await q.get<{ n: number }>("SELECT count(*) AS n FROM uploads WHERE project = ? AND file_id = ? AND status = 'active'", [
        project,
        fileId,
      ]))!.n > 0
    );
  }

  /** Refuse `size` more bytes when the project's files and active reservations leave no room for them. */
  private async checkSize(q: Sql, project: string, size: number, alreadyReserved = 0): Promise<void> {
    const { limits } = this;
    if (size > limits.maxFileBytes) throw new EarshotError('STORE_FILE_TOO_LARGE', { size, max: limits.maxFileBytes });
    // one statement, so one snapshot: a file moving from reserved (upload) to used (files) is counted once
    const row = await q.get<{ used: number | null; reserved: number | null }>(
      `SELECT (SELECT sum(size_bytes) FROM files WHERE project = ? AND expire_time > ?) AS used,
              (SELECT sum(${this.db.greatest}(coalesce(declared_size, 0), received)) FROM uploads WHERE project = ? AND status = 'active') AS reserved`,
      [project, Date.now(), project],
    );
    let reserved = row?.reserved ?? 0;
    for (const s of this.ended.values()) if (s.project === project) reserved -= Math.max(s.declaredSize ?? 0, s.received);
    const used = (row?.used ?? 0) + reserved - alreadyReserved;
    if (used + size > limits.maxProjectBytes) throw new EarshotError('STORE_QUOTA_EXCEEDED', { used, size, max: limits.maxProjectBytes });
  }

  async get(id: string): Promise<UploadSession | undefined> {
    const row = await this.db.get<UploadRow>('SELECT * FROM uploads WHERE id = ?', [id]);
    if (!row) return undefined;
    return this.ended.has(id) ? { ...fromRow(row), status: 'cancelled' } : fromRow(row);
  }

  private setStatus(id: string, status: UploadStatus, q: Sql = this.db): Promise<number> {
    return q.run('UPDATE uploads SET status = ?, update_time = ? WHERE id = ?', [status, Date.now(), id]);
  }

  /** Write the cancellation of sessions a full disk ended, as far as the database now lets us. */
  private async flushEnded(): Promise<void> {
    for (const [id] of this.ended) {
      try {
        await this.setStatus(id, 'cancelled');
        this.ended.delete(id);
      } catch {
        return; // still full: next sweep
      }
    }
  }

  /**
   * Append the bytes of `body` at `offset`. The offset must equal the bytes received so far.
   * On any failure (too many bytes, client gone) nothing of the chunk counts: the next one starts at `offset`.
   */
  async writeChunk(session: UploadSession, offset: number, body: Readable): Promise<UploadSession> {
    return this.exclusive(session.id, (current) => this.append(current, offset, body));
  }

  /**
   * Run one step of an upload alone, on the session as the database has it now (not as it was when
   * the request came in): two requests racing on one upload, on this node or another, must not both
   * write, finalize or cancel.
   */
  private async exclusive<T>(id: string, fn: (session: UploadSession) => Promise<T>): Promise<T> {
    if (this.busy.has(id)) throw new EarshotError('UPLOAD_BUSY');
    this.busy.add(id);
    try {
      const out = await this.db.tryExclusive(`upload:${id}`, async () => {
        const session = await this.get(id);
        if (!session || session.status !== 'active') {
          const status = session?.status ?? 'cancelled';
          const facts = { uploadStatus: status, uploadSizeReceived: session?.received ?? 0 };
          throw new EarshotError(status === 'final' ? 'UPLOAD_FINALIZED' : 'UPLOAD_CANCELLED', undefined, { facts });
        }
        return fn(session);
      });
      if (!out.ran) throw new EarshotError('UPLOAD_BUSY');
      return out.value;
    } finally {
      this.busy.delete(id);
    }
  }

  private async append(session: UploadSession, offset: number, body: Readable): Promise<UploadSession> {
    if (offset !== session.received) {
      throw new EarshotError(
        'UPLOAD_OFFSET_MISMATCH',
        { offset, received: session.received },
        { facts: { uploadStatus: 'active', uploadSizeReceived: session.received } },
      );
    }
    const max = Math.min(session.declaredSize ?? Infinity, this.limits.maxFileBytes) - offset;
    const tooMuch = () =>
      session.declaredSize !== null && session.declaredSize <= this.limits.maxFileBytes
        ? new EarshotError('UPLOAD_OVER_DECLARED_SIZE', { declared: session.declaredSize })
        : new EarshotError('STORE_FILE_TOO_LARGE', { max: this.limits.maxFileBytes });
    let chunk: { written: number; blobState: string | null };
    try {
      chunk = await this.blobs.appendChunk(target(session), body, { max, tooMuch });
    } catch (err) {
      if (isDiskFull(err)) throw await this.release(session, err);
      if (isEarshotError(err)) throw err;
      throw new EarshotError('UPLOAD_CHUNK_INCOMPLETE', { reason: (err as Error).message, offset });
    }
    const received = offset + chunk.written;
    try {
      await this.db.run(
        "UPDATE uploads SET received = ?, blob_state = ?, update_time = ? WHERE id = ? AND received = ? AND status = 'active'",
        [received, chunk.blobState, Date.now(), session.id, offset],
      );
    } catch (err) {
      if (isDiskFull(err)) throw await this.release(session, err);
      throw err;
    }
    return { ...session, received, blobState: chunk.blobState };
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
    const reserved = Math.max(session.declaredSize ?? 0, session.received);
    await this.db.tx((q) => this.checkSize(q, session.project, session.received, reserved), [`project:${session.project}`]);
    try {
      const sha256 = await this.blobs.digest(target(session));
      return await this.files.lockBlob(sha256, () => this.commit(session, sha256, ttlSec));
    } catch (err) {
      if (isDiskFull(err)) throw await this.release(session, err);
      throw err;
    }
  }

  /**
   * A full disk ends the session: its bytes go first (freeing the space), then the session is
   * marked cancelled so its quota reservation is released. The client is told storage is full (not that
   * it sent something wrong) and starts a new upload once space is freed.
   */
  private async release(session: UploadSession, cause: unknown): Promise<EarshotError> {
    await this.blobs.discardUpload(session.id, session.blobState).catch(() => {});
    // ended at once in memory (the database may be full too); written down as soon as it has room
    this.ended.set(session.id, session);
    await this.flushEnded();
    return new EarshotError('STORAGE_FULL', undefined, { cause, facts: { uploadStatus: 'cancelled', uploadSizeReceived: 0 } });
  }

  /** Give the bytes their address and insert the record, under the content address's lock. */
  private async commit(session: UploadSession, sha256: string, ttlSec: number): Promise<FileRecord> {
    const created = await this.blobs.commitUpload(target(session), sha256);
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
      await this.db.tx(async (q) => {
        await this.files.insert(record, q);
        await this.setStatus(session.id, 'final', q);
      });
    } catch (err) {
      // nothing half-written is listed: bytes this commit put at the content address go with the record
      if (created && (await this.files.filesWithSha(sha256).catch(() => [1])).length === 0)
        await this.blobs.removeBlob(sha256).catch(() => {});
      throw err;
    }
    return (await this.files.getAny(record.project, record.id))!;
  }

  async cancel(session: UploadSession): Promise<void> {
    await this.exclusive(session.id, async (current) => {
      await this.setStatus(current.id, 'cancelled');
      await this.blobs.discardUpload(current.id, current.blobState);
    });
  }

  /**
   * After a restart: every active upload's bytes are cut back to what the database says was received (a
   * chunk interrupted by a crash is dropped whole); stale sessions and stray bytes go. On a shared database
   * only this node's blob store is looked at (S3: another node's upload in flight is left alone).
   */
  async recover(now = Date.now()): Promise<void> {
    await this.sweepStale(now);
    const active = new Set<string>();
    for (const row of await this.db.all<UploadRow>("SELECT * FROM uploads WHERE status = 'active'")) {
      active.add(row.id);
      if (this.db.dialect !== 'sqlite') continue; // other nodes may be writing to it right now
      const session = fromRow(row);
      const received = await this.blobs.recoverUpload(target(session));
      if (received !== row.received)
        await this.db.run('UPDATE uploads SET received = ?, update_time = ? WHERE id = ?', [received, now, row.id]);
    }
    if (this.db.dialect !== 'sqlite') return;
    for (const id of await this.blobs.listUploads()) if (!active.has(id)) await this.blobs.discardUpload(id, null);
  }

  /** Forget sessions untouched for uploadTtlSec (finished, cancelled or abandoned), with their bytes. */
  async sweepStale(now = Date.now()): Promise<number> {
    await this.flushEnded();
    let n = 0;
    const stale = await this.db.all<UploadRow>('SELECT * FROM uploads WHERE update_time < ?', [now - this.limits.uploadTtlSec * 1000]);
    for (const row of stale) {
      if (this.busy.has(row.id)) continue;
      const gone = await this.db.tryExclusive(`upload:${row.id}`, async () => {
        await this.blobs.discardUpload(row.id, row.blob_state);
        await this.db.run('DELETE FROM uploads WHERE id = ?', [row.id]);
      });
      if (gone.ran) n++;
    }
    return n;
  }
}
