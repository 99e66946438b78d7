// Smoke test of the cluster harness: real PostgreSQL, SeaweedFS (S3), two network namespaces and an nginx load
// balancer in front of one trivial HTTP server per namespace; reachability, spreading, failover on a cut link, a
// PostgreSQL outage, and nothing left behind. Needs root (fails, does not skip, without it) and .ci/run's packages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  createNetwork,
  listNamespaces,
  requireRoot,
  startLoadBalancer,
  startPostgres,
  startSeaweedFS,
  sweepCrashedRuns,
  waitFor,
  type LoadBalancer,
  type Network,
  type PostgresServer,
  type S3Server,
} from './index.js';

const NODE_PORT = 8080; // each namespace has its own port space
const SERVER = `require('http').createServer((q, s) => {
  s.setHeader('content-type', 'application/json');
  s.end(JSON.stringify({ node: process.env.NODE_NAME, url: q.url }));
}).listen(${NODE_PORT}, '0.0.0.0', () => console.log('listening'));`;

async function hit(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200, `status ${res.status} from ${url}`);
  return ((await res.json()) as { node: string }).node;
}

describe('cluster harness', { timeout: 120_000 }, () => {
  let pg: PostgresServer | undefined;
  let s3: S3Server | undefined;
  let net: Network | undefined;
  let lb: LoadBalancer | undefined;
  let client: S3Client | undefined;

  const cleanup = async () => {
    client?.destroy();
    await lb?.stop();
    await net?.destroy();
    await s3?.stop();
    await pg?.stop();
  };

  before(async () => {
    requireRoot('test/cluster/harness.test.ts');
    sweepCrashedRuns();
    [pg, s3, net] = await Promise.all([startPostgres(), startSeaweedFS(), createNetwork(2)]);
    client = s3.client();
    for (const ns of net.namespaces) {
      const child = net.spawn(ns.index, process.execPath, ['-e', SERVER], { env: { ...process.env, NODE_NAME: ns.name } });
      await waitFor(`HTTP server in ${ns.name}`, async () => (await hit(`http://${ns.address}:${NODE_PORT}/`)) === ns.name, 10_000).catch(
        (err) => {
          throw new Error(`${(err as Error).message}\n${child.output()}`);
        },
      );
    }
    lb = await startLoadBalancer({ upstreams: net.namespaces.map((n) => `${n.address}:${NODE_PORT}`) });
  });

  after(cleanup);

  it('gives each namespace its own address and reaches PostgreSQL from it', async () => {
    assert.ok(net && pg);
    for (const ns of net.namespaces) {
      const r = await net.exec(ns.index, 'psql', [pg.urlFor(net.hostAddress), '-X', '-tAc', 'SELECT host(inet_client_addr())']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), ns.address, 'the server sees the namespace address as the client');
    }
  });

  it('reaches the S3 server from each namespace with the standard AWS variables', async () => {
    assert.ok(net && s3 && client);
    for (const ns of net.namespaces) {
      const body = `hello from ${ns.name} ${randomBytes(4).toString('hex')}`;
      const r = await net.exec(ns.index, process.execPath, ['test/cluster/s3-probe.mjs', s3.bucket, `probe/${ns.name}`, body], {
        env: { ...process.env, ...s3.env(net.hostAddress) },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { key: `probe/${ns.name}`, body });
      const seen: GetObjectCommandOutput = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `probe/${ns.name}` }));
      assert.equal(await seen.Body!.transformToString(), body, 'the root namespace reads what the namespace wrote');
    }
  });

  it('serves put, ranged get, multipart upload, list and delete (path-style)', async () => {
    assert.ok(s3 && client);
    const Bucket = s3.bucket;
    const data = randomBytes(100_000);
    await client.send(new PutObjectCommand({ Bucket, Key: 'blobs/one', Body: data }));
    const ranged = await client.send(new GetObjectCommand({ Bucket, Key: 'blobs/one', Range: 'bytes=1000-1999' }));
    assert.equal(ranged.ContentRange, `bytes 1000-1999/${data.length}`);
    assert.deepEqual(Buffer.from(await ranged.Body!.transformToByteArray()), data.subarray(1000, 2000));

    const part1 = randomBytes(5 * 1024 * 1024); // S3's minimum size for every part but the last
    const part2 = randomBytes(12_345);
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'blobs/multi' }));
    assert.ok(UploadId);
    try {
      const p1 = await client.send(new UploadPartCommand({ Bucket, Key: 'blobs/multi', UploadId, PartNumber: 1, Body: part1 }));
      const p2 = await client.send(new UploadPartCommand({ Bucket, Key: 'blobs/multi', UploadId, PartNumber: 2, Body: part2 }));
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: 'blobs/multi',
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: p1.ETag },
              { PartNumber: 2, ETag: p2.ETag },
            ],
          },
        }),
      );
    } catch (err) {
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key: 'blobs/multi', UploadId })).catch(() => undefined);
      throw err;
    }
    const whole = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket, Key: 'blobs/multi' }))).Body!.transformToByteArray());
    assert.equal(whole.length, part1.length + part2.length);
    assert.ok(whole.equals(Buffer.concat([part1, part2])), 'the completed object is the parts in order');
    const across = await client.send(
      new GetObjectCommand({ Bucket, Key: 'blobs/multi', Range: `bytes=${part1.length - 10}-${part1.length + 9}` }),
    );
    assert.deepEqual(
      Buffer.from(await across.Body!.transformToByteArray()),
      whole.subarray(part1.length - 10, part1.length + 10),
      'a range across the part boundary',
    );

    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'blobs/' }));
    assert.deepEqual((listed.Contents ?? []).map((o) => o.Key).sort(), ['blobs/multi', 'blobs/one']);
    await client.send(new DeleteObjectCommand({ Bucket, Key: 'blobs/one' }));
    const after = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'blobs/' }));
    assert.deepEqual(
      (after.Contents ?? []).map((o) => o.Key),
      ['blobs/multi'],
    );
    await assert.rejects(client.send(new GetObjectCommand({ Bucket, Key: 'blobs/one' })), (err: Error) => err.name === 'NoSuchKey');

    // path-style: the bucket is the first path segment on the plain endpoint (no bucket.host virtual hosting)
    const anon = await fetch(`${s3.endpoint}/${Bucket}/blobs/multi`);
    assert.equal(anon.status, 403, 'the bucket is private: an unsigned path-style request is refused');
  });

  it('spreads requests over both nodes through the load balancer', async () => {
    assert.ok(lb && net);
    const seen = new Map<string, number>();
    for (let k = 0; k < 10; k++) {
      const node = await hit(`${lb.url}/spread/${k}`);
      seen.set(node, (seen.get(node) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), net.namespaces.map((n) => n.name).sort());
    for (const n of seen.values()) assert.ok(n >= 3, `round robin: ${JSON.stringify([...seen])}`);
    const logged = lb.accessLog().filter((e) => e.uri.startsWith('/spread/'));
    assert.equal(logged.length, 10);
    assert.deepEqual(new Set(logged.map((e) => e.upstreams.at(-1))), new Set(lb.upstreams));
  });

  it('fails over when a namespace is cut off, and takes it back when restored', async () => {
    assert.ok(lb && net && pg);
    const [a, b] = net.namespaces;
    await net.cut(a.index);
    try {
      const t0 = Date.now();
      for (let k = 0; k < 6; k++) assert.equal(await hit(`${lb.url}/cut/${k}`), b.name);
      assert.ok(Date.now() - t0 < 8000, `failover is quick (${Date.now() - t0} ms for 6 requests)`);
      const retried = lb.accessLog().filter((e) => e.uri.startsWith('/cut/') && e.upstreams.length > 1);
      assert.ok(retried.length >= 1, 'at least one request was retried on the other node');
      assert.equal(retried[0].upstreams[0], `${a.address}:${NODE_PORT}`);
      const cutOff = await net.exec(a.index, 'psql', [pg.urlFor(net.hostAddress), '-X', '-tAc', 'SELECT 1'], {
        env: { ...process.env, PGCONNECT_TIMEOUT: '2' },
      });
      assert.notEqual(cutOff.code, 0, 'the cut namespace cannot reach PostgreSQL');
    } finally {
      await net.restore(a.index);
    }
    await waitFor('the restored node to serve through the LB again', async () => (await hit(`${lb!.url}/back`)) === a.name, 15_000, 200);
  });

  it('fails queries while PostgreSQL is down and serves them again after a restart', async () => {
    assert.ok(pg && net);
    assert.equal((await pg.psql("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before')")).code, 0);
    await pg.down({ mode: 'immediate' });
    try {
      const down = await pg.psql('SELECT v FROM kept');
      assert.notEqual(down.code, 0);
      assert.match(down.stderr, /connection|refused|server/i);
      const fromNs = await net.exec(1, 'psql', [pg.urlFor(net.hostAddress), '-X', '-tAc', 'SELECT 1']);
      assert.notEqual(fromNs.code, 0, 'a namespace sees the outage too');
    } finally {
      await pg.up();
    }
    const back = await pg.psql('SELECT v FROM kept');
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.stdout.trim(), 'before', 'committed data survives the crash');
  });

  it('removes everything it created', async () => {
    assert.ok(net);
    const prefix = `earshot-${net.id}-`;
    assert.equal(listNamespaces(prefix).length, 2);
    await cleanup();
    assert.deepEqual(listNamespaces(prefix), []);
    assert.equal(sweepCrashedRuns().length, 0, 'nothing of a dead run was left to sweep');
  });
});
