// File records: the metadata of every stored file, per project, in the database (SQLite or PostgreSQL), with
// its bytes in the blob store. Owns visibility rules (another project's, deleted and expired files do not exist for a
// caller) and the removal of bytes when the last file using them goes.

import { randomBytes } from 'node:crypto';
import type { Db, Sql } from './sql.js';
import type { Blobs } from './blob-store.js';
import type { AnalysisStore } from './analyses.js';
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
  constructor(
    private readonly db: Db,
    private readonly blobs: Blobs,
    private readonly analyses: AnalysisStore,
  ) {}

  /**
   * Run `fn` alone for this content address, across the cluster. Committing new bytes (exists? → insert the
   * file record) and removing the last file that uses them (delete record → delete bytes) must not interleave,
   * or a new file could end up pointing at bytes that were just deleted.
   */
  lockBlob<T>(sha256: string, fn: () => Promise<T>): Promise<T> {
    return this.db.withLock(`blob:${sha256}`, fn);
  }

  /** The file as the given project may see it; undefined when it is not theirs, deleted or expired. */
  async getVisible(project: string, id: string, now = Date.now()): Promise<FileRecord | undefined> {
    const row = await this.db.get<FileRow>('SELECT * FROM files WHERE project = ? AND id = ?', [project, id]);
    if (!row || row.expire_time <= now) return undefined;
    return fromRow(row);
  }

  /** The project's file of this id, expired or not (names are per project). */
  async getAny(project: string, id: string): Promise<FileRecord | undefined> {
    const row = await this.db.get<FileRow>('SELECT * FROM files WHERE project = ? AND id = ?', [project, id]);
    return row ? fromRow(row) : undefined;
  }

  async idTaken(project: string, id: string, q: Sql = this.db): Promise<boolean> {
    return (await q.get<{ n: number }>('SELECT count(*) AS n FROM files WHERE project = ? AND id = ?', [project, id]))!.n > 0;
  }

  async insert(rec: Omit<FileRecord, 'error' | 'probe'>, q: Sql = this.db): Promise<void> {
    await q.run(
      `INSERT INTO files (id, project, display_name, mime_type, size_bytes, sha256, create_time, update_time, expire_time, state, error, probe)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
      [
        rec.id,
        rec.project,
        rec.displayName,
        rec.mimeType,
        rec.sizeBytes,
        rec.sha256,
        rec.createTime,
        rec.updateTime,
        rec.expireTime,
        rec.state,
      ],
    );
  }

  async list(project: string, pageSize: number, cursor?: { createTime: number; id: string }, now = Date.now()): Promise<ListPage> {
    const rows = cursor
      ? await this.db.all<FileRow>(
          `SELECT * FROM files WHERE project = ? AND expire_time > ? AND (create_time < ? OR (create_time = ? AND id < ?))
           ORDER BY create_time DESC, id DESC LIMIT ?`,
          [project, now, cursor.createTime, cursor.createTime, cursor.id, pageSize + 1],
        )
      : await this.db.all<FileRow>('SELECT * FROM files WHERE project = ? AND expire_time > ? ORDER BY create_time DESC, id DESC LIMIT ?', [
          project,
          now,
          pageSize + 1,
        ]);
    const files = rows.slice(0, pageSize).map(fromRow);
    const last = files[files.length - 1];
    return { files, nextCursor: rows.length > pageSize && last ? { createTime: last.createTime, id: last.id } : undefined };
  }

  /** Bytes stored by a project (live files only). */
  async usedBytes(project: string, now = Date.now(), q: Sql = this.db): Promise<number> {
    return (
      (await q.get<{ n: number | null }>('SELECT sum(size_bytes) AS n FROM files WHERE project = ? AND expire_time > ?', [project, now]))
        ?.n ?? 0
    );
  }

  async setState(project: string, id: string, state: FileState, error: { code: number; message: string } | null = null): Promise<void> {
    await this.db.run('UPDATE files SET state = ?, error = ?, update_time = ? WHERE project = ? AND id = ?', [
      state,
      error ? JSON.stringify(error) : null,
      Date.now(),
      project,
      id,
    ]);
  }

  async setProbe(project: string, id: string, probe: AudioProbe): Promise<void> {
    await this.db.run('UPDATE files SET probe = ?, update_time = ? WHERE project = ? AND id = ?', [
      JSON.stringify(probe),
      Date.now(),
      project,
      id,
    ]);
  }

  async filesWithSha(sha256: string): Promise<FileRecord[]> {
    return (await this.db.all<FileRow>('SELECT * FROM files WHERE sha256 = ?', [sha256])).map(fromRow);
  }

  async processing(): Promise<FileRecord[]> {
    return (await this.db.all<FileRow>("SELECT * FROM files WHERE state = 'PROCESSING'")).map(fromRow);
  }

  private async shaUsers(sha256: string, q: Sql = this.db): Promise<number> {
    return (await q.get<{ n: number }>('SELECT count(*) AS n FROM files WHERE sha256 = ?', [sha256]))!.n;
  }

  /**
   * Delete a file record. The analysis store drops the analysis its project no longer uses (cancelling
   * work still running for it); the bytes go when no file at all uses them.
   */
  async remove(project: string, id: string): Promise<void> {
    const row = await this.db.get<FileRow>('SELECT * FROM files WHERE project = ? AND id = ?', [project, id]);
    if (!row) return;
    await this.lockBlob(row.sha256, async () => {
      const gone = await this.db.tx(async (q) => {
        if ((await q.run('DELETE FROM files WHERE project = ? AND id = ?', [project, id])) === 0) return undefined;
        const leftAll = await this.shaUsers(row.sha256, q);
        const leftInProject = (await q.get<{ n: number }>('SELECT count(*) AS n FROM files WHERE project = ? AND sha256 = ?', [
          row.project,
          row.sha256,
        ]))!.n;
        return { orphaned: leftAll === 0, analyses: await this.analyses.released(q, row.project, row.sha256, leftInProject, leftAll) };
      });
      if (!gone) return;
      this.analyses.announceRemoved(gone.analyses);
      if (gone.orphaned) await this.blobs.removeBlob(row.sha256);
    });
  }

  /**
   * Remove every expired file (and bytes no longer used). Returns how many went, or -1 when another node
   * is sweeping right now: the sweeper runs once across the cluster (Db.once).
   */
  async sweepExpired(now = Date.now()): Promise<number> {
    const swept = await this.db.once('sweep:files', async () => {
      let n = 0;
      for (;;) {
        const batch = await this.db.all<FileRow>('SELECT * FROM files WHERE expire_time <= ? LIMIT 500', [now]);
        if (batch.length === 0) return n;
        for (const r of batch) await this.remove(r.project, r.id);
        n += batch.length;
      }
    });
    return swept.ran ? swept.value : -1;
  }

  /** Blobs that no file references (left by a crash between commit and insert). */
  async removeOrphanBlobs(): Promise<number> {
    const used = new Set((await this.db.all<{ sha256: string }>('SELECT DISTINCT sha256 FROM files')).map((r) => r.sha256));
    let n = 0;
    for (const sha of await this.blobs.listBlobs()) {
      if (used.has(sha) || !/^[0-9a-f]{64}$/.test(sha)) continue;
      await this.lockBlob(sha, async () => {
        if ((await this.shaUsers(sha)) > 0) return; // committed meanwhile
        await this.blobs.removeBlob(sha);
        n++;
      });
    }
    return n;
  }
}
