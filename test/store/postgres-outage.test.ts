// The PostgreSQL backend through an outage, on a real PostgreSQL (Debian's, started by test/cluster): while the
// server is down every call fails fast with the retryable STORE_DATABASE_UNAVAILABLE (503), never a raw driver
// error (500) nor a wait; once it is back, the try-lock connection that died with it is replaced by itself.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PostgresServer } from '../cluster/index.js';
import { PostgresDb } from '../../src/store/postgres.js';
import { EarshotError, isEarshotError } from '../../src/domain/errors.js';

let pg: PostgresServer;
let db: PostgresDb;

before(async () => {
  pg = await startPostgres();
  db = await PostgresDb.open(pg.url);
});

after(async () => {
  await db?.close();
  await pg?.stop();
});

const unavailable = (err: unknown) => {
  assert.ok(isEarshotError(err, 'STORE_DATABASE_UNAVAILABLE'), `STORE_DATABASE_UNAVAILABLE, got ${String(err)}`);
  assert.equal((err as EarshotError).httpStatus, 503);
  return true;
};

it('a database that went down answers 503 UNAVAILABLE; the try-lock connection is replaced once it is back', async () => {
  // the try-lock connection is open and has served
  assert.deepEqual(await db.tryExclusive('k', async () => 1), { ran: true, value: 1 });
  assert.equal((await db.get<{ one: number }>('SELECT 1 AS one'))?.one, 1);

  await pg.down({ mode: 'immediate' });
  try {
    const started = Date.now();
    await assert.rejects(db.get('SELECT 1'), unavailable);
    await assert.rejects(
      db.tx(async (q) => q.run('SELECT 1')),
      unavailable,
    );
    await assert.rejects(
      db.tryExclusive('k', async () => 1),
      unavailable,
    );
    await assert.rejects(
      db.withLock('k', async () => 1),
      unavailable,
    );
    assert.ok(Date.now() - started < 15_000, 'failed fast, not after a hang');
  } finally {
    await pg.up();
  }

  // the same PostgresDb, no restart: queries, locks and try-locks work again
  assert.equal((await db.get<{ one: number }>('SELECT 1 AS one'))?.one, 1);
  assert.deepEqual(await db.tryExclusive('k', async () => 2), { ran: true, value: 2 });
  assert.equal(await db.withLock('k', async () => 3), 3);
});

it('a try-lock connection killed under it (its backend terminated) is replaced on the next try, not a 500', async () => {
  assert.deepEqual(await db.tryExclusive('k2', async () => 1), { ran: true, value: 1 });
  const r = await pg.psql(
    'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Number(r.stdout.trim()) >= 1, 'our connections were terminated');
  assert.deepEqual(await db.tryExclusive('k2', async () => 2), { ran: true, value: 2 });
  // while one holder runs, another on this node or a fresh connection is refused, not let in twice
  const inner = await db.tryExclusive('k2', async () => db.tryExclusive('k2', async () => 'twice'));
  assert.deepEqual(inner, { ran: true, value: { ran: false } });
});
