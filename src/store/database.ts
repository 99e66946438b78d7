// The embedded SQLite database (better-sqlite3): schema, migrations (numbered by PRAGMA user_version) and the
// pragmas that make it safe under crashes (WAL, synchronous=NORMAL) and fast for the hot reads (files.get / files.list).

import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { SqliteDb } from './sqlite.js';

/**
 * Each entry is one version; never edit an applied one, append a new one. A version that rebuilds a table
 * repeats its columns (v3's files_v3, v5's analyses_v5), as PostgreSQL's v1 repeats them in its own types:
 * frozen history, not shared code. Built from one column list, a later edit to it would rewrite applied versions.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE files (
     id TEXT PRIMARY KEY,
     project TEXT NOT NULL,
     display_name TEXT,
     mime_type TEXT NOT NULL,
     size_bytes INTEGER NOT NULL,
     sha256 TEXT NOT NULL,
     create_time INTEGER NOT NULL,
     update_time INTEGER NOT NULL,
     expire_time INTEGER NOT NULL,
     state TEXT NOT NULL,
     error TEXT,
     probe TEXT
   );
   CREATE INDEX files_by_project ON files(project, create_time DESC, id DESC);
   CREATE INDEX files_by_sha ON files(sha256);
   CREATE INDEX files_by_expiry ON files(expire_time);
   CREATE TABLE uploads (
     id TEXT PRIMARY KEY,
     project TEXT NOT NULL,
     file_id TEXT NOT NULL,
     display_name TEXT,
     mime_type TEXT NOT NULL,
     declared_size INTEGER,
     received INTEGER NOT NULL DEFAULT 0,
     status TEXT NOT NULL,
     create_time INTEGER NOT NULL,
     update_time INTEGER NOT NULL
   );
   CREATE INDEX uploads_by_project ON uploads(project, status);
   CREATE TABLE analyses (
     sha256 TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     stage TEXT NOT NULL DEFAULT 'queued',
     fraction REAL NOT NULL DEFAULT 0,
     result TEXT,
     error TEXT,
     update_time INTEGER NOT NULL
   );`,
  // v2: analyses are kept per scope (a project, or '*' when configured to share across projects), so one
  // project cannot learn from timing that another sent the same audio; inline analyses get an expiry.
  // Existing results stay readable: each is copied to every project holding a file of that content (and
  // to '*'). Results of inline audio (no file) are dropped: they were kept forever, which v2 ends.
  `CREATE TABLE analyses_v2 (
     scope TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     status TEXT NOT NULL,
     stage TEXT NOT NULL DEFAULT 'queued',
     fraction REAL NOT NULL DEFAULT 0,
     result TEXT,
     error TEXT,
     update_time INTEGER NOT NULL,
     expire_time INTEGER,
     PRIMARY KEY (scope, sha256)
   );
   INSERT INTO analyses_v2 (scope, sha256, status, stage, fraction, result, error, update_time)
     SELECT p.project, a.sha256, a.status, a.stage, a.fraction, a.result, a.error, a.update_time
     FROM analyses a JOIN (SELECT DISTINCT project, sha256 FROM files) p ON p.sha256 = a.sha256;
   INSERT INTO analyses_v2 (scope, sha256, status, stage, fraction, result, error, update_time)
     SELECT '*', a.sha256, a.status, a.stage, a.fraction, a.result, a.error, a.update_time
     FROM analyses a WHERE EXISTS (SELECT 1 FROM files f WHERE f.sha256 = a.sha256);
   DROP TABLE analyses;
   ALTER TABLE analyses_v2 RENAME TO analyses;
   CREATE INDEX analyses_by_sha ON analyses(sha256);
   CREATE INDEX analyses_by_expiry ON analyses(expire_time) WHERE expire_time IS NOT NULL;`,
  // v3: file names are per project (key B may create files/x while A has files/x; neither sees the other's,
  // and a 409 no longer tells B that A's name exists). Rows are copied as they are.
  `CREATE TABLE files_v3 (
     id TEXT NOT NULL,
     project TEXT NOT NULL,
     display_name TEXT,
     mime_type TEXT NOT NULL,
     size_bytes INTEGER NOT NULL,
     sha256 TEXT NOT NULL,
     create_time INTEGER NOT NULL,
     update_time INTEGER NOT NULL,
     expire_time INTEGER NOT NULL,
     state TEXT NOT NULL,
     error TEXT,
     probe TEXT,
     PRIMARY KEY (project, id)
   );
   INSERT INTO files_v3 (id, project, display_name, mime_type, size_bytes, sha256, create_time, update_time, expire_time, state, error, probe)
     SELECT id, project, display_name, mime_type, size_bytes, sha256, create_time, update_time, expire_time, state, error, probe FROM files;
   DROP TABLE files;
   ALTER TABLE files_v3 RENAME TO files;
   CREATE INDEX files_by_project ON files(project, create_time DESC, id DESC);
   CREATE INDEX files_by_sha ON files(sha256);
   CREATE INDEX files_by_expiry ON files(expire_time);
   CREATE INDEX uploads_by_file ON uploads(project, file_id, status);`,
  // v4: an upload's blob-side state (the S3 backend's multipart upload id, part ETags and staged tail), so that
  // a session begun on one node can be continued on another. The disk backend leaves it NULL.
  `ALTER TABLE uploads ADD COLUMN blob_state TEXT;`,
  // v5: analyses are also keyed by the transcription hints they were made with (src/domain/hints.ts; '' for the base
  // analysis every file has), so a request's languages, vocabulary or translation get their own analysis, once.
  `CREATE TABLE analyses_v5 (
     scope TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     hints TEXT NOT NULL DEFAULT '',
     status TEXT NOT NULL,
     stage TEXT NOT NULL DEFAULT 'queued',
     fraction REAL NOT NULL DEFAULT 0,
     result TEXT,
     error TEXT,
     update_time INTEGER NOT NULL,
     expire_time INTEGER,
     PRIMARY KEY (scope, sha256, hints)
   );
   INSERT INTO analyses_v5 (scope, sha256, hints, status, stage, fraction, result, error, update_time, expire_time)
     SELECT scope, sha256, '', status, stage, fraction, result, error, update_time, expire_time FROM analyses;
   DROP TABLE analyses;
   ALTER TABLE analyses_v5 RENAME TO analyses;
   CREATE INDEX analyses_by_sha ON analyses(sha256);
   CREATE INDEX analyses_by_expiry ON analyses(expire_time) WHERE expire_time IS NOT NULL;`,
];

/** Private to the server's user: the data dir 0700, the database (and, through SQLite, its -wal/-shm) 0600. */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Create the data directory private to this user (and tighten one an older version left 0755). */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
}

export function openDatabase(dataDir: string): SqliteDb {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, 'earshot.sqlite');
  // SQLite gives its -wal and -shm files the database file's mode, so creating that one 0600 is enough
  closeSync(openSync(file, 'a', FILE_MODE));
  chmodSync(file, FILE_MODE);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteDb(db);
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (const [v, sql] of MIGRATIONS.entries()) {
    if (v < version) continue; // applied already
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
