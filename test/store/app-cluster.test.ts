// Two Earshot API nodes (in this process) configured for the cluster backends — a real PostgreSQL and a real
// SeaweedFS S3 gateway: an upload started through one node is finished through the other and read back from
// both, and /readyz names the database and the object store when either is down, and recovers without help.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { startPostgres, startSeaweedFS, type PostgresServer, type S3Server } from '../cluster/index.js';
import { startServer, type Running } from '../e2e/harness.js';

let pg: PostgresServer;
let s3: S3Server;
const nodes: Running[] = [];

before(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startSeaweedFS()]);
  Object.assign(process.env, s3.env());
  for (let i = 0; i < 2; i++) {
    nodes.push(
      await startServer({
        databaseUrl: pg.url,
        blobStore: `s3://${s3.bucket}/app`,
        s3Endpoint: s3.endpoint,
        offline: true,
        engines: { speech: 'none', sounds: 'none', vad: 'none' },
      }),
    );
  }
});

after(async () => {
  for (const n of nodes) await n.close();
  await Promise.all([pg?.stop(), s3?.stop()]);
});

const key = { 'x-goog-api-key': 'cluster' };

test('an upload begun on one API node is finished on the other; both serve the file with its SHA-256', async () => {
  const [a, b] = nodes;
  const bytes = Buffer.concat([Buffer.from('notes: '), randomBytes(6 * 1024 * 1024)]);
  const start = await fetch(`${a.url}/upload/v1beta/files`, {
    method: 'POST',
    headers: {
      ...key,
      'X-Goog-Upload-Protocol': 'resumable',
      'X-Goog-Upload-Command': 'start',
      'X-Goog-Upload-Header-Content-Length': String(bytes.length),
      'X-Goog-Upload-Header-Content-Type': 'text/plain',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ file: { displayName: 'notes' } }),
  });
  assert.equal(start.status, 200, await start.clone().text());
  const url = new URL(start.headers.get('x-goog-upload-url')!);
  const via = (node: Running) => `${node.url}${url.pathname}${url.search}`;
  const cut = 5 * 1024 * 1024 + 17;
  const first = await fetch(via(a), {
    method: 'POST',
    headers: { ...key, 'X-Goog-Upload-Command': 'upload', 'X-Goog-Upload-Offset': '0' },
    body: bytes.subarray(0, cut),
  });
  assert.equal(first.status, 200, await first.clone().text());
  // node b knows the session from the database alone
  const query = await fetch(via(b), { method: 'POST', headers: { ...key, 'X-Goog-Upload-Command': 'query' } });
  assert.equal(query.headers.get('x-goog-upload-size-received'), String(cut));
  const last = await fetch(via(b), {
    method: 'POST',
    headers: { ...key, 'X-Goog-Upload-Command': 'upload, finalize', 'X-Goog-Upload-Offset': String(cut) },
    body: bytes.subarray(cut),
  });
  assert.equal(last.status, 200, await last.clone().text());
  const file = ((await last.json()) as { file: { name: string; sha256Hash: string; sizeBytes: string } }).file;
  const hex = createHash('sha256').update(bytes).digest('hex');
  assert.equal(Buffer.from(file.sha256Hash, 'base64').toString('ascii'), hex);
  // ingest reads the bytes back from the object store (a local copy for the type sniffer) and settles the file
  let state = '';
  for (let i = 0; i < 100 && state !== 'ACTIVE'; i++) {
    state = ((await (await fetch(`${a.url}/v1beta/${file.name}`, { headers: key })).json()) as { state: string }).state;
    if (state !== 'ACTIVE') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(state, 'ACTIVE');
  for (const node of nodes) {
    const got = (await (await fetch(`${node.url}/v1beta/${file.name}`, { headers: key })).json()) as {
      sha256Hash: string;
      sizeBytes: string;
    };
    assert.equal(got.sha256Hash, file.sha256Hash);
    assert.equal(got.sizeBytes, String(bytes.length));
  }
  // the bytes are in the bucket at their content address, and readable by range from any node
  const range = await nodes[0].app.blobs.openRead(hex, { start: 0, end: 6 });
  let head = '';
  for await (const c of range) head += c;
  assert.equal(head, 'notes: ');
  assert.ok(path.isAbsolute(await nodes[1].app.blobs.localPath(hex)), 'a local copy for decoders');
});

test('/readyz names the object store and the database while they are down, and recovers on its own', async () => {
  const [a] = nodes;
  const ready = async () => (await (await fetch(`${a.url}/readyz`)).json()) as { problems?: Record<string, string> };
  const before = await ready();
  assert.equal(before.problems?.storage, undefined, JSON.stringify(before));
  assert.equal(before.problems?.objectStore, undefined, JSON.stringify(before));
  await pg.down({ mode: 'immediate' });
  try {
    const down = await ready();
    assert.ok(down.problems?.storage, `database reported: ${JSON.stringify(down)}`);
    const list = await fetch(`${a.url}/v1beta/files`, { headers: key });
    assert.ok(list.status >= 500, `a request fails cleanly while the database is down (${list.status})`);
  } finally {
    await pg.up();
  }
  let again = await ready();
  for (let i = 0; i < 50 && again.problems?.storage; i++) {
    await new Promise((r) => setTimeout(r, 200));
    again = await ready();
  }
  assert.equal(again.problems?.storage, undefined, JSON.stringify(again));
  assert.equal((await fetch(`${a.url}/v1beta/files`, { headers: key })).status, 200, 'serving again');
  await s3.stop();
  const noS3 = await ready();
  assert.ok(noS3.problems?.objectStore, `object store reported: ${JSON.stringify(noS3)}`);
});
