// Files API benchmark: a 1 GiB resumable upload in 8 MiB chunks over real HTTP to `earshot serve` in its
// own process, as a ratio to `cat src > dst` on the same disk in the same run; the server's peak RSS
// during it; files.get and files.list requests per second with keep-alive connections.
// Prints `name: value` lines. Usage: node --import tsx bench/files.bench.ts [--size-mib N] [--seconds S]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1 << 20;
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SIZE = arg('--size-mib', 1024) * MiB;
const CHUNK = 8 * MiB;
const SECONDS = arg('--seconds', 5);
const KEY = 'bench-key';

const out = (name: string, value: string | number) => console.log(`${name}: ${value}`);

async function startServer(dataDir: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(
    process.execPath,
    [path.join(REPO, 'bin/earshot.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  proc.stderr!.on('data', (d) => (log += d));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    proc.stdout!.on('data', (d) => {
      text += d;
      const m = /Earshot listening on (http:\/\/\S+)/.exec(text);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (c) => reject(new Error(`server exited ${c}: ${log}`)));
  });
  return { url, proc };
}

const status = (pid: number, field: string): number => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
};

/** Wait (at most 60 s) until the process's RSS stops growing; returns it. */
async function settleRss(pid: number): Promise<number> {
  let last = status(pid, 'VmRSS');
  for (let stable = 0, t0 = Date.now(); stable < 4 && Date.now() - t0 < 60_000; ) {
    await new Promise((r) => setTimeout(r, 500));
    const now = status(pid, 'VmRSS');
    stable = Math.abs(now - last) < 2e6 ? stable + 1 : 0;
    last = now;
  }
  return Math.max(last, status(pid, 'VmHWM'));
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Write `size` bytes of incompressible data to `file` (16 MiB random block repeated, stamped). */
function makeSource(file: string, size: number): void {
  const block = randomBytes(16 * MiB);
  const fd = openSync(file, 'w');
  for (let off = 0, i = 0; off < size; off += block.length, i++) {
    block.writeUInt32BE(i, 0);
    writeSync(fd, block, 0, Math.min(block.length, size - off));
  }
  fsyncSync(fd);
  closeSync(fd);
}

async function sha256Seconds(file: string): Promise<number> {
  const fh = await open(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  const t0 = process.hrtime.bigint();
  const h = createHash('sha256');
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, CHUNK);
    if (!bytesRead) break;
    h.update(buf.subarray(0, bytesRead));
  }
  h.digest();
  await fh.close();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function uploadFile(url: string, file: string, size: number): Promise<{ name: string; seconds: number; finalizeSeconds: number }> {
  const t0 = process.hrtime.bigint();
  const start = await request(`${url}/upload/v1beta/files`, {
    method: 'POST',
    headers: {
      'x-goog-api-key': KEY,
      'X-Goog-Upload-Protocol': 'resumable',
      'X-Goog-Upload-Command': 'start',
      'X-Goog-Upload-Header-Content-Length': String(size),
      'X-Goog-Upload-Header-Content-Type': 'application/octet-stream',
      'Content-Type': 'application/json',
    },
    body: Buffer.from('{"file":{"displayName":"bench"}}'),
  });
  const uploadUrl = start.headers['x-goog-upload-url'] as string;
  const fh = await open(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let last = '';
  let tLast = 0n;
  try {
    for (let off = 0; off < size; off += CHUNK) {
      const n = Math.min(CHUNK, size - off);
      await fh.read(buf, 0, n, off);
      tLast = process.hrtime.bigint();
      const res = await request(uploadUrl, {
        method: 'POST',
        headers: {
          'X-Goog-Upload-Command': off + n >= size ? 'upload, finalize' : 'upload',
          'X-Goog-Upload-Offset': String(off),
          'Content-Length': String(n),
        },
        body: buf.subarray(0, n),
      });
      if (res.status !== 200) throw new Error(`chunk at ${off}: ${res.status} ${res.body}`);
      last = res.body;
    }
  } finally {
    await fh.close();
  }
  const t1 = process.hrtime.bigint();
  return { name: JSON.parse(last).file.name, seconds: Number(t1 - t0) / 1e9, finalizeSeconds: Number(t1 - tLast) / 1e9 };
}

/** `concurrency` keep-alive loops hitting `path` for `seconds`; requests per second. */
async function rps(
  url: string,
  pathname: string,
  seconds: number,
  concurrency = 32,
): Promise<{ perSecond: number; perServerCpuSecond: number; serverCores: number }> {
  const end = Date.now() + seconds * 1000;
  let n = 0;
  let errors = 0;
  const loop = async () => {
    while (Date.now() < end) {
      const r = await request(`${url}${pathname}`, { headers: { 'x-goog-api-key': KEY } });
      if (r.status === 200) n++;
      else errors++;
    }
  };
  const t0 = Date.now();
  const cpu0 = cpuSeconds(serverPid);
  await Promise.all(Array.from({ length: concurrency }, loop));
  if (errors) throw new Error(`${errors} failed requests to ${pathname}`);
  const wall = (Date.now() - t0) / 1000;
  return {
    perSecond: n / wall,
    perServerCpuSecond: n / (cpuSeconds(serverPid) - cpu0),
    serverCores: (cpuSeconds(serverPid) - cpu0) / wall,
  };
}

/** user + system CPU seconds a process has used (to see whether the server or the machine is the limit). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}
let serverPid = 0;

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'earshot-bench-files-'));
  try {
    const src = path.join(work, 'src.bin');
    makeSource(src, SIZE);
    out('files.upload_size_mib', SIZE / MiB);

    // baseline: the same bytes written to the same disk by cat (page cache warm for src, as for the upload)
    const dst = path.join(work, 'dst.bin');
    const t0 = process.hrtime.bigint();
    const cat = spawnSync('sh', ['-c', `cat "${src}" > "${dst}"`]);
    const catSec = Number(process.hrtime.bigint() - t0) / 1e9;
    if (cat.status !== 0) throw new Error(`cat failed: ${cat.stderr}`);
    rmSync(dst);
    out('files.cat_write_mib_per_s', (SIZE / MiB / catSec).toFixed(0));
    // the same with the data forced to disk, as the server does (fsync before the atomic rename)
    const t1 = process.hrtime.bigint();
    const catSync = spawnSync('sh', ['-c', `cat "${src}" > "${dst}" && sync "${dst}"`]);
    const catSyncSec = Number(process.hrtime.bigint() - t1) / 1e9;
    if (catSync.status !== 0) throw new Error(`cat failed: ${catSync.stderr}`);
    rmSync(dst);
    out('files.cat_fsync_write_mib_per_s', (SIZE / MiB / catSyncSec).toFixed(0));
    // the bound the upload cannot pass: every byte is hashed (SHA-256) once, on one core
    const hashSec = await sha256Seconds(src);
    out('files.sha256_mib_per_s', (SIZE / MiB / hashSec).toFixed(0));

    const dataDir = path.join(work, 'data');
    const server = await startServer(dataDir);
    try {
      const pid = server.proc.pid!;
      out('files.server_rss_at_start_mb', (status(pid, 'VmRSS') / 1e6).toFixed(1));
      // let start-up work (model and tokenizer warm-ups) settle, so the upload's own memory shows
      const settled = await settleRss(pid);
      out('files.server_rss_settled_mb', (settled / 1e6).toFixed(1));
      const up = await uploadFile(server.url, src, SIZE);
      out('files.upload_mib_per_s', (SIZE / MiB / up.seconds).toFixed(0));
      out('files.upload_vs_cat_ratio', (catSec / up.seconds).toFixed(2));
      out('files.upload_vs_cat_fsync_ratio', (catSyncSec / up.seconds).toFixed(2));
      out('files.upload_vs_sha256_ratio', (hashSec / up.seconds).toFixed(2));
      out('files.upload_finalize_s', up.finalizeSeconds.toFixed(2));
      out('files.server_peak_rss_mb', (status(pid, 'VmHWM') / 1e6).toFixed(1));
      out('files.server_rss_growth_during_upload_mb', ((status(pid, 'VmHWM') - settled) / 1e6).toFixed(1));
      rmSync(src);

      // a project with some files to read back
      for (let i = 0; i < 120; i++) {
        await request(`${server.url}/upload/v1beta/files`, {
          method: 'POST',
          headers: { 'x-goog-api-key': KEY, 'Content-Type': 'text/plain' },
          body: Buffer.from(`small ${i}`),
        });
      }
      const id = up.name;
      serverPid = pid;
      await rps(server.url, `/v1beta/${id}`, 1); // warm-up
      for (const [name, p] of [
        ['get', `/v1beta/${id}`],
        ['list_10', '/v1beta/files'],
        ['list_100', '/v1beta/files?pageSize=100'],
      ] as const) {
        const r = await rps(server.url, p, SECONDS);
        out(`files.${name}_per_s`, r.perSecond.toFixed(0));
        out(`files.${name}_per_server_cpu_s`, r.perServerCpuSecond.toFixed(0));
        out(`files.${name}_server_cores_used`, r.serverCores.toFixed(2));
      }
      out('files.loadavg_1m', os.loadavg()[0].toFixed(2));
      out('files.server_peak_rss_after_reads_mb', (status(pid, 'VmHWM') / 1e6).toFixed(1));
    } finally {
      server.proc.kill('SIGTERM');
      await new Promise((r) => server.proc.once('exit', r));
    }
  } finally {
    agent.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
