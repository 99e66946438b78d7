// The SQLite backend of Db: async wrappers over better-sqlite3's synchronous statements (prepared once, cached),
// so the hot reads keep their speed; transactions are one at a time (BEGIN IMMEDIATE), and locks are in-process
// (one node holds the database file, so in-process is cluster-wide).

import type Database from 'better-sqlite3';
import { KeyedMutex, Mutex, type Db, type Sql } from './sql.js';
import { translateDiskFull } from './disk-full.js';

export class SqliteDb implements Db {
  readonly dialect = 'sqlite';
  readonly greatest = 'max';
  private readonly stmts = new Map<string, Database.Statement>();
  /** one transaction at a time; writes outside a transaction wait for the open one */
  private readonly writer = new Mutex();
  private readonly locks = new KeyedMutex();
  private readonly exclusive = new Set<string>();
  /** queries inside a transaction (they must not wait for the writer lock the transaction holds) */
  private readonly inTx: Sql = {
    get: async (sql, params) => this.getNow(sql, params),
    all: async (sql, params) => this.allNow(sql, params),
    run: async (sql, params) => this.runNow(sql, params),
  };

  constructor(readonly raw: Database.Database) {}

  private prepare(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.raw.prepare(sql)));
    return s;
  }

  private getNow<T>(sql: string, params: unknown[] = []): T | undefined {
    return this.prepare(sql).get(...params) as T | undefined;
  }

  private allNow<T>(sql: string, params: unknown[] = []): T[] {
    return this.prepare(sql).all(...params) as T[];
  }

  private runNow(sql: string, params: unknown[] = []): number {
    try {
      return this.prepare(sql).run(...params).changes;
    } catch (err) {
      throw translateDiskFull(err);
    }
  }

  async get<T>(sql: string, params?: unknown[]): Promise<T | undefined> {
    return this.getNow<T>(sql, params);
  }

  async all<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.allNow<T>(sql, params);
  }

  async run(sql: string, params?: unknown[]): Promise<number> {
    if (!this.writer.locked) return this.runNow(sql, params);
    return this.writer.run(async () => this.runNow(sql, params));
  }

  tx<T>(fn: (q: Sql) => Promise<T>, _locks?: string[]): Promise<T> {
    // SQLite has one writer: serialising transactions covers every lock a caller could ask for
    return this.writer.run(async () => {
      try {
        this.raw.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw translateDiskFull(err);
      }
      try {
        const value = await fn(this.inTx);
        this.raw.exec('COMMIT');
        return value;
      } catch (err) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw translateDiskFull(err);
      }
    });
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(key, fn);
  }

  async tryExclusive<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.exclusive.has(key)) return { ran: false };
    this.exclusive.add(key);
    try {
      return { ran: true, value: await fn() };
    } finally {
      this.exclusive.delete(key);
    }
  }

  async once<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T }> {
    return { ran: true, value: await this.locks.run(`once:${key}`, fn) };
  }

  async schemaVersion(): Promise<number> {
    return this.raw.pragma('user_version', { simple: true }) as number;
  }

  async ping(): Promise<void> {
    this.getNow('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.raw.open) this.raw.close();
  }
}
