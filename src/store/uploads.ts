// Upload sessions: the resumable protocol's state (declared size, bytes received, status) in SQLite,
// the bytes streamed to a part file with the SHA-256 computed on the way, and the commit that turns a
// finished part into a visible file in one step. Survives restarts; a crash mid-chunk loses only that chunk.

import { randomBytes, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { finished, Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from './database.js';
import type { BlobStore } from './blobs.js';
import { FILE_ID_PATTERN, newFileId, type FileRecord, type FileStore } from './files.js';
import type { Limits } from '../config.js';
import { ApiError, invalidArgument, resourceExhausted } from '../api/errors.js';

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

/** Counts bytes and hashes them as they pass, refusing to pass more than `max`. */
class HashingCounter extends Transform {
  count = 0;
  constructor(
    private readonly hash: Hash | null,
    private readonly max: number,
    private readonly onTooMuch: () => Error,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.max) return cb(this.onTooMuch());
    this.hash?.update(chunk);
    cb(null, chunk);
  }
}

/**
 * body → counter → dest, like pipeline(), except that the source is never destroyed when the counter or
 * the file fails: the source is a request body, and destroying it would kill the socket before the
 * error response could be sent. The source is only unpiped; the HTTP layer decides what to do with the
 * rest of it. A source that dies (client gone) fails the pipe.
 */
function pumpInto(body: Readable, counter: Transform, dest: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const stopWatching = finished(body, { writable: false }, (err) => {
      if (err) counter.destroy(err);
    });
    pipeline(counter, dest).then(
      () => {
        stopWatching();
        resolve();
      },
      (err: Error) => {
        stopWatching();
        body.unpipe(counter);
        reject(err);
      },
    );
    body.pipe(counter);
  });
}

export class UploadStore {
  private readonly stmts;
  /** running SHA-256 per active upload, valid for the first `bytes` bytes */
  private readonly hashes = new Map<string, { hash: Hash; bytes: number }>();
  private readonly busy = new Set<string>();
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
      fileIdPending: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM uploads WHERE file_id = ? AND status = 'active'"),
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
      if (!FILE_ID_PATTERN.test(fileId)) {
        throw invalidArgument(
          `Invalid file name "${fileId}": the id must be 1-40 characters of lowercase letters, digits or dashes, and cannot start or end with a dash.`,
        );
      }
      if (this.files.idTaken(fileId) || this.stmts.fileIdPending.get(fileId)!.n > 0) {
        throw new ApiError('ALREADY_EXISTS', `File files/${fileId} already exists.`);
      }
    } else {
      do fileId = newFileId();
      while (this.files.idTaken(fileId));
    }
    if (req.displayName && req.displayName.length > limits.maxDisplayNameChars) {
      throw invalidArgument(`display_name is ${req.displayName.length} characters long; the limit is ${limits.maxDisplayNameChars}.`);
    }
    const declared = req.declaredSize ?? null;
    if (declared !== null) this.checkSize(project, declared);
    const now = Date.now();
    const id = randomBytes(24).toString('base64url');
    this.stmts.insert.run({ id, project, fileId, displayName: req.displayName ?? null, mimeType: req.mimeType, declaredSize: declared, now });
    return this.get(id)!;
  }

  private checkSize(project: string, size: number, alreadyReserved = 0): void {
    const { limits } = this;
    if (size > limits.maxFileBytes) {
      throw invalidArgument(`File size ${size} bytes exceeds the limit of ${limits.maxFileBytes} bytes per file.`);
    }
    const used = this.files.usedBytes(project) + (this.stmts.reserved.get(project)!.n ?? 0) - alreadyReserved;
    if (used + size > limits.maxProjectBytes) {
      throw resourceExhausted(
        `Storage quota exceeded: the project stores ${used} bytes, and ${size} more would pass its limit of ${limits.maxProjectBytes} bytes. Delete files or wait for them to expire.`,
      );
    }
  }

  get(id: string): UploadSession | undefined {
    const row = this.stmts.get.get(id);
    return row ? fromRow(row) : undefined;
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
    if (this.busy.has(id)) throw invalidArgument('Another request is writing to this upload; wait for it to finish, then query its status.');
    this.busy.add(id);
    try {
      const session = this.get(id);
      if (!session || session.status !== 'active') {
        const status = session?.status ?? 'cancelled';
        throw invalidArgument(
          status === 'final' ? 'This upload has already been finalized; no more bytes can be sent to it.' : 'This upload was cancelled; start a new one.',
          { 'X-Goog-Upload-Status': status, 'X-Goog-Upload-Size-Received': String(session?.received ?? 0) },
        );
      }
      return await fn(session);
    } finally {
      this.busy.delete(id);
    }
  }

  private async append(session: UploadSession, offset: number, body: Readable): Promise<UploadSession> {
    if (offset !== session.received) {
      throw invalidArgument(`Invalid X-Goog-Upload-Offset ${offset}: the server has received ${session.received} bytes; continue from there.`, {
        'X-Goog-Upload-Status': 'active',
        'X-Goog-Upload-Size-Received': String(session.received),
      });
    }
    let state = this.hashes.get(session.id);
    if (!state || state.bytes !== offset) {
      await this.blobs.preparePart(session.id, offset);
      state = { hash: await this.blobs.hashPart(session.id, offset), bytes: offset };
    }
    const max = Math.min(session.declaredSize ?? Infinity, this.limits.maxFileBytes) - offset;
    const counter = new HashingCounter(state.hash, max, () =>
      session.declaredSize !== null && session.declaredSize <= this.limits.maxFileBytes
        ? invalidArgument(`The upload is larger than its declared size of ${session.declaredSize} bytes (X-Goog-Upload-Header-Content-Length).`)
        : invalidArgument(`File size exceeds the limit of ${this.limits.maxFileBytes} bytes per file.`),
    );
    try {
      await pumpInto(body, counter, createWriteStream(this.blobs.partPath(session.id), { flags: 'r+', start: offset, highWaterMark: 1 << 20 }));
    } catch (err) {
      this.hashes.delete(session.id);
      await this.blobs.preparePart(session.id, offset).catch(() => {});
      if (err instanceof ApiError) throw err;
      throw invalidArgument(`The upload chunk was not received completely (${(err as Error).message}); send it again from offset ${offset}.`);
    }
    state.bytes = offset + counter.count;
    this.hashes.set(session.id, state);
    this.stmts.setReceived.run({ id: session.id, received: state.bytes, now: Date.now() });
    return { ...session, received: state.bytes };
  }

  /** Turn a complete upload into a file: verify the size, commit the bytes, insert the record. */
  async finalize(session: UploadSession, ttlSec = this.limits.fileTtlSec): Promise<FileRecord> {
    return this.exclusive(session.id, (current) => this.finish(current, ttlSec));
  }

  private async finish(session: UploadSession, ttlSec: number): Promise<FileRecord> {
    if (session.declaredSize !== null && session.received !== session.declaredSize) {
      throw invalidArgument(
        `Upload finalized with ${session.received} bytes but ${session.declaredSize} were declared (X-Goog-Upload-Header-Content-Length); send the remaining bytes from offset ${session.received}.`,
        { 'X-Goog-Upload-Status': 'active', 'X-Goog-Upload-Size-Received': String(session.received) },
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
    return this.blobs.withLock(sha256, () => this.commit(session, sha256, ttlSec));
  }

  /** Move the bytes to their address and insert the record, under the content address's lock. */
  private async commit(session: UploadSession, sha256: string, ttlSec: number): Promise<FileRecord> {
    await this.blobs.commitPart(session.id, sha256);
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
    this.db.transaction(() => {
      this.files.insert(record);
      this.stmts.setStatus.run({ id: session.id, status: 'final', now });
    })();
    return this.files.getAny(record.id)!;
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
