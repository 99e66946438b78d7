// The PostgreSQL backend of Db (node-postgres, a pool): the schema and its versioned migrations (applied at start,
// once, under an advisory lock, recorded in schema_migrations), and the advisory locks that keep quotas, names,
// upload sessions and the expiry sweeper exact when several nodes share the database.

import pg from 'pg';
import type { Db, Sql } from './sql.js';
import { translateDiskFull } from './disk-full.js';
import { EarshotError, isEarshotError } from '../domain/errors.js';

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
  // v2: analyses are also keyed by the transcription hints they were made with ('' for a file's base analysis)
  `ALTER TABLE analyses ADD COLUMN hints TEXT NOT NULL DEFAULT '';
   ALTER TABLE analyses DROP CONSTRAINT analyses_pkey;
   ALTER TABLE analyses ADD PRIMARY KEY (scope, sha256, hints);`,
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

/** Network errors of a connection that could not be made or went away (the server restarted, a link was cut). */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * node-postgres's own errors for a lost or unobtainable connection carry no code, only these messages
 * ("Connection terminated unexpectedly", "timeout exceeded when trying to connect", "Query read timeout" (a
 * statement past query_timeout on a connection that stopped answering), "Client has encountered a
 * connection error and is not queryable", "Client was closed and is not queryable").
 */
const DRIVER_LOST =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client (has encountered a connection error|was closed))/;

/** The try-lock connection's bound on one statement (a try-lock or an unlock answers in milliseconds). */
const LOCK_STATEMENT_TIMEOUT_MS = 10_000;

/** True when `err` says the database is out of reach, not that a statement was wrong. */
export function isConnectionLost(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) {
    // connection_exception (08…), admin/crash shutdown and cannot_connect_now (57P01-03), too_many_connections
    return /^(08|57P0[1-3]$|53300$)/.test(err.code ?? '');
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NET_CODES.has(code)) return true;
  return err instanceof Error && DRIVER_LOST.test(err.message);
}

/** STORAGE_FULL for a full disk, STORE_DATABASE_UNAVAILABLE (503, retryable) for a lost database, else as is. */
function translate(err: unknown): unknown {
  if (isEarshotError(err) || !isConnectionLost(err)) return translateDiskFull(err);
  const reason = (err as { code?: unknown }).code ?? (err as Error).message;
  return new EarshotError('STORE_DATABASE_UNAVAILABLE', { reason: String(reason).slice(0, 80) }, { cause: err });
}

/** Without parameters, the simple protocol (which also runs a migration's several statements). */
const query = (c: pg.Pool | pg.PoolClient, sql: string, params: unknown[]) => (params.length ? c.query(toPg(sql), params) : c.query(sql));

const rethrow = (err: unknown): never => {
  throw translate(err);
};

function querier(c: pg.Pool | pg.PoolClient): Sql {
  return {
    async get<T>(sql: string, params: unknown[] = []) {
      return (await query(c, sql, params).catch(rethrow)).rows[0] as T | undefined;
    },
    async all<T>(sql: string, params: unknown[] = []) {
      return (await query(c, sql, params).catch(rethrow)).rows as T[];
    },
    async run(sql: string, params: unknown[] = []) {
      return (await query(c, sql, params).catch(rethrow)).rowCount ?? 0;
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

  private constructor(
    readonly url: string,
    max: number,
  ) {
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
    await this.tx(
      async (q) => {
        await q.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
        const row = await q.get<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
        const applied = row?.v ?? 0;
        for (const [v, sql] of MIGRATIONS.entries()) {
          if (v < applied) continue;
          await q.run(sql);
          await q.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [v + 1, Date.now()]);
        }
      },
      [MIGRATION_LOCK],
    );
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
    const { client, done } = await this.checkout().catch(rethrow);
    let broken: unknown;
    try {
      await client.query('BEGIN').catch(rethrow);
      // always in the same order, so two transactions wanting the same locks cannot deadlock
      for (const key of [...new Set(locks)].sort()) await client.query(lockSql, [key]).catch(rethrow);
      // fn's queries translate their own errors; anything else it throws (S3, a bug) passes as it is
      const value = await fn(querier(client));
      await client.query('COMMIT').catch(rethrow);
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch((e) => (broken = e));
      throw translateDiskFull(err);
    } finally {
      done(broken);
    }
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const { client, done } = await this.checkout(this.lockPool).catch(rethrow);
    let broken: unknown;
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]).catch((e) => {
        broken = e;
        return rethrow(e);
      });
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
      // Only non-blocking statements run here, so a bounded wait for each (query_timeout) is safe: a connection
      // whose peer vanished (no RST: a cut link) fails its next statement in seconds and is replaced, never
      // awaited for ever; keep-alive notices it even while idle.
      const client = new pg.Client({
        connectionString: this.url,
        types,
        keepAlive: true,
        connectionTimeoutMillis: 10_000,
        query_timeout: LOCK_STATEMENT_TIMEOUT_MS,
      });
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

  /** Forget the try-lock connection `stale` (its server-side locks die with it) so the next call opens a new one. */
  private dropLockConnection(stale: Promise<pg.Client>): void {
    if (this.lockClient === stale) this.lockClient = undefined;
    stale.then((c) => c.end()).catch(() => {});
  }

  /**
   * Take `key` on the try-lock connection. A connection that went stale (the server restarted, the link was cut:
   * its first statement fails with ECONNRESET or "Connection terminated") is dropped and the try made once more
   * on a fresh one; a database still out of reach is STORE_DATABASE_UNAVAILABLE (503, retryable), never a 500.
   */
  private async tryLock(key: string): Promise<{ conn: Promise<pg.Client>; client: pg.Client; got: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const conn = this.lockConnection();
      try {
        const client = await conn;
        const got = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [key])).rows[0]?.ok;
        return { conn, client, got: got === true };
      } catch (err) {
        if (!isConnectionLost(err)) throw translate(err);
        this.dropLockConnection(conn);
        if (attempt > 0) throw translate(err);
      }
    }
  }

  async tryExclusive<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.held.has(key)) return { ran: false };
    this.held.add(key);
    try {
      const { conn, client, got } = await this.tryLock(key);
      if (!got) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        // an unlock that cannot reach the server: the connection is gone (and the lock with it) or stuck; replace it
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch((err) => {
          if (isConnectionLost(err)) this.dropLockConnection(conn);
        });
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
