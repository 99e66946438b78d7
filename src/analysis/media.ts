// Media: what happens to a file after upload — probe, then the once-per-file analysis — and the
// state (PROCESSING → ACTIVE | FAILED) and progress clients see.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../store/database.js';
import type { BlobStore } from '../store/blobs.js';
import type { FileRecord, FileStore } from '../store/files.js';

export interface Media {
  fileCreated(rec: FileRecord): void;
  analysisStatus(rec: FileRecord): object;
  resumePending(): void;
  close(): Promise<void>;
}

export interface MediaDeps {
  config: Config;
  files: FileStore;
  blobs: BlobStore;
  db: Db;
  logger: Logger;
}

export function createMedia(deps: MediaDeps): Media {
  return {
    fileCreated(rec) {
      deps.files.setState(rec.id, 'ACTIVE');
    },
    analysisStatus(rec) {
      return { name: `files/${rec.id}`, state: rec.state };
    },
    resumePending() {},
    async close() {},
  };
}
