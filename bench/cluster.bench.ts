// Cluster benchmark (issue 12), on this one machine: real PostgreSQL and SeaweedFS (test/cluster's harness), nodes
// as separate `earshot serve --role …` processes, nginx in front. Measures analysis throughput (hours of audio per
// hour) with 1 and 2 workers, files.get requests per second through 1 and 2 API nodes, and the overhead of
// PostgreSQL + S3 against SQLite + disk for a resumable upload and files.get (ratios taken in the same run).
// Needs root and .ci/run's packages (PostgreSQL, nginx, SeaweedFS). Prints `name: value` lines.
// Usage: node --import tsx bench/cluster.bench.ts [--seconds S] [--upload-mib N]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, startLoadBalancer, startPostgres, startSeaweedFS, sweepCrashedRuns, waitFor } from '../test/cluster/index.js';
import { FAST_ENGINES } from '../test/cluster/nodes.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SPEECH = path.resolve(REPO, '../shared/audio/speech');
const MiB = 1 << 20;
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('--seconds', 4);
const UPLOAD = arg('--upload-mib', 64) * MiB;
const out = (name: string, value: string | number) => console.log(`${name}: ${value}`);

interface Node {
  url: string;
  proc: ChildProcess;
  dir: string;
}

async function startNode(role: 'api' | 'worker' | 'all', port: number, env: Record<string, string>): Promise<Node> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `earshot-bench-${role}-`));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ engines: { sounds: FAST_ENGINES.sounds, vad: FAST_ENGINES.vad } }));
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'serve', '--role', role, '--port', String(port), '--data-dir', dir],
    {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        EARSHOT_CONFIG: path.join(dir, 'config.json'),
        EARSHOT_SPEECH_ENGINE: FAST_ENGINES.speech,
        EARSHOT_SPEAKER_ENGINE: FAST_ENGINES.speakers,
        EARSHOT_OFFLINE: '1',
        EARSHOT_LOG_LEVEL: 'warn',
        EARSHOT_MODELS_DIR: path.join(dir, 'models'),
        ...env,
      },
    },
  );
  let err = '';
  proc.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `${role} node on ${port}`,
    async () => {
      if (proc.exitCode !== null) throw new Error(`exited: ${err}`);
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
    },
    90_000,
    250,
  );
  return { url, proc, dir };
}

async function stopNode(n: Node): Promise<void> {
  if (n.proc.exitCode === null) {
    const gone = new Promise((r) => n.proc.once('exit', r));
    n.proc.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 8000))]);
    n.proc.kill('SIGKILL');
  }
  rmSync(n.dir, { recursive: true, force: true });
}

const headers = (key: string) => ({ 'x-goog-api-key': key });

/** A resumable upload in 8 MiB chunks; resolves with the file's name. */
async function upload(base: string, key: string, data: Buffer, mime: string): Promise<string> {
  const start = await fetch(`${base}/upload/v1beta/files`, {
    method: 'POST',
    headers: {
      ...headers(key),
      'content-type': 'application/json',
      'x-goog-upload-protocol': 'resumable',
      'x-goog-upload-command': 'start',
      'x-goog-upload-header-content-length': String(data.length),
      'x-goog-upload-header-content-type': mime,
    },
    body: '{}',
  });
  const url = start.headers.get('x-goog-upload-url');
  if (!url) throw new Error(`upload start: ${start.status} ${await start.text()}`);
  for (let off = 0; ; off += 8 * MiB) {
    const last = off + 8 * MiB >= data.length;
    const r = await fetch(url, {
      method: 'POST',
      headers: { ...headers(key), 'x-goog-upload-command': last ? 'upload, finalize' : 'upload', 'x-goog-upload-offset': String(off) },
      body: data.subarray(off, off + 8 * MiB) as unknown as BodyInit,
    });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`upload chunk: ${r.status} ${text}`);
    if (last) return (JSON.parse(text) as { file: { name: string } }).file.name;
  }
}

async function waitActive(base: string, key: string, names: string[]): Promise<void> {
  await waitFor(
    'files ACTIVE',
    async () => {
      const states = await Promise.all(
        names.map(async (n) => ((await (await fetch(`${base}/v1beta/${n}`, { headers: headers(key) })).json()) as { state: string }).state),
      );
      if (states.includes('FAILED')) throw new Error(`a file FAILED: ${states}`);
      return states.every((s) => s === 'ACTIVE');
    },
    600_000,
    200,
  );
}

/** files.get requests per second with `conns` concurrent keep-alive loops for SECONDS. */
async function getRate(base: string, key: string, name: string, conns = 16): Promise<number> {
  let n = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: conns }, async () => {
      while (performance.now() < until) {
        const r = await fetch(`${base}/v1beta/${name}`, { headers: headers(key) });
        await r.arrayBuffer();
        if (r.status === 200) n++;
      }
    }),
  );
  return n / SECONDS;
}

async function main(): Promise<void> {
  sweepCrashedRuns();
  const [pg, s3] = await Promise.all([startPostgres(), startSeaweedFS()]);
  const ports = await freePorts(5);
  const cluster = { ...s3.env(), EARSHOT_DATABASE_URL: pg.url, EARSHOT_BLOB_STORE: `s3://${s3.bucket}/bench` };
  const nodes: Node[] = [];
  const lbs: { stop(): Promise<void> }[] = [];
  try {
    const [api1, api2, w1, single] = await Promise.all([
      startNode('api', ports[0], cluster),
      startNode('api', ports[1], cluster),
      startNode('worker', ports[2], cluster),
      startNode('all', ports[4], {}),
    ]);
    nodes.push(api1, api2, w1, single);
    out('machine', `${os.cpus().length} × ${os.cpus()[0]?.model}`);

    // analysis throughput: the same clips under a fresh key per run (analyses are per project), so each run analyses
    const clips = ['jfk.wav', ...['0870', '0880', '0890', '0920', '0930'].map((n) => `sense_and_sensibility_01_austen_64kb-${n}.wav`)].map(
      (f) => readFileSync(path.join(SPEECH, f)),
    );
    const audioSec = clips.reduce((s, b) => s + (b.length - 44) / 32000, 0);
    const through = async (key: string) => {
      const t0 = performance.now();
      const names = await Promise.all(clips.map((b) => upload(api1.url, key, b, 'audio/wav')));
      await waitActive(api1.url, key, names);
      return audioSec / ((performance.now() - t0) / 1000);
    };
    const one = await through('bench-1-worker');
    const w2 = await startNode('worker', ports[3], cluster);
    nodes.push(w2);
    const two = await through('bench-2-workers');
    out('analysis throughput, 1 worker (hours of audio per hour)', one.toFixed(1));
    out('analysis throughput, 2 workers (hours of audio per hour)', two.toFixed(1));
    out('analysis scaling, 2 workers / 1', (two / one).toFixed(2));
    out('per-worker throughput (x real time)', one.toFixed(1));

    // files.get through nginx with one API node, then two
    const small = await upload(api1.url, 'bench-get', randomBytes(1024), 'application/octet-stream');
    const lb1 = await startLoadBalancer({ upstreams: [`127.0.0.1:${ports[0]}`] });
    lbs.push(lb1);
    const rate1 = await getRate(lb1.url, 'bench-get', small);
    await lb1.setUpstreams([`127.0.0.1:${ports[0]}`, `127.0.0.1:${ports[1]}`]);
    const rate2 = await getRate(lb1.url, 'bench-get', small);
    out('files.get through nginx, 1 API node (req/s)', rate1.toFixed(0));
    out('files.get through nginx, 2 API nodes (req/s)', rate2.toFixed(0));
    out('API scaling, 2 nodes / 1', (rate2 / rate1).toFixed(2));

    // PostgreSQL + S3 against SQLite + disk, same run, same client: upload and files.get, node direct
    const data = randomBytes(UPLOAD);
    const timeUpload = async (base: string, key: string) => {
      const t0 = performance.now();
      await upload(base, key, data, 'application/octet-stream');
      return UPLOAD / MiB / ((performance.now() - t0) / 1000);
    };
    const upCluster = await timeUpload(api1.url, 'bench-up');
    const upSingle = await timeUpload(single.url, 'bench-up');
    out(`upload ${UPLOAD / MiB} MiB, PostgreSQL + S3 (MiB/s)`, upCluster.toFixed(0));
    out(`upload ${UPLOAD / MiB} MiB, SQLite + disk (MiB/s)`, upSingle.toFixed(0));
    out('upload overhead, PostgreSQL+S3 / SQLite+disk (throughput ratio)', (upCluster / upSingle).toFixed(2));
    const localSmall = await upload(single.url, 'bench-get', randomBytes(1024), 'application/octet-stream');
    const getCluster = await getRate(api1.url, 'bench-get', small);
    const getSingle = await getRate(single.url, 'bench-get', localSmall);
    out('files.get, PostgreSQL (req/s)', getCluster.toFixed(0));
    out('files.get, SQLite (req/s)', getSingle.toFixed(0));
    out('files.get overhead, PostgreSQL / SQLite (rate ratio)', (getCluster / getSingle).toFixed(2));
  } finally {
    for (const lb of lbs) await lb.stop();
    for (const n of nodes) await stopNode(n);
    await s3.stop();
    await pg.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
