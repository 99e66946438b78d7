// The store suite on the embedded default: SQLite and the data dir. "Another node" here is another set of stores
// over the same database handle and data dir (SQLite is one process's database).
import { after } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import { BlobStore } from '../../src/store/blobs.js';
import { openStore } from '../../src/store/open.js';
import { defaultConfig } from '../../src/config.js';
import type { SqliteDb } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';
import { storeSuite, type Backend } from './suite.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

storeSuite('sqlite+disk', (): Backend => {
  const tmp = tempDir('earshot-store-suite-');
  let db: SqliteDb | undefined;
  cleanups.push(async () => {
    await db?.close();
    tmp.cleanup();
  });
  return {
    migrations: 5,
    shared: false,
    async node(limits = {}) {
      db ??= openDatabase(tmp.dir);
      const base = defaultConfig();
      const config = { ...base, dataDir: tmp.dir, limits: { ...base.limits, ...limits } };
      const blobs = new BlobStore(tmp.dir);
      await blobs.init();
      return openStore(config, db, blobs);
    },
    async reopen() {
      const again = openDatabase(tmp.dir);
      try {
        return await again.schemaVersion();
      } finally {
        await again.close();
      }
    },
  };
});
