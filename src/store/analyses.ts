// The analyses table and its in-memory LRU (lru-cache): the one owner of stored analyses — lookup, results,
// retention (inline results expire; file results go with the project's last file) and deletion, which it
// announces so that work still running for deleted content is cancelled and never written back.

import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Db, Sql } from './sql.js';
import type { AudioAnalysis } from '../domain/analysis.js';
import { hintsKey, type TranscriptionHints } from '../domain/hints.js';

/**
 * Analyses are kept per scope (the project, or SHARED_SCOPE when sharing across projects is configured), content and
 * hints: `hints` '' (or absent) is the file's base analysis; a hinted one (made with languages, vocabulary or
 * translation asked by a request) reuses the base's listening and differs only in its transcript.
 */
export interface AnalysisKey {
  scope: string;
  sha256: string;
  /** storedHintsKey(hints): '' for the base analysis */
  hints?: string;
}

export const SHARED_SCOPE = '*';

export const keyString = (k: AnalysisKey): string => (k.hints ? `${k.scope}/${k.sha256}?${k.hints}` : `${k.scope}/${k.sha256}`);

/** The same key without hints: the base analysis a hinted one is made from. */
export const baseKey = (k: AnalysisKey): AnalysisKey => ({ scope: k.scope, sha256: k.sha256 });

/** Longest hints key kept as it is; longer ones (a long prompt) are kept as their SHA-256, within index limits. */
const MAX_HINTS_KEY = 200;

/** The hints key as the store keeps it (a column of the key, a job's singleton key, a lock name): bounded in length. */
export function storedHintsKey(hints: TranscriptionHints | undefined): string {
  const key = hintsKey(hints);
  return key.length <= MAX_HINTS_KEY ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

const hintsOf = (k: AnalysisKey) => k.hints ?? '';

export interface AnalysisStatus {
  status: 'none' | 'queued' | 'running' | 'done' | 'failed';
  stage: string;
  fraction: number;
  error?: string;
}

interface Row {
  status: AnalysisStatus['status'];
  stage: string;
  fraction: number;
  result: string | null;
  error: string | null;
}

export interface AnalysisStoreOptions {
  /** one analysis per content for all projects (reveals to a project that another sent the same audio) */
  shareAcrossProjects: boolean;
  /** parsed results kept in memory */
  cacheEntries?: number;
}

export class AnalysisStore {
  private readonly cache: LRUCache<string, AudioAnalysis>;
  private readonly removedListeners = new Set<(key: AnalysisKey) => void>();

  constructor(
    private readonly db: Db,
    private readonly opts: AnalysisStoreOptions,
  ) {
    this.cache = new LRUCache({ max: opts.cacheEntries ?? 32 });
  }

  /** The key under which a project's analysis of this content (made with these hints, if any) is kept. */
  keyFor(project: string, sha256: string, hints?: TranscriptionHints): AnalysisKey {
    const key: AnalysisKey = { scope: this.opts.shareAcrossProjects ? SHARED_SCOPE : project, sha256 };
    const h = storedHintsKey(hints);
    return h ? { ...key, hints: h } : key;
  }

  private row(key: AnalysisKey): Promise<Row | undefined> {
    return this.db.get<Row>('SELECT status, stage, fraction, result, error FROM analyses WHERE scope = ? AND sha256 = ? AND hints = ?', [
      key.scope,
      key.sha256,
      hintsOf(key),
    ]);
  }

  /** The finished analysis, from memory or the database. */
  async get(key: AnalysisKey): Promise<AudioAnalysis | undefined> {
    const id = keyString(key);
    const hit = this.cache.get(id);
    if (hit) return hit;
    const row = await this.row(key);
    if (row?.status !== 'done' || !row.result) return undefined;
    const analysis = JSON.parse(row.result) as AudioAnalysis;
    if (analysis.loudnessDb === null) analysis.loudnessDb = -Infinity;
    this.cache.set(id, analysis);
    return analysis;
  }

  async status(key: AnalysisKey): Promise<AnalysisStatus> {
    const row = await this.row(key);
    if (!row) return { status: 'none', stage: 'none', fraction: 0 };
    return { status: row.status, stage: row.stage, fraction: row.fraction, ...(row.error ? { error: row.error } : {}) };
  }

  /**
   * Record that this analysis is wanted and queued. `expireTime` null: a file uses it (it lives as long
   * as the scope has a file of this content); a time: inline use only (swept after it).
   */
  async begin(key: AnalysisKey, expireTime: number | null): Promise<void> {
    const g = this.db.greatest;
    await this.db.run(
      `INSERT INTO analyses (scope, sha256, hints, status, stage, fraction, result, error, update_time, expire_time)
       VALUES (?, ?, ?, 'queued', 'queued', 0, NULL, NULL, ?, CAST(? AS BIGINT))
       ON CONFLICT(scope, sha256, hints) DO UPDATE SET status = 'queued', stage = 'queued', fraction = 0, result = NULL, error = NULL,
         update_time = excluded.update_time,
         expire_time = CASE WHEN analyses.expire_time IS NULL OR excluded.expire_time IS NULL THEN NULL
                            ELSE ${g}(analyses.expire_time, excluded.expire_time) END`,
      [key.scope, key.sha256, hintsOf(key), Date.now(), expireTime],
    );
  }

  /** A new use of an existing analysis: a file makes it permanent, an inline use extends its lifetime. */
  async retain(key: AnalysisKey, expireTime: number | null): Promise<void> {
    await this.db.run(
      `UPDATE analyses SET expire_time = CASE WHEN CAST(? AS BIGINT) IS NULL OR expire_time IS NULL THEN NULL
                                              ELSE ${this.db.greatest}(expire_time, CAST(? AS BIGINT)) END
       WHERE scope = ? AND sha256 = ? AND hints = ?`,
      [expireTime, expireTime, key.scope, key.sha256, hintsOf(key)],
    );
  }

  private settle(
    key: AnalysisKey,
    status: 'done' | 'failed',
    stage: string,
    fraction: number,
    result: string | null,
    error: string | null,
  ): Promise<number> {
    return this.db.run(
      `UPDATE analyses SET status = ?, stage = ?, fraction = ?, result = ?, error = ?, update_time = ?
       WHERE scope = ? AND sha256 = ? AND hints = ? AND status IN ('queued', 'running')`,
      [status, stage, fraction, result, error, Date.now(), key.scope, key.sha256, hintsOf(key)],
    );
  }

  /** Store the result. False (nothing written) when the analysis was removed meanwhile. */
  async complete(key: AnalysisKey, analysis: AudioAnalysis): Promise<boolean> {
    const changed = await this.settle(key, 'done', 'done', 1, JSON.stringify(analysis), null);
    if (changed > 0) this.cache.set(keyString(key), analysis);
    return changed > 0;
  }

  /** Record a failure (unless the analysis was removed meanwhile). */
  async fail(key: AnalysisKey, stage: string, fraction: number, message: string): Promise<void> {
    await this.settle(key, 'failed', stage, fraction, null, message);
  }

  /** Keep a result in memory only (the database could not take it, e.g. a full disk). */
  rememberOnly(key: AnalysisKey, analysis: AudioAnalysis): void {
    this.cache.set(keyString(key), analysis);
  }

  /** Subscribe to removals (the queue cancels the work of removed analyses). */
  onRemoved(listener: (key: AnalysisKey) => void): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  /**
   * A file of this content went (called inside the file deletion's transaction `q`): drop the project's
   * analyses (base and hinted) when it has no other file of it, and every file-backed one when no file at all uses
   * it. Returns the keys removed; pass them to announceRemoved once the transaction has committed.
   */
  async released(q: Sql, project: string, sha256: string, leftInProject: number, leftAll: number): Promise<AnalysisKey[]> {
    const scopes: string[] = [];
    if (leftInProject === 0) scopes.push(project);
    if (leftAll === 0) {
      for (const { scope } of await q.all<{ scope: string }>('SELECT scope FROM analyses WHERE sha256 = ? AND expire_time IS NULL', [
        sha256,
      ])) {
        if (!scopes.includes(scope)) scopes.push(scope);
      }
      if (!scopes.includes(SHARED_SCOPE)) scopes.push(SHARED_SCOPE);
    }
    const keys: AnalysisKey[] = [];
    for (const scope of scopes) {
      // the base key always (its work may be queued before its row exists), and every hinted analysis of it
      keys.push({ scope, sha256 });
      for (const { hints } of await q.all<{ hints: string }>("SELECT hints FROM analyses WHERE scope = ? AND sha256 = ? AND hints <> ''", [
        scope,
        sha256,
      ]))
        keys.push({ scope, sha256, hints });
      await q.run('DELETE FROM analyses WHERE scope = ? AND sha256 = ?', [scope, sha256]);
    }
    return keys;
  }

  /** Forget removed analyses in memory and tell the listeners (after the deletion committed). */
  announceRemoved(keys: AnalysisKey[]): void {
    for (const k of keys) {
      this.cache.delete(keyString(k));
      for (const l of this.removedListeners) l(k);
    }
  }

  /** Remove one analysis (row, memory) and cancel its work; a base analysis takes its hinted ones with it. */
  async remove(key: AnalysisKey): Promise<void> {
    const keys = [key];
    if (!key.hints) {
      for (const { hints } of await this.db.all<{ hints: string }>(
        "SELECT hints FROM analyses WHERE scope = ? AND sha256 = ? AND hints <> ''",
        [key.scope, key.sha256],
      ))
        keys.push({ ...key, hints });
      await this.db.run('DELETE FROM analyses WHERE scope = ? AND sha256 = ?', [key.scope, key.sha256]);
    } else await this.db.run('DELETE FROM analyses WHERE scope = ? AND sha256 = ? AND hints = ?', [key.scope, key.sha256, key.hints]);
    this.announceRemoved(keys);
  }

  /** Remove inline analyses past their lifetime. Returns how many went (-1: another node is sweeping). */
  async sweepExpired(now = Date.now()): Promise<number> {
    const swept = await this.db.once('sweep:analyses', async () => {
      let n = 0;
      for (;;) {
        const batch = await this.db.all<Required<AnalysisKey>>(
          'SELECT scope, sha256, hints FROM analyses WHERE expire_time IS NOT NULL AND expire_time <= ? LIMIT 500',
          [now],
        );
        if (batch.length === 0) return n;
        for (const k of batch) await this.remove(k.hints ? k : baseKey(k));
        n += batch.length;
      }
    });
    return swept.ran ? swept.value : -1;
  }

  /** At start: inline analyses a restart interrupted cannot resume (their bytes were in a temp file); drop them. */
  dropInterruptedInline(): Promise<number> {
    return this.db.run("DELETE FROM analyses WHERE expire_time IS NOT NULL AND status IN ('queued', 'running')");
  }

  /** Analyses interrupted by a restart. */
  unfinished(): Promise<AnalysisKey[]> {
    return this.db.all<AnalysisKey>("SELECT scope, sha256, hints FROM analyses WHERE status IN ('queued', 'running')");
  }
}
