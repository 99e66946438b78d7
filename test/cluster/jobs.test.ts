// The durable job queue (src/analysis/jobs/pg-boss.ts) on a real PostgreSQL, without namespaces: one job per
// analysis key, retries with growing back-off into the dead-letter queue with the last reason, and leases — a job
// whose worker's session holds its lease is left alone, one whose lease nobody holds is handed on.
// Needs root (PostgreSQL runs as the postgres user) and .ci/run's packages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { PostgresDb } from '../../src/store/postgres.js';
import { DEAD_LETTER_QUEUE, leaseKey, PgJobs, queueFor, type JobMeta } from '../../src/analysis/jobs/pg-boss.js';
import { requireRoot, startPostgres, waitFor, type PostgresServer } from './index.js';

describe('pg-boss analysis jobs', { timeout: 120_000 }, () => {
  let pg: PostgresServer | undefined;
  let db: PostgresDb | undefined;
  let jobs: PgJobs | undefined;
  const Q = [queueFor('pocketsphinx'), queueFor('any')];

  before(async () => {
    requireRoot('test/cluster/jobs.test.ts');
    pg = await startPostgres();
    db = await PostgresDb.open(pg.url);
    jobs = new PgJobs(pg.url, db, pino({ level: 'silent' }), { retryDelaySec: 1, leaseGraceSec: 1 });
    await jobs.start();
  });
  after(async () => {
    await jobs?.stop();
    await db?.close();
    await pg?.stop();
  });

  const fetchOne = (queues = Q) => waitFor('a job to fetch', () => jobs!.fetch(queues), 20_000, 200) as Promise<JobMeta>;

  it('queues one job per analysis key: a second enqueue joins the waiting one', async () => {
    const data = { scope: 'p', sha256: 'a'.repeat(64) };
    const first = await jobs!.enqueue(data, 'pocketsphinx');
    assert.ok(first);
    assert.equal(await jobs!.enqueue(data, 'pocketsphinx'), null);
    assert.equal((await jobs!.progress(data))?.jobId, first);
    assert.equal(await jobs!.hasLiveJob(data), true);
    const job = await fetchOne();
    assert.equal(job.id, first);
    assert.equal(job.retryCount, 0);
    await jobs!.complete(job);
    assert.equal(await jobs!.hasLiveJob(data), false);
  });

  it('retries a failing job with growing back-off, then dead-letters it with the last reason', async () => {
    const data = { scope: 'p', sha256: 'b'.repeat(64) };
    const id = await jobs!.enqueue(data, 'any');
    const gaps: number[] = [];
    let last = Date.now();
    for (let attempt = 0; attempt < 3; attempt++) {
      const job = await fetchOne();
      assert.equal(job.id, id);
      assert.equal(job.retryCount, attempt, 'the attempt count travels with the job');
      if (attempt > 0) gaps.push(Date.now() - last);
      await jobs!.fail(job, `crash number ${attempt + 1}`);
      last = Date.now();
    }
    assert.ok(gaps[0] >= 900, `first retry waited ${gaps[0]} ms (≥ 1 s)`);
    assert.ok(gaps[1] >= 1900, `second retry waited ${gaps[1]} ms (≥ 2 s: doubled)`);
    const dead = await fetchOne([DEAD_LETTER_QUEUE]);
    assert.deepEqual({ scope: dead.data.scope, sha256: dead.data.sha256 }, data);
    assert.equal(dead.output?.message, 'crash number 3', 'the dead letter carries the last reason');
    await jobs!.complete(dead);
    assert.equal((await jobs!.stats()).failed >= 1, true);
  });

  it('leaves a job whose lease is held, hands on one whose lease nobody holds', async () => {
    const held = { scope: 'p', sha256: 'c'.repeat(64) };
    const lost = { scope: 'p', sha256: 'd'.repeat(64) };
    await jobs!.enqueue(held, 'any');
    const a = await fetchOne();
    let release!: () => void;
    const holding = db!.withLock(leaseKey(a.id), () => new Promise<void>((r) => (release = r)));
    await jobs!.enqueue(lost, 'any');
    const b = await fetchOne();
    assert.notEqual(a.id, b.id);
    await new Promise((r) => setTimeout(r, 1500)); // past the grace
    const handedOn = await jobs!.reapLostLeases();
    assert.equal(handedOn, 1, 'only the job without a lease');
    const again = await fetchOne();
    assert.equal(again.id, b.id, 'the lost job comes back to be taken by a live worker');
    assert.equal(again.retryCount, 1);
    assert.equal(jobs!.counts.handedOn, 1);
    release();
    await holding;
    await jobs!.complete(again);
    await jobs!.complete(a);
  });
});
