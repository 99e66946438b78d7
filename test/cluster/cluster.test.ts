// The multi-host proof of issue 12: real PostgreSQL, SeaweedFS (S3), two API nodes and two workers each in its own
// network namespace, nginx in front. Through the load balancer with @google/genai: upload, analyse, answer — the
// same answer as a single-node server. Faults: kill -9 a worker mid-analysis, cut an API node's link mid-upload,
// restart PostgreSQL mid-run, a file that crashes the analysis three times. Concurrency: 8 uploads through both API
// nodes, each content analysed once. The crashing file is made by a test-only switch on the workers
// (EARSHOT_TEST_CRASH_SHA256: the analysis child process SIGSEGVs on that content), since no real input that
// crashes ffmpeg or PocketSphinx is at hand. Needs root and .ci/run's packages (fails, does not skip, without them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleGenAI, createPartFromUri, createUserContent, type File as GenAIFile } from '@google/genai';
import {
  createNetwork,
  requireRoot,
  run,
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
import { fastDeadPeerDetection, FAST_ENGINES, NODE_PORT, pidOf, startNode, type ClusterEnv, type EarshotNode } from './nodes.js';
import { startServer, type Running } from '../e2e/harness.js';
import { SPEECH_DIR } from '../helpers.js';

const KEY = 'cluster-key';
const JFK = join(SPEECH_DIR, 'jfk.wav');
const CLIPS = ['0870', '0880', '0890', '0920'].map((n) => join(SPEECH_DIR, `sense_and_sensibility_01_austen_64kb-${n}.wav`));
const CRASHING = join(SPEECH_DIR, 'sense_and_sensibility_01_austen_64kb-0930.wav');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const ai = (baseUrl: string) => new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl } });

async function settled(client: GoogleGenAI, name: string, timeoutMs = 90_000): Promise<GenAIFile> {
  return waitFor(
    `${name} to leave PROCESSING`,
    async () => {
      const f = await client.files.get({ name });
      return f.state !== 'PROCESSING' && f;
    },
    timeoutMs,
    250,
  );
}

async function upload(baseUrl: string, file: string, mimeType = 'audio/wav'): Promise<GenAIFile> {
  return ai(baseUrl).files.upload({ file, config: { mimeType } });
}

describe('cluster: two API nodes, two workers, PostgreSQL, S3, nginx', { timeout: 300_000 }, () => {
  let pg: PostgresServer | undefined;
  let s3: S3Server | undefined;
  let net: Network | undefined;
  let lb: LoadBalancer | undefined;
  let single: Running | undefined;
  let env: ClusterEnv;
  let tmp: string;
  const nodes: EarshotNode[] = [];
  const retired: EarshotNode[] = [];
  const crashSha = sha(readFileSync(CRASHING));
  const workerEnv = { EARSHOT_TEST_CRASH_SHA256: crashSha };

  const psql = async (sql: string) => {
    const r = await pg!.psql(sql);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  /** analyses actually run, summed over the worker nodes' /metrics */
  const analysesRun = async () => {
    let n = 0;
    for (const w of nodes.filter((x) => x.role === 'worker' && x.proc.exitCode === null && x.proc.signalCode === null)) {
      const text = await (await fetch(`${w.url}/metrics`)).text();
      n += Number(/^earshot_analysis_duration_seconds_count (\d+)/m.exec(text)?.[1] ?? 0);
    }
    return n;
  };

  before(async () => {
    requireRoot('test/cluster/cluster.test.ts');
    sweepCrashedRuns();
    tmp = mkdtempSync(join(tmpdir(), 'earshot-cluster-'));
    [pg, s3, net] = await Promise.all([startPostgres(), startSeaweedFS(), createNetwork(4)]);
    await fastDeadPeerDetection(pg);
    env = { net, pg, s3, blobStore: `s3://${s3.bucket}/earshot` };
    // migrations and the job schema are applied once even when nodes start together
    const started = await Promise.all([
      startNode(env, 0, 'api'),
      startNode(env, 1, 'api'),
      startNode(env, 2, 'worker', workerEnv),
      startNode(env, 3, 'worker', workerEnv),
    ]);
    nodes.push(...started);
    lb = await startLoadBalancer({ upstreams: [0, 1].map((i) => `${net!.namespaces[i].address}:${NODE_PORT}`) });
    single = await startServer({
      engines: { speech: FAST_ENGINES.speech, sounds: FAST_ENGINES.sounds, speakers: FAST_ENGINES.speakers, vad: FAST_ENGINES.vad },
      offline: true,
    });
  });

  after(async () => {
    // EARSHOT_CLUSTER_LOGS=DIR keeps every node's output for a post-mortem
    if (process.env.EARSHOT_CLUSTER_LOGS)
      for (const n of [...nodes, ...retired])
        writeFileSync(join(process.env.EARSHOT_CLUSTER_LOGS, `node${n.ns}-${n.role}-${n.proc.pid}.log`), n.proc.output());
    await single?.close();
    for (const n of nodes) await n.stop().catch(() => {});
    await lb?.stop();
    await net?.destroy();
    await s3?.stop();
    await pg?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('each node says its role is ready; workers declare their engines as queues', async () => {
    for (const n of nodes) {
      const r = (await (await fetch(`${n.url}/readyz`)).json()) as { status: string; role: string };
      assert.deepEqual(r, { status: 'ready', role: n.role });
    }
    const worker = nodes.find((n) => n.role === 'worker')!;
    assert.match(worker.proc.output(), /earshot-analysis-pocketsphinx/, 'the worker took the PocketSphinx queue');
    // an API node runs no analysis process of its own
    const api = await (await fetch(`${nodes[0].url}/metrics`)).text();
    assert.match(api, /^earshot_jobs_waiting \d+/m);
  });

  it('upload, analyse and answer through the load balancer: the same answers as a single node', async () => {
    const client = ai(lb!.url);
    const f = await upload(lb!.url, JFK);
    const done = await settled(client, f.name!);
    assert.equal(done.state, 'ACTIVE', JSON.stringify(done.error));
    const one = ai(single!.url);
    const g = await upload(single!.url, JFK);
    assert.equal((await settled(one, g.name!)).state, 'ACTIVE');
    for (const prompt of ['Generate a transcript of the speech.', 'Describe this audio clip', 'What is said about the country?']) {
      const ask = (c: GoogleGenAI, file: GenAIFile) =>
        c.models.generateContent({
          model: 'gemini-2.5-flash',
          contents: createUserContent([createPartFromUri(file.uri!, file.mimeType!), prompt]),
        });
      const [viaCluster, viaSingle] = await Promise.all([ask(client, done), ask(one, g)]);
      assert.ok(viaCluster.text && viaCluster.text.length > 10, `an answer to "${prompt}"`);
      assert.equal(viaCluster.text, viaSingle.text, `"${prompt}": the cluster answers as one node does`);
    }
    // progress and the analysis are visible from either API node
    for (const n of nodes.filter((x) => x.role === 'api')) {
      const r = (await (await fetch(`${n.url}/v1beta/${done.name}:analysis`, { headers: { 'x-goog-api-key': KEY } })).json()) as {
        state: string;
        progress: { fraction: number };
        analysis?: unknown;
      };
      assert.equal(r.state, 'ACTIVE');
      assert.equal(r.progress.fraction, 1);
      assert.ok(r.analysis);
    }
  });

  it('8 files uploaded at once through both API nodes: each content analysed once, the quota counted once per file', async () => {
    const before = await analysesRun();
    // one key, one project: every file row here is this project's
    const usedBefore = Number(await psql('SELECT coalesce(sum(size_bytes), 0) FROM files'));
    // 4 contents, each sent once through each API node, all 8 at the same time
    const sends = CLIPS.flatMap((file) => [0, 1].map((i) => ({ file, via: nodes[i].url })));
    const files = await Promise.all(sends.map((s) => upload(s.via, s.file)));
    const client = ai(lb!.url);
    const states = await Promise.all(files.map((f) => settled(client, f.name!)));
    assert.deepEqual(
      states.map((s) => s.state),
      Array(8).fill('ACTIVE'),
    );
    assert.equal((await analysesRun()) - before, CLIPS.length, 'one analysis per distinct content across both workers');
    const bytes = sends.reduce((n, s) => n + readFileSync(s.file).length, 0);
    const used = Number(await psql('SELECT coalesce(sum(size_bytes), 0) FROM files'));
    assert.equal(used - usedBefore, bytes, 'each file counted once in the quota');
    assert.equal(await psql("SELECT count(*) FROM uploads WHERE status = 'active'"), '0', 'no reservation left behind');
    for (const c of CLIPS) {
      const rows = await psql(`SELECT count(*) FROM analyses WHERE sha256 = '${sha(readFileSync(c))}' AND status = 'done'`);
      assert.equal(rows, '1', 'one stored analysis per content');
    }
  });

  it('kill -9 of a worker mid-analysis: the job completes on the other worker', async () => {
    // half a minute of speech (jfk three times), long enough to be caught mid-analysis
    const long = join(tmp, 'long.wav');
    const r = await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      ...Array(3).fill(['-i', JFK]).flat(),
      '-filter_complex',
      'concat=n=3:v=0:a=1',
      long,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const client = ai(lb!.url);
    const f = await upload(lb!.url, long);
    const key = sha(readFileSync(long));
    const worker = await waitFor(
      'a worker to report progress',
      async () => {
        const w = await psql(`SELECT worker FROM earshot_job_progress WHERE sha256 = '${key}' AND worker IS NOT NULL AND stage <> 'done'`);
        return w || undefined;
      },
      30_000,
      100,
    );
    const victim = nodes.find((n) => n.role === 'worker' && n.proc.pid === pidOf(worker));
    assert.ok(victim, `the worker ${worker} is one of ours`);
    victim.kill();
    retired.push(victim);
    const killedAt = Date.now();
    const done = await settled(client, f.name!, 120_000);
    assert.equal(done.state, 'ACTIVE', JSON.stringify(done.error));
    const finisher = await psql(`SELECT worker FROM earshot_job_progress WHERE sha256 = '${key}'`);
    assert.notEqual(pidOf(finisher), victim.proc.pid, 'another worker finished it');
    console.log(`# kill -9 → ACTIVE on the other worker in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
    // bring the killed worker back for the tests that follow
    nodes[nodes.indexOf(victim)] = await startNode(env, victim.ns, 'worker', workerEnv);
  });

  it("cut an API node's link mid-upload: the client resumes through the other node and the SHA-256 matches", async () => {
    const data = randomBytes(12 * 1024 * 1024 + 12345);
    const headers = { 'x-goog-api-key': KEY };
    const start = await fetch(`${lb!.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        'x-goog-upload-protocol': 'resumable',
        'x-goog-upload-command': 'start',
        'x-goog-upload-header-content-length': String(data.length),
        'x-goog-upload-header-content-type': 'application/octet-stream',
      },
      body: JSON.stringify({ file: { displayName: 'cut-mid-upload' } }),
    });
    assert.equal(start.status, 200);
    const uploadUrl = start.headers.get('x-goog-upload-url')!;
    // the session URL names the load balancer (the nodes accept its Host), not the node that answered: a client
    // holding a node's own address would resume at the node it just lost
    assert.ok(uploadUrl.startsWith(`${lb!.url}/`), `the upload URL names the load balancer: ${uploadUrl}`);
    const chunk = 8 * 1024 * 1024;
    // first chunk through node 0 directly, then the second is cut off halfway: node 0's link goes down under it
    const direct = uploadUrl.replace(lb!.url, nodes[0].url);
    const first = await fetch(direct, {
      method: 'POST',
      headers: { ...headers, 'x-goog-upload-command': 'upload', 'x-goog-upload-offset': '0' },
      body: data.subarray(0, chunk),
    });
    assert.equal(first.status, 200, await first.text());
    const half = data.subarray(chunk, chunk + 2 * 1024 * 1024);
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        ctl.enqueue(half);
        await net!.cut(0);
        await new Promise((r) => setTimeout(r, 60_000)); // never finishes: the link is gone
      },
    });
    const cutOff = await fetch(direct, {
      method: 'POST',
      headers: { ...headers, 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': String(chunk) },
      body,
      duplex: 'half',
      signal: AbortSignal.timeout(4000),
    } as RequestInit).catch((err: Error) => err);
    assert.ok(cutOff instanceof Error, 'the request through the cut node did not complete');
    try {
      // the client asks the load balancer where the upload stands (node 1 answers) and sends the rest; a fresh
      // client process (curl), so no connection of the cut-off request is reused
      const curl = async (command: string, offset?: number, bodyFile?: string) => {
        const r = await run(
          'curl',
          [
            '-s',
            '-i',
            '-m',
            '20',
            '-X',
            'POST',
            '-H',
            `x-goog-api-key: ${KEY}`,
            '-H',
            `x-goog-upload-command: ${command}`,
            ...(offset === undefined ? [] : ['-H', `x-goog-upload-offset: ${offset}`]),
            ...(bodyFile ? ['--data-binary', `@${bodyFile}`] : []),
            uploadUrl,
          ],
          { timeoutMs: 25_000 },
        );
        // curl sends `Expect: 100-continue` with a large body: skip the interim 100 Continue head(s)
        const blocks = r.stdout.split('\r\n\r\n');
        while (blocks.length > 1 && /^HTTP\/[\d.]+ 1\d\d/.test(blocks[0] ?? '')) blocks.shift();
        const [head, ...rest] = blocks;
        return {
          code: r.code,
          status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(head ?? '')?.[1] ?? 0),
          head: head ?? '',
          body: rest.join('\r\n\r\n'),
          err: r.stderr,
        };
      };
      const tries: string[] = [];
      const q = await waitFor(
        'the other node to answer the upload query',
        async () => {
          const res = await curl('query');
          tries.push(`${res.code}/${res.status}`);
          return res.status === 200 && res;
        },
        40_000,
        500,
      ).catch(async (err: Error) => {
        const probe = async (args: string[]) =>
          (await run('curl', ['-s', '-m', '5', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', ...args])).stdout;
        const diag = [
          `node1 readyz direct: ${await probe([`${nodes[1].url}/readyz`])}`,
          `LB readyz: ${await probe([`${lb!.url}/readyz`])}`,
          `LB POST files: ${await probe(['-X', 'POST', '-H', `x-goog-api-key: ${KEY}`, `${lb!.url}/v1beta/files`])}`,
          `node1 query direct: ${await probe(['-X', 'POST', '-H', `x-goog-api-key: ${KEY}`, '-H', 'x-goog-upload-command: query', uploadUrl.replace(lb!.url, nodes[1].url)])}`,
          `pg: ${(await pg!.psql("SELECT pid, state, wait_event_type, wait_event, left(query, 120) FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle'")).stdout}`,
          `locks: ${(await pg!.psql("SELECT locktype, relation::regclass, mode, granted, pid FROM pg_locks WHERE NOT granted OR locktype = 'advisory'")).stdout}`,
        ].join('\n');
        throw new Error(
          `${err.message}; ${diag}; attempts: ${tries.join(', ')}; LB: ${JSON.stringify(lb!.accessLog().slice(-6))}\nnode 1:\n${nodes[1].proc.output().slice(-3000)}`,
        );
      });
      const rest = join(tmp, 'rest.bin');
      const sendRest = async (head: string) => {
        const received = Number(/x-goog-upload-size-received: (\d+)/i.exec(head)?.[1]);
        assert.ok(received >= chunk && received <= chunk + half.length, `resumes from ${received}`);
        writeFileSync(rest, data.subarray(received));
        return curl('upload, finalize', received, rest);
      };
      // Until PostgreSQL drops the cut node's session (seconds: fastDeadPeerDetection), that node still holds the
      // upload's lock and a write is refused as busy, nothing stored: the client asks again and resends, as the
      // protocol says. Every other failure is asserted below, after the last try.
      let fin = await sendRest(q.head);
      for (const deadline = Date.now() + 20_000; fin.status !== 200 && Date.now() < deadline; ) {
        tries.push(`finalize ${fin.status}`);
        await new Promise((r) => setTimeout(r, 500));
        const again = await curl('query');
        if (again.status === 200) fin = await sendRest(again.head);
      }
      if (tries.length > 1) console.log(`# resumed after ${tries.join(', ')}`);
      const text = fin.body;
      assert.equal(fin.status, 200, `${fin.head}\n${text}`);
      const file = (JSON.parse(text) as { file: GenAIFile }).file;
      assert.equal(Buffer.from(file.sha256Hash!, 'base64').toString('ascii'), sha(data), 'the stored SHA-256 is the whole file');
      assert.equal(file.sizeBytes, String(data.length));
      const served = lb!
        .accessLog()
        .filter((e) => e.uri.includes('upload_id'))
        .at(-1);
      assert.equal(served?.upstreams.at(-1), `${net!.namespaces[1].address}:${NODE_PORT}`, 'the other API node finished it');
    } finally {
      await net!.restore(0);
    }
    // node 0's pooled PostgreSQL connections died with the partition; it must serve again by itself
    await waitFor(
      'node 0 to serve again after the partition',
      async () => {
        for (let k = 0; k < 3; k++)
          if ((await fetch(`${nodes[0].url}/v1beta/files`, { headers }).then((x) => x.status)) !== 200) return false;
        return true;
      },
      30_000,
      200,
    );
  });

  it('restart PostgreSQL mid-run: requests fail cleanly while it is down, the cluster recovers by itself', async () => {
    const client = ai(lb!.url);
    const f = await upload(lb!.url, join(SPEECH_DIR, 'jfk.mp3'), 'audio/mp3');
    await pg!.down({ mode: 'immediate' });
    let during: Response | undefined;
    try {
      during = await fetch(`${lb!.url}/v1beta/${f.name}`, { headers: { 'x-goog-api-key': KEY }, signal: AbortSignal.timeout(15_000) });
      const body = (await during.json()) as { error?: { code: number; status: string; message: string } };
      assert.equal(during.status, 503, `UNAVAILABLE (retryable) while the database is down, not a 500: ${JSON.stringify(body)}`);
      assert.equal(body.error?.code, during.status, "in Google's error shape");
      const ready = await fetch(`${nodes[0].url}/readyz`);
      assert.equal(ready.status, 503, 'an API node says it is not ready');
    } finally {
      await pg!.up();
    }
    const done = await settled(client, f.name!, 120_000);
    assert.equal(done.state, 'ACTIVE', JSON.stringify(done.error));
    await waitFor(
      'every node ready again',
      async () => (await Promise.all(nodes.map((n) => fetch(`${n.url}/readyz`).then((r) => r.status)))).every((s) => s === 200),
      30_000,
      250,
    );
    const again = await upload(lb!.url, CLIPS[0]);
    assert.equal((await settled(client, again.name!)).state, 'ACTIVE', 'new work flows after the restart');
  });

  it('a file that crashes the analysis three times goes FAILED with a reason; other jobs complete', async () => {
    const client = ai(lb!.url);
    const fresh = join(tmp, 'twice.wav');
    const r = await run('ffmpeg', ['-v', 'error', '-y', '-i', JFK, '-i', CLIPS[1], '-filter_complex', 'concat=n=2:v=0:a=1', fresh]);
    assert.equal(r.code, 0, r.stderr);
    const [bad, good] = await Promise.all([upload(lb!.url, CRASHING), upload(lb!.url, fresh)]);
    const [b, g] = await Promise.all([settled(client, bad.name!, 120_000), settled(client, good.name!, 120_000)]);
    assert.equal(g.state, 'ACTIVE');
    assert.equal(b.state, 'FAILED');
    assert.match(b.error?.message ?? '', /tried 3 times/);
    assert.match(b.error?.message ?? '', /SIGSEGV/, 'the reason names the crash');
    assert.equal(
      await psql(`SELECT count(*) FROM pgboss.job WHERE name = 'earshot-analysis-dead' AND data->>'sha256' = '${crashSha}'`),
      '1',
      'one dead letter',
    );
  });
});
