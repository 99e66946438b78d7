// File records: the metadata of every stored file, per project, in SQLite, with its bytes in the
// BlobStore. Owns visibility rules (another project's, deleted and expired files do not exist for a
// caller) and the removal of bytes when the last file using them goes.

import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';
import type { BlobStore } from './blobs.js';
import type { AnalysisStore } from './analyses.js';
import { writing } from './disk-full.js';
import type { AudioProbe } from '../domain/analysis.js';

export type FileState = 'PROCESSING' | 'ACTIVE' | 'FAILED';

export interface FileRecord {
  id: string;
  project: string;
  displayName: string | null;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  createTime: number;
  updateTime: number;
  expireTime: number;
  state: FileState;
  error: { code: number; message: string } | null;
  probe: AudioProbe | null;
}

interface FileRow {
  id: string;
  project: string;
  display_name: string | null;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  create_time: number;
  update_time: number;
  expire_time: number;
  state: FileState;
  error: string | null;
  probe: string | null;
}

function fromRow(r: FileRow): FileRecord {
  return {
    id: r.id,
    project: r.project,
    displayName: r.display_name,
    mimeType: r.mime_type,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    createTime: r.create_time,
    updateTime: r.update_time,
    expireTime: r.expire_time,
    state: r.state,
    error: r.error ? JSON.parse(r.error) : null,
    probe: r.probe ? JSON.parse(r.probe) : null,
  };
}

/** Gemini file ids: up to 40 lowercase alphanumerics or dashes, not starting or ending with a dash. */
export const FILE_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export function newFileId(): string {
  // 12 base-36 characters, like Gemini's generated names
  const bytes = randomBytes(12);
  let id = '';
  for (const b of bytes) id += (b % 36).toString(36);
  return id;
}

export interface ListPage {
  files: FileRecord[];
  nextCursor?: { createTime: number; id: string };
}

export class FileStore {
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly analyses: AnalysisStore,
  ) {
    this.stmts = {
      get: db.prepare<[string, string], FileRow>('SELECT * FROM files WHERE project = ? AND id = ?'),
      exists: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM files WHERE project = ? AND id = ?'),
      insert: db.prepare(
        `INSERT INTO files (id, project, display_name, mime_type, size_bytes, sha256, create_time, update_time, expire_time, state, error, probe)
         VALUES (@id, @project, @displayName, @mimeType, @sizeBytes, @sha256, @createTime, @updateTime, @expireTime, @state, NULL, NULL)`,
      ),
      listFirst: db.prepare<[string, number, number], FileRow>(
        'SELECT * FROM files WHERE project = ? AND expire_time > ? ORDER BY create_time DESC, id DESC LIMIT ?',
      ),
      listAfter: db.prepare<[string, number, number, number, string, number], FileRow>(
        `SELECT * FROM files WHERE project = ? AND expire_time > ? AND (create_time < ? OR (create_time = ? AND id < ?))
         ORDER BY create_time DESC, id DESC LIMIT ?`,
      ),
      delete: db.prepare<[string, string]>('DELETE FROM files WHERE project = ? AND id = ?'),
      shaUsers: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM files WHERE sha256 = ?'),
      shaUsersIn: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM files WHERE project = ? AND sha256 = ?'),
      usedBytes: db.prepare<[string, number], { n: number | null }>('SELECT sum(size_bytes) AS n FROM files WHERE project = ? AND expire_time > ?'),
      expired: db.prepare<[number], FileRow>('SELECT * FROM files WHERE expire_time <= ? LIMIT 500'),
      setState: db.prepare('UPDATE files SET state = @state, error = @error, update_time = @now WHERE project = @project AND id = @id'),
      setProbe: db.prepare('UPDATE files SET probe = @probe, update_time = @now WHERE project = @project AND id = @id'),
      bySha: db.prepare<[string], FileRow>('SELECT * FROM files WHERE sha256 = ?'),
      processing: db.prepare<[], FileRow>("SELECT * FROM files WHERE state = 'PROCESSING'"),
      allShas: db.prepare<[], { sha256: string }>('SELECT DISTINCT sha256 FROM files'),
    };
  }

  /** The file as the given project may see it; undefined when it is not theirs, deleted or expired. */
  getVisible(project: string, id: string, now = Date.now()): FileRecord | undefined {
    const row = this.stmts.get.get(project, id);
    if (!row || row.expire_time <= now) return undefined;
    return fromRow(row);
  }

  /** The project's file of this id, expired or not (names are per project). */
  getAny(project: string, id: string): FileRecord | undefined {
    const row = this.stmts.get.get(project, id);
    return row ? fromRow(row) : undefined;
  }

  idTaken(project: string, id: string): boolean {
    return this.stmts.exists.get(project, id)!.n > 0;
  }

  insert(rec: Omit<FileRecord, 'error' | 'probe'>): void {
    writing(() => this.stmts.insert.run(rec));
  }

  list(project: string, pageSize: number, cursor?: { createTime: number; id: string }, now = Date.now()): ListPage {
    const rows = cursor
      ? this.stmts.listAfter.all(project, now, cursor.createTime, cursor.createTime, cursor.id, pageSize + 1)
      : this.stmts.listFirst.all(project, now, pageSize + 1);
    const files = rows.slice(0, pageSize).map(fromRow);
    const last = files[files.length - 1];
    return { files, nextCursor: rows.length > pageSize && last ? { createTime: last.createTime, id: last.id } : undefined };
  }

  /** Bytes stored by a project (live files only). */
  usedBytes(project: string, now = Date.now()): number {
    return this.stmts.usedBytes.get(project, now)!.n ?? 0;
  }

  setState(project: string, id: string, state: FileState, error: { code: number; message: string } | null = null): void {
    writing(() => this.stmts.setState.run({ project, id, state, error: error ? JSON.stringify(error) : null, now: Date.now() }));
  }

  setProbe(project: string, id: string, probe: AudioProbe): void {
    writing(() => this.stmts.setProbe.run({ project, id, probe: JSON.stringify(probe), now: Date.now() }));
  }

  filesWithSha(sha256: string): FileRecord[] {
    return this.stmts.bySha.all(sha256).map(fromRow);
  }

  processing(): FileRecord[] {
    return this.stmts.processing.all().map(fromRow);
  }

  /**
   * Delete a file record. The analysis store drops the analysis its project no longer uses (cancelling
   * work still running for it); the bytes go when no file at all uses them.
   */
  async remove(project: string, id: string): Promise<void> {
    const row = this.stmts.get.get(project, id);
    if (!row) return;
    await this.blobs.withLock(row.sha256, async () => {
      const gone = this.db.transaction(() => {
        if (this.stmts.delete.run(project, id).changes === 0) return undefined;
        const leftAll = this.stmts.shaUsers.get(row.sha256)!.n;
        const leftInProject = this.stmts.shaUsersIn.get(row.project, row.sha256)!.n;
        return { orphaned: leftAll === 0, analyses: this.analyses.released(row.project, row.sha256, leftInProject, leftAll) };
      })();
      if (!gone) return;
      this.analyses.announceRemoved(gone.analyses);
      if (gone.orphaned) await this.blobs.removeBlob(row.sha256);
    });
  }

  /** Remove every expired file (and bytes no longer used). Returns how many went. */
  async sweepExpired(now = Date.now()): Promise<number> {
    let n = 0;
    for (;;) {
      const batch = this.stmts.expired.all(now);
      if (batch.length === 0) return n;
      for (const r of batch) await this.remove(r.project, r.id);
      n += batch.length;
    }
  }

  /** Blobs on disk that no file references (left by a crash between rename and insert). */
  async removeOrphanBlobs(): Promise<number> {
    const used = new Set(this.stmts.allShas.all().map((r) => r.sha256));
    let n = 0;
    for (const sha of await this.blobs.listBlobs()) {
      if (used.has(sha) || !/^[0-9a-f]{64}$/.test(sha)) continue;
      await this.blobs.withLock(sha, async () => {
        if (this.stmts.shaUsers.get(sha)!.n > 0) return; // committed meanwhile
        await this.blobs.removeBlob(sha);
        n++;
      });
    }
    return n;
  }
}
