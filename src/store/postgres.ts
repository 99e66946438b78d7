// The PostgreSQL backend of Db (node-postgres, a pool): the schema and its versioned migrations (applied at start,
// once, under an advisory lock, recorded in schema_migrations), and the advisory locks that keep quotas, names,
// upload sessions and the expiry sweeper exact when several nodes share the database.

import pg from 'pg';
import type { Db, Sql } from './sql.js';
import { translateDiskFull } from './disk-full.js';

/** Each entry is one version; never edit an applied one, append a new one. */
const MIGRATIONS: string[] = [
  `CREATE TABLE files (
     id TEXT NOT NULL,
     project TEXT NOT NULL,
     display_name TEXT,
     mime_type TEXT NOT NULL,
     size_bytes BIGINT NOT NULL,
     sha256 TEXT NOT NULL,
     create_time BIGINT NOT NULL,
     update_time BIGINT NOT NULL,
     expire_time BIGINT NOT NULL,
     state TEXT NOT NULL,
     error TEXT,
     probe TEXT,
     PRIMARY KEY (project, id)
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
     declared_size BIGINT,
     received BIGINT NOT NULL DEFAULT 0,
     status TEXT NOT NULL,
     create_time BIGINT NOT NULL,
     update_time BIGINT NOT NULL,
     blob_state TEXT
   );
   CREATE INDEX uploads_by_project ON uploads(project, status);
   CREATE INDEX uploads_by_file ON uploads(project, file_id, status);
   CREATE TABLE analyses (
     scope TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     status TEXT NOT NULL,
     stage TEXT NOT NULL DEFAULT 'queued',
     fraction DOUBLE PRECISION NOT NULL DEFAULT 0,
     result TEXT,
     error TEXT,
     update_time BIGINT NOT NULL,
     expire_time BIGINT,
     PRIMARY KEY (scope, sha256)
   );
   CREATE INDEX analyses_by_sha ON analyses(sha256);
   CREATE INDEX analyses_by_expiry ON analyses(expire_time) WHERE expire_time IS NOT NULL;`,
];

/** advisory lock key of the migration step (any constant no other lock hashes to in practice) */
const MIGRATION_LOCK = 'earshot:migrations';

/** BIGINT (int8) and NUMERIC (sum()) as JS numbers: sizes and millisecond times stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const placeholders = new Map<string, string>();

/** `?` → `$1, $2, …` (our SQL has no `?` inside literals). */
function toPg(sql: string): string {
  let out = placeholders.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    placeholders.set(sql, out);
  }
  return out;
}

const lockSql = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';

/** Without parameters, the simple protocol (which also runs a migration's several statements). */
const query = (c: pg.Pool | pg.PoolClient, sql: string, params: unknown[]) => (params.length ? c.query(toPg(sql), params) : c.query(sql));

function querier(c: pg.Pool | pg.PoolClient): Sql {
  return {
    async get<T>(sql: string, params: unknown[] = []) {
      return (await query(c, sql, params)).rows[0] as T | undefined;
    },
    async all<T>(sql: string, params: unknown[] = []) {
      return (await query(c, sql, params)).rows as T[];
    },
    async run(sql: string, params: unknown[] = []) {
      try {
        return (await query(c, sql, params)).rowCount ?? 0;
      } catch (err) {
        throw translateDiskFull(err);
      }
    },
  };
}

export class PostgresDb implements Db {
  readonly dialect = 'postgres';
  readonly greatest = 'greatest';
  private readonly pool: pg.Pool;
  /**
   * Connections that only hold withLock's session locks. Kept apart from the query pool: a holder runs queries
   * while it holds its lock, so locks taken from the query pool could take every connection and wait forever.
   */
  private readonly lockPool: pg.Pool;
  private readonly q: Sql;
  /**
   * One connection holding this node's try-locks (session advisory locks; they last while it is open). Only
   * non-blocking statements run on it, so one connection serves every lock. Keys held here, to refuse a second
   * holder on this node (a session's advisory locks are re-entrant).
   */
  private lockClient: Promise<pg.Client> | undefined;
  private readonly held = new Set<string>();

  private constructor(readonly url: string, max: number) {
    this.pool = new pg.Pool({ connectionString: url, max, types, connectionTimeoutMillis: 10_000 });
    // an idle client's error (the server restarted) must not crash the process; the pool replaces the client
    this.pool.on('error', () => {});
    this.lockPool = new pg.Pool({ connectionString: url, max, types, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 5_000 });
    this.lockPool.on('error', () => {});
    this.q = querier(this.pool);
  }

  /** Connect and apply the migrations this database lacks (once, whatever number of nodes start together). */
  static async open(url: string, opts: { poolSize?: number } = {}): Promise<PostgresDb> {
    const db = new PostgresDb(url, opts.poolSize ?? 10);
    try {
      await db.migrate();
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }

  private async migrate(): Promise<void> {
    await this.tx(async (q) => {
      await q.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      const row = await q.get<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      const applied = row?.v ?? 0;
      for (const [v, sql] of MIGRATIONS.entries()) {
        if (v < applied) continue;
        await q.run(sql);
        await q.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [v + 1, Date.now()]);
      }
    }, [MIGRATION_LOCK]);
  }

  get<T>(sql: string, params?: unknown[]): Promise<T | undefined> {
    return this.q.get<T>(sql, params);
  }

  all<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.q.all<T>(sql, params);
  }

  run(sql: string, params?: unknown[]): Promise<number> {
    return this.q.run(sql, params);
  }

  /** A pool client for a while; its connection dying meanwhile fails its queries, never the process. */
  private async checkout(pool = this.pool): Promise<{ client: pg.PoolClient; done: (broken?: unknown) => void }> {
    const client = await pool.connect();
    let lost: unknown;
    const onError = (err: unknown) => (lost = err);
    client.on('error', onError);
    return {
      client,
      done: (broken) => {
        client.off('error', onError);
        client.release((broken ?? lost) as Error | undefined);
      },
    };
  }

  async tx<T>(fn: (q: Sql) => Promise<T>, locks: string[] = []): Promise<T> {
    const { client, done } = await this.checkout();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      // always in the same order, so two transactions wanting the same locks cannot deadlock
      for (const key of [...new Set(locks)].sort()) await client.query(lockSql, [key]);
      const value = await fn(querier(client));
      await client.query('COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch((e) => (broken = e));
      throw translateDiskFull(err);
    } finally {
      done(broken);
    }
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const { client, done } = await this.checkout(this.lockPool);
    let broken: unknown;
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch((e) => (broken = e));
      }
    } finally {
      done(broken);
    }
  }

  private lockConnection(): Promise<pg.Client> {
    if (!this.lockClient) {
      const client = new pg.Client({ connectionString: this.url, types });
      const forget = () => {
        // its locks went with it; the next try-lock opens a new connection
        if (this.lockClient === ready) this.lockClient = undefined;
      };
      client.on('error', forget);
      client.on('end', forget);
      const ready: Promise<pg.Client> = client.connect().then(() => client);
      ready.catch(forget);
      this.lockClient = ready;
    }
    return this.lockClient;
  }

  async tryExclusive<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.held.has(key)) return { ran: false };
    this.held.add(key);
    try {
      const client = await this.lockConnection();
      const got = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [key])).rows[0]?.ok;
      if (!got) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => {});
      }
    } finally {
      this.held.delete(key);
    }
  }

  once<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return this.tryExclusive(key, fn);
  }

  async schemaVersion(): Promise<number> {
    return (await this.get<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations'))?.v ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    const lock = this.lockClient;
    this.lockClient = undefined;
    if (lock) await lock.then((c) => c.end()).catch(() => {});
    await Promise.all([this.pool.end().catch(() => {}), this.lockPool.end().catch(() => {})]);
  }
}
