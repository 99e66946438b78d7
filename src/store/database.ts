// The embedded SQLite database (better-sqlite3): schema, migrations and the pragmas that make it safe
// under crashes (WAL, synchronous=NORMAL) and fast for the hot reads (files.get / files.list).

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export type Db = Database.Database;

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
];

export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'earshot.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
