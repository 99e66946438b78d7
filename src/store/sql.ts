// The one async face of the metadata database (SQLite embedded, or PostgreSQL shared by a cluster): queries with
// `?` placeholders, transactions that may take named locks, and the cluster-wide locks the stores rely on.

/** Queries; `?` placeholders in both dialects (PostgreSQL's $n are written by its backend). */
export interface Sql {
  get<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** a write; resolves with the rows it changed */
  run(sql: string, params?: unknown[]): Promise<number>;
}

export interface Db extends Sql {
  readonly dialect: 'sqlite' | 'postgres';
  /** the scalar "larger of two" function: max() in SQLite, greatest() in PostgreSQL */
  readonly greatest: string;
  /**
   * Run `fn` in one transaction. `locks` are taken first, for the transaction's length, across every node
   * sharing the database (PostgreSQL: pg_advisory_xact_lock; SQLite: its one writer at a time).
   */
  tx<T>(fn: (q: Sql) => Promise<T>, locks?: string[]): Promise<T>;
  /** Run `fn` holding a cluster-wide lock on `key`, waiting for it (outside any transaction). */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Run `fn` only if no one in the cluster (this node included) holds `key`; `ran: false` otherwise. */
  tryExclusive<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /**
   * A periodic job (the sweepers) that must not run twice at once: on a shared database it is skipped while
   * another node runs it (`ran: false`); on the embedded one a second caller waits for the first, then runs.
   */
  once<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /** the number of migrations applied */
  schemaVersion(): Promise<number>;
  /** a round trip (for /readyz) */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Runs async functions one at a time, in order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  private holders = 0;

  get locked(): boolean {
    return this.holders > 0;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.holders++;
    const run = this.tail.then(fn, fn).finally(() => this.holders--);
    this.tail = run.catch(() => {});
    return run;
  }
}

/** One Mutex per key, dropped when idle (in-process locks by name). */
export class KeyedMutex {
  private readonly locks = new Map<string, Mutex>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let m = this.locks.get(key);
    if (!m) this.locks.set(key, (m = new Mutex()));
    try {
      return await m.run(fn);
    } finally {
      if (!m.locked && this.locks.get(key) === m) this.locks.delete(key);
    }
  }
}
