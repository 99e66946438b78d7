// Opens the store from configuration: the metadata database (databaseUrl → PostgreSQL, else the embedded SQLite
// file) and the blob store (blobStore → S3-compatible object storage, else the data dir), with the stores over them.

import type { Config } from '../config.js';
import type { Db } from './sql.js';
import type { Blobs } from './blob-store.js';
import { openDatabase } from './database.js';
import { PostgresDb } from './postgres.js';
import { BlobStore } from './blobs.js';
import { S3Blobs } from './s3-blobs.js';
import { AnalysisStore } from './analyses.js';
import { FileStore } from './files.js';
import { UploadStore } from './uploads.js';

export interface Store {
  db: Db;
  blobs: Blobs;
  files: FileStore;
  uploads: UploadStore;
  analyses: AnalysisStore;
  close(): Promise<void>;
}

export async function openDb(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<Db> {
  return config.databaseUrl ? PostgresDb.open(config.databaseUrl) : openDatabase(config.dataDir);
}

export async function openBlobs(config: Pick<Config, 'dataDir' | 'blobStore' | 's3Endpoint' | 's3Region'>): Promise<Blobs> {
  const blobs: Blobs = config.blobStore
    ? new S3Blobs({ url: config.blobStore, endpoint: config.s3Endpoint, region: config.s3Region, dataDir: config.dataDir })
    : new BlobStore(config.dataDir);
  await blobs.init();
  return blobs;
}

export async function openStore(config: Config, db?: Db, blobs?: Blobs): Promise<Store> {
  db ??= await openDb(config);
  try {
    blobs ??= await openBlobs(config);
  } catch (err) {
    await db.close();
    throw err;
  }
  // the analysis store alone owns the analyses table (results, retention, deletion); files tell it when content goes
  const analyses = new AnalysisStore(db, { shareAcrossProjects: config.shareAnalysisAcrossProjects });
  const files = new FileStore(db, blobs, analyses);
  const uploads = new UploadStore(db, blobs, files, config.limits);
  const theDb = db;
  return { db, blobs, files, uploads, analyses, close: () => theDb.close() };
}
