// The store suite on the cluster backends: a real PostgreSQL (Debian's, started by test/cluster) for metadata and a
// real SeaweedFS S3 gateway for bytes. Each test gets its own database and key prefix; every "node" is a separate
// pool, S3 client and blob store, as on another machine.
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPostgres, startSeaweedFS, type PostgresServer, type S3Server } from '../cluster/index.js';
import { openStore, type Store } from '../../src/store/open.js';
import { PostgresDb } from '../../src/store/postgres.js';
import { defaultConfig } from '../../src/config.js';
import { storeSuite, type Backend } from './suite.js';

let pg: PostgresServer;
let s3: S3Server;
const open: Store[] = [];
const dirs: string[] = [];

before(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startSeaweedFS()]);
  // the SDK's default credential chain reads these, as a deployment would
  Object.assign(process.env, s3.env());
});

after(async () => {
  for (const s of open) await s.close();
  await Promise.all([pg?.stop(), s3?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let n = 0;
storeSuite('postgres+s3', (): Backend => {
  const name = `suite_${process.pid}_${++n}`;
  let created: Promise<string> | undefined;
  const url = () =>
    (created ??= pg.psql(`CREATE DATABASE ${name}`).then((r) => {
      if (r.code !== 0) throw new Error(`CREATE DATABASE: ${r.stderr}`);
      const u = new URL(pg.url);
      u.pathname = `/${name}`;
      return u.toString();
    }));
  return {
    migrations: 2,
    shared: true,
    async node(limits = {}) {
      const base = defaultConfig();
      const dataDir = mkdtempSync(path.join(tmpdir(), 'earshot-node-'));
      dirs.push(dataDir);
      const config = {
        ...base,
        dataDir,
        databaseUrl: await url(),
        blobStore: `s3://${s3.bucket}/${name}`,
        s3Endpoint: s3.endpoint,
        limits: { ...base.limits, ...limits },
      };
      const store = await openStore(config);
      open.push(store);
      return store;
    },
    async reopen() {
      const db = await PostgresDb.open(await url());
      try {
        return await db.schemaVersion();
      } finally {
        await db.close();
      }
    },
  };
});
