// Schema migrations on a real SQLite file: a database written by the first schema (v1: global file names,
// one analysis per content) opens under the current one with its files and analyses still readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/store/database.js';
import { BlobStore } from '../../src/store/blobs.js';
import { FileStore } from '../../src/store/files.js';
import { AnalysisStore } from '../../src/store/analyses.js';
import { tempDir } from '../helpers.js';

const V1 = `CREATE TABLE files (id TEXT PRIMARY KEY, project TEXT NOT NULL, display_name TEXT, mime_type TEXT NOT NULL,
     size_bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, create_time INTEGER NOT NULL, update_time INTEGER NOT NULL,
     expire_time INTEGER NOT NULL, state TEXT NOT NULL, error TEXT, probe TEXT);
   CREATE INDEX files_by_project ON files(project, create_time DESC, id DESC);
   CREATE INDEX files_by_sha ON files(sha256);
   CREATE INDEX files_by_expiry ON files(expire_time);
   CREATE TABLE uploads (id TEXT PRIMARY KEY, project TEXT NOT NULL, file_id TEXT NOT NULL, display_name TEXT, mime_type TEXT NOT NULL,
     declared_size INTEGER, received INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, create_time INTEGER NOT NULL, update_time INTEGER NOT NULL);
   CREATE INDEX uploads_by_project ON uploads(project, status);
   CREATE TABLE analyses (sha256 TEXT PRIMARY KEY, status TEXT NOT NULL, stage TEXT NOT NULL DEFAULT 'queued',
     fraction REAL NOT NULL DEFAULT 0, result TEXT, error TEXT, update_time INTEGER NOT NULL);`;

test('a v1 database opens migrated: files and their analyses readable, inline-only results dropped', async () => {
  const tmp = tempDir('earshot-migrate-');
  try {
    const shaFile = 'a'.repeat(64);
    const shaInline = 'b'.repeat(64);
    const old = new Database(path.join(tmp.dir, 'earshot.sqlite'));
    old.exec(V1);
    old.pragma('user_version = 1');
    const now = Date.now();
    const insert = old.prepare(
      `INSERT INTO files VALUES (@id, @project, 'talk', 'audio/wav', 10, @sha, @now, @now, @exp, 'ACTIVE', NULL, '{"durationSec":1}')`,
    );
    insert.run({ id: 'talk', project: 'key:a', sha: shaFile, now, exp: now + 3600_000 });
    insert.run({ id: 'copy', project: 'key:b', sha: shaFile, now, exp: now + 3600_000 });
    const analysis = JSON.stringify({ durationSec: 1, loudnessDb: null, engines: {} });
    old.prepare(`INSERT INTO analyses VALUES (?, 'done', 'done', 1, ?, NULL, ?)`).run(shaFile, analysis, now);
    old.prepare(`INSERT INTO analyses VALUES (?, 'done', 'done', 1, ?, NULL, ?)`).run(shaInline, analysis, now);
    old.close();

    const db = openDatabase(tmp.dir);
    assert.equal(await db.schemaVersion(), 5);
    const blobs = new BlobStore(tmp.dir);
    const analyses = new AnalysisStore(db, { shareAcrossProjects: false });
    const files = new FileStore(db, blobs, analyses);
    assert.equal((await files.getVisible('key:a', 'talk'))?.sha256, shaFile);
    assert.equal((await files.getVisible('key:b', 'copy'))?.displayName, 'talk');
    assert.equal(await files.getVisible('key:b', 'talk'), undefined, 'still private to its project');
    for (const project of ['key:a', 'key:b']) {
      assert.equal((await analyses.get(analyses.keyFor(project, shaFile)))?.durationSec, 1, `${project} keeps its analysis`);
    }
    assert.equal((await new AnalysisStore(db, { shareAcrossProjects: true }).get({ scope: '*', sha256: shaFile }))?.durationSec, 1);
    assert.equal((await db.get<{ n: number }>('SELECT count(*) AS n FROM analyses WHERE sha256 = ?', [shaInline]))!.n, 0);
    // names are per project now: b may create a/talk's name
    await files.insert({
      id: 'talk',
      project: 'key:b',
      displayName: null,
      mimeType: 'text/plain',
      sizeBytes: 1,
      sha256: 'c'.repeat(64),
      createTime: now,
      updateTime: now,
      expireTime: now + 1000,
      state: 'ACTIVE',
    });
    assert.equal((await files.getVisible('key:b', 'talk'))?.mimeType, 'text/plain');
    assert.equal((await files.getVisible('key:a', 'talk'))?.mimeType, 'audio/wav');
    await db.close();
  } finally {
    tmp.cleanup();
  }
});
