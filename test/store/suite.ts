// The store test suite, run against every backend pair (SQLite + disk, PostgreSQL + S3): files, paging, quotas and
// names under racing requests, an upload resumed on a second store instance (another node), the expiry sweeper
// running once, and migrations applied once. Each backend file calls storeSuite with its own factory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Store } from '../../src/store/open.js';
import type { Limits } from '../../src/config.js';
import { isEarshotError } from '../../src/domain/errors.js';

export interface Backend {
  /** a store instance; each call is another node on the same database and bytes */
  node(limits?: Partial<Limits>): Promise<Store>;
  /** opens the database again from scratch (a fresh node starting): resolves with its schema version */
  reopen(): Promise<number>;
  /** migrations expected */
  migrations: number;
  /** a database several nodes share (PostgreSQL), rather than one process's (SQLite) */
  shared: boolean;
}

const body = (b: Buffer | string) => Readable.from([Buffer.from(b)]);
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
let seq = 0;
const project = (what: string) => `p-${what}-${process.pid}-${++seq}`;

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Open several connections per node first, so the racing requests really run at once (not one per new connection). */
async function warm(nodes: Store[]): Promise<void> {
  const hold = () => new Promise((r) => setTimeout(r, 100));
  await Promise.all(
    nodes.flatMap((n) => Array.from({ length: 4 }, () => n.db.tx(async (q) => void (await q.get('SELECT 1'), await hold())))),
  );
}

async function upload(s: Store, p: string, content: Buffer | string, fileId?: string) {
  const session = await s.uploads.start(p, { mimeType: 'text/plain', ...(fileId ? { fileId } : {}) });
  return s.uploads.finalize(await s.uploads.writeChunk(session, 0, body(content)));
}

export function storeSuite(name: string, backend: () => Backend): void {
  test(`${name}: files CRUD, visibility and dedup by content`, async () => {
    const b = backend();
    const [a, other] = [await b.node(), await b.node()];
    const p = project('crud');
    const content = `hello ${randomBytes(8).toString('hex')}`;
    const f = await upload(a, p, content, 'greeting');
    assert.equal(f.sha256, sha(content));
    assert.equal(f.state, 'PROCESSING');
    assert.equal((await other.files.getVisible(p, 'greeting'))?.sha256, f.sha256, 'another node sees it');
    assert.equal(await other.files.getVisible('someone-else', 'greeting'), undefined, 'not another project');
    await other.files.setState(p, 'greeting', 'FAILED', { code: 400, message: 'nope' });
    await other.files.setProbe(p, 'greeting', { durationSec: 1.5 } as never);
    const got = (await a.files.getAny(p, 'greeting'))!;
    assert.deepEqual([got.state, got.error?.message, got.probe?.durationSec], ['FAILED', 'nope', 1.5]);
    // same bytes through the other node: one blob for both files
    const g = await upload(other, p, content);
    assert.equal(g.sha256, f.sha256);
    assert.equal((await readAll(await a.blobs.openRead(f.sha256))).toString(), content);
    assert.equal((await readAll(await other.blobs.openRead(f.sha256, { start: 1, end: 4 }))).toString(), content.slice(1, 5));
    await a.files.remove(p, f.id);
    assert.equal(await a.files.getAny(p, f.id), undefined);
    assert.ok(await a.blobs.exists(f.sha256), 'still used by the second file');
    await other.files.remove(p, g.id);
    assert.ok(!(await a.blobs.exists(f.sha256)), 'gone with the last file');
    assert.equal((await a.files.list(p, 10)).files.length, 0);
  });

  test(`${name}: list pages through every live file once, newest first`, async () => {
    const s = await backend().node();
    const p = project('list');
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const id = `f${String(i).padStart(2, '0')}`;
      ids.push(id);
      // pairs share a create time, so the id breaks ties
      const t = now - Math.floor(i / 2) * 1000;
      await s.files.insert({
        id,
        project: p,
        displayName: null,
        mimeType: 'text/plain',
        sizeBytes: 1,
        sha256: sha(id),
        createTime: t,
        updateTime: t,
        expireTime: now + 3600_000,
        state: 'ACTIVE',
      });
    }
    await s.files.insert({
      id: 'expired',
      project: p,
      displayName: null,
      mimeType: 'text/plain',
      sizeBytes: 1,
      sha256: sha('x'),
      createTime: now,
      updateTime: now,
      expireTime: now - 1,
      state: 'ACTIVE',
    });
    const seen: string[] = [];
    let cursor: { createTime: number; id: string } | undefined;
    let pages = 0;
    do {
      const page = await s.files.list(p, 10, cursor);
      seen.push(...page.files.map((f) => f.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    const expected = [...ids].sort((x, y) => Math.floor(Number(x.slice(1)) / 2) - Math.floor(Number(y.slice(1)) / 2) || (x < y ? 1 : -1));
    assert.deepEqual(seen, expected);
    assert.equal(await s.files.usedBytes(p), 25, 'the expired file is not counted');
  });

  test(`${name}: 8 parallel reservations on two nodes take the quota exactly`, async () => {
    const b = backend();
    const limits = { maxProjectBytes: 1000, maxFileBytes: 1000 };
    const nodes = [await b.node(limits), await b.node(limits)];
    const p = project('quota');
    // 100 bytes already stored: 900 left, so 3 of 8 reservations of 300 fit
    await upload(nodes[0], p, Buffer.alloc(100, 1));
    await warm(nodes);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => nodes[i % 2].uploads.start(p, { mimeType: 'text/plain', declaredSize: 300 })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 3, JSON.stringify(refused.map((r) => String(r.reason))));
    for (const r of refused) assert.ok(isEarshotError(r.reason, 'STORE_QUOTA_EXCEEDED'), String(r.reason));
  });

  test(`${name}: a file name is taken once per project, whatever node asks`, async () => {
    const b = backend();
    const nodes = [await b.node(), await b.node()];
    const [p, q] = [project('names'), project('names')];
    await warm(nodes);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => nodes[i % 2].uploads.start(p, { mimeType: 'text/plain', fileId: 'same' })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(isEarshotError(r.reason, 'STORE_FILE_EXISTS'), String(r.reason));
    // another project may use the name
    await upload(nodes[1], q, 'mine', 'same');
    assert.equal((await nodes[0].files.getVisible(q, 'same'))?.sha256, sha('mine'));
  });

  test(`${name}: an upload begun on one node is continued and finalized on another`, async () => {
    const b = backend();
    const [a, other] = [await b.node(), await b.node()];
    const p = project('resume');
    const content = randomBytes(13 * 1024 * 1024 + 12345);
    // chunks of awkward sizes: a big one, a small one (staged), another big one, the rest
    const cuts = [6 * 1024 * 1024 + 7, 1024 * 1024, 5 * 1024 * 1024 + 3];
    const session = await a.uploads.start(p, { mimeType: 'application/octet-stream', declaredSize: content.length, fileId: 'big' });
    let at = 0;
    let s = session;
    for (const [i, n] of cuts.entries()) {
      const node = i % 2 === 0 ? a : other;
      s = await node.uploads.writeChunk((await node.uploads.get(s.id))!, at, body(content.subarray(at, at + n)));
      at += n;
      assert.equal((await a.uploads.get(s.id))!.received, at);
    }
    assert.equal(await a.files.getVisible(p, 'big'), undefined, 'not visible before it is complete');
    const last = await other.uploads.writeChunk((await other.uploads.get(s.id))!, at, body(content.subarray(at)));
    const file = await a.uploads.finalize((await a.uploads.get(last.id))!);
    assert.equal(file.sha256, sha(content));
    assert.equal(file.sizeBytes, content.length);
    assert.ok((await readAll(await other.blobs.openRead(file.sha256))).equals(content));
    // one node throughout: the same digest without reading back
    const q = project('resume');
    const one = await a.uploads.start(q, { mimeType: 'application/octet-stream', declaredSize: content.length });
    const mid = await a.uploads.writeChunk(one, 0, body(content.subarray(0, 9_000_000)));
    const done = await a.uploads.finalize(await a.uploads.writeChunk(mid, 9_000_000, body(content.subarray(9_000_000))));
    assert.equal(done.sha256, file.sha256);
    assert.ok((await readAll(await a.blobs.openRead(file.sha256, { start: 100, end: 199 }))).equals(content.subarray(100, 200)));
    await a.files.remove(p, file.id);
    await a.files.remove(q, done.id);
    assert.ok(!(await a.blobs.exists(file.sha256)));
  });

  test(`${name}: a chunk cut off mid-way counts for nothing; resent on another node, the file is whole`, async () => {
    const b = backend();
    const [a, other] = [await b.node(), await b.node()];
    const p = project('torn');
    const content = randomBytes(11 * 1024 * 1024);
    const s = await a.uploads.start(p, { mimeType: 'application/octet-stream', declaredSize: content.length });
    const first = await a.uploads.writeChunk(s, 0, body(content.subarray(0, 3_000_000)));
    // 7 MB of the next chunk arrive (on S3, with the 3 MB staged before them, a first part goes out), then the client is gone
    const torn = new Readable({ read() {} });
    torn.push(content.subarray(3_000_000, 7_000_000));
    torn.push(content.subarray(7_000_000, 10_000_000));
    setTimeout(() => torn.destroy(new Error('client went away')), 50);
    await assert.rejects(a.uploads.writeChunk(first, 3_000_000, torn), (err) => isEarshotError(err, 'UPLOAD_CHUNK_INCOMPLETE'));
    const now = (await other.uploads.get(s.id))!;
    assert.equal(now.received, 3_000_000, 'nothing of the torn chunk counts');
    const rest = await other.uploads.writeChunk(now, 3_000_000, body(content.subarray(3_000_000)));
    const file = await other.uploads.finalize(rest);
    assert.equal(file.sha256, sha(content));
    assert.ok((await readAll(await a.blobs.openRead(file.sha256))).equals(content));
  });

  test(`${name}: two nodes writing the same chunk at once: one writes, the other is refused`, async () => {
    const b = backend();
    const nodes = [await b.node(), await b.node()];
    const p = project('busy');
    const content = randomBytes(200_000);
    const s = await nodes[0].uploads.start(p, { mimeType: 'application/octet-stream', declaredSize: content.length });
    // a slow body, so both writes are in flight together
    const slow = () => {
      const r = new Readable({ read() {} });
      for (const i of [0, 1, 2, 3]) {
        setTimeout(() => {
          r.push(content.subarray(i * 50_000, (i + 1) * 50_000));
          if (i === 3) r.push(null);
        }, i * 60);
      }
      return r;
    };
    const results = await Promise.allSettled(nodes.map((n) => n.uploads.writeChunk(s, 0, slow())));
    assert.equal(
      results.filter((r) => r.status === 'fulfilled').length,
      1,
      JSON.stringify(results.map((r) => r.status === 'rejected' && String(r.reason))),
    );
    for (const r of results) if (r.status === 'rejected') assert.ok(isEarshotError(r.reason, 'UPLOAD_BUSY'), String(r.reason));
    const file = await nodes[1].uploads.finalize((await nodes[1].uploads.get(s.id))!);
    assert.equal(file.sha256, sha(content));
  });

  test(`${name}: many deletions at once on one node all finish (locks never starve the pool)`, async () => {
    const s = await backend().node();
    const p = project('many');
    const files = await Promise.all(Array.from({ length: 24 }, (_, i) => upload(s, p, `many ${i} ${p}`)));
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('deletions stalled')), 20_000).unref());
    await Promise.race([Promise.all(files.map((f) => s.files.remove(p, f.id))), timeout]);
    assert.equal((await s.files.list(p, 100)).files.length, 0);
  });

  test(`${name}: analyses: queued, done, read on another node, inline ones expire, file ones go with the last file`, async () => {
    const b = backend();
    const [a, other] = [await b.node(), await b.node()];
    const p = project('analyses');
    const f = await upload(a, p, `audio-ish ${p}`);
    const key = a.analyses.keyFor(p, f.sha256);
    await a.analyses.begin(key, null);
    assert.equal((await other.analyses.status(key)).status, 'queued');
    const result = { durationSec: 2.5, loudnessDb: -20, engines: { speech: 'test' } } as never;
    assert.equal(await a.analyses.complete(key, result), true);
    assert.equal((await other.analyses.get(key))?.durationSec, 2.5, 'another node reads the stored result');
    assert.equal((await other.analyses.status(key)).status, 'done');
    // an inline analysis: kept until its expiry, extended by a later use, then swept
    const inline = a.analyses.keyFor(p, sha(`inline ${p}`));
    const now = Date.now();
    await a.analyses.begin(inline, now + 1000);
    await other.analyses.retain(inline, now + 5000);
    await a.analyses.fail(inline, 'speech', 0.5, 'engine broke');
    assert.deepEqual(await other.analyses.status(inline), { status: 'failed', stage: 'speech', fraction: 0.5, error: 'engine broke' });
    assert.equal(await other.analyses.sweepExpired(now + 2000), 0, 'the later use extended it');
    assert.equal(await other.analyses.sweepExpired(now + 6000), 1);
    assert.equal((await a.analyses.status(inline)).status, 'none');
    // removing the last file of the content removes its analyses (the project's and the shared scope's), announced
    const heard: string[] = [];
    a.analyses.onRemoved((k) => heard.push(k.scope));
    await a.files.remove(p, f.id);
    assert.deepEqual(heard.sort(), ['*', p].sort());
    assert.equal((await other.analyses.status(key)).status, 'none');
  });

  test(`${name}: hinted analyses: their own key beside the base, one for equal hints, expiring, gone with the file`, async () => {
    const b = backend();
    const [a, other] = [await b.node(), await b.node()];
    const p = project('hinted');
    const f = await upload(a, p, `hinted audio ${p}`);
    const base = a.analyses.keyFor(p, f.sha256);
    assert.equal(base.hints, undefined, 'no hints: the base key');
    assert.deepEqual(a.analyses.keyFor(p, f.sha256, { vocabulary: [' '] }), base, 'blank hints are no hints');
    const hinted = a.analyses.keyFor(p, f.sha256, { vocabulary: ['Zyxlander', 'Quentin'], languageCodes: ['en-us'] });
    assert.deepEqual(other.analyses.keyFor(p, f.sha256, { languageCodes: ['en-US'], vocabulary: ['Quentin', 'Zyxlander'] }), hinted);
    const translated = a.analyses.keyFor(p, f.sha256, { translate: true });
    // a long prompt keys as its hash (bounded for the index), still one per text
    const long = a.analyses.keyFor(p, f.sha256, { vocabulary: ['word '.repeat(200)] });
    assert.match(long.hints!, /^sha256:[0-9a-f]{64}$/);
    await a.analyses.begin(base, null);
    await a.analyses.complete(base, { durationSec: 3, loudnessDb: -20, engines: {}, segments: [] } as never);
    const now = Date.now();
    for (const [k, text] of [
      [hinted, 'with vocabulary'],
      [translated, 'translated'],
      [long, 'long prompt'],
    ] as const) {
      await a.analyses.begin(k, now + 60_000);
      assert.equal((await other.analyses.status(k)).status, 'queued');
      assert.equal(await a.analyses.complete(k, { durationSec: 3, loudnessDb: -20, engines: {}, segments: [{ text }] } as never), true);
    }
    assert.equal((await other.analyses.get(base))?.segments.length, 0, 'the base is untouched');
    assert.equal((await other.analyses.get(hinted))?.segments[0]?.text, 'with vocabulary');
    assert.equal((await other.analyses.get(translated))?.segments[0]?.text, 'translated');
    assert.equal((await other.analyses.get(long))?.segments[0]?.text, 'long prompt');
    // a hinted analysis of a file expires after its last use; the file's base does not
    await other.analyses.retain(hinted, now + 120_000);
    assert.equal(await other.analyses.sweepExpired(now + 90_000), 2, 'the translated and long ones went');
    assert.equal((await a.analyses.status(translated)).status, 'none');
    assert.equal((await a.analyses.status(hinted)).status, 'done', 'its later use kept it');
    assert.equal((await a.analyses.status(base)).status, 'done');
    // deleting the file removes its hinted analyses too, each announced (so their work is cancelled)
    const heard: string[] = [];
    a.analyses.onRemoved((k) => heard.push(`${k.scope}|${k.hints ?? ''}`));
    await a.files.remove(p, f.id);
    assert.ok(heard.includes(`${p}|${hinted.hints}`), `announced: ${heard.join(', ')}`);
    assert.ok(heard.includes(`${p}|`));
    for (const k of [base, hinted]) assert.equal((await other.analyses.status(k)).status, 'none');
    const left = await a.db.get<{ n: number }>('SELECT count(*) AS n FROM analyses WHERE sha256 = ?', [f.sha256]);
    assert.equal(Number(left?.n), 0);
  });

  test(`${name}: an expired inline base analysis takes its hinted ones with it`, async () => {
    const s = await backend().node();
    const p = project('hinted-inline');
    const content = sha(`inline ${p}`);
    const base = s.analyses.keyFor(p, content);
    const hinted = s.analyses.keyFor(p, content, { languageCodes: ['es'] });
    const now = Date.now();
    await s.analyses.begin(base, now + 1000);
    await s.analyses.begin(hinted, now + 50_000);
    assert.equal(await s.analyses.sweepExpired(now + 2000), 1);
    assert.equal((await s.analyses.status(hinted)).status, 'none');
  });

  test(`${name}: the expiry sweeper runs once across two nodes`, async () => {
    const b = backend();
    const nodes = [await b.node(), await b.node()];
    const p = project('sweep');
    const now = Date.now();
    const files = [];
    for (let i = 0; i < 12; i++) files.push(await upload(nodes[i % 2], p, `expiring ${i} ${p}`));
    // while one node sweeps, the other's sweep is skipped on a shared database (-1); the embedded one waits its turn
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let holding = true;
    const holder = nodes[0].db.once('sweep:files', async () => {
      entered();
      await gate;
      holding = false;
    });
    await inside;
    if (b.shared) assert.equal(await nodes[1].files.sweepExpired(now), -1);
    else {
      const waiting = nodes[1].files.sweepExpired(now).then((n) => (assert.equal(holding, false, 'ran only after the first'), n));
      await new Promise((r) => setTimeout(r, 50));
      release();
      assert.ok((await waiting) >= 0);
    }
    release();
    assert.equal((await holder).ran, true);
    // racing for real: every expired file removed once in all
    const expired = (await nodes[0].db.get<{ n: number }>('SELECT count(*) AS n FROM files WHERE expire_time <= ?', [now + 1e12]))!.n;
    assert.ok(expired >= 12);
    const counts = await Promise.all(nodes.map((n) => n.files.sweepExpired(now + 1e12)));
    assert.equal(
      counts.filter((c) => c > 0).reduce((x, y) => x + y, 0),
      expired,
      `counts ${counts}`,
    );
    assert.equal((await nodes[1].files.list(p, 100, undefined, now)).files.length, 0);
    for (const f of files) assert.ok(!(await nodes[0].blobs.exists(f.sha256)), 'bytes removed with the files');
  });

  test(`${name}: migrations are applied once, and again is a no-op`, async () => {
    const b = backend();
    const s = await b.node();
    assert.equal(await s.db.schemaVersion(), b.migrations);
    const again = await Promise.all([b.reopen(), b.reopen()]);
    assert.deepEqual(again, [b.migrations, b.migrations]);
  });
}
