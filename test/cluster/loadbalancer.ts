// A load balancer in front of the API nodes: Debian's nginx on a free port in the root namespace, round-robin over
// upstream host:port with failover to the next upstream on connection error or time-out, streamed request bodies
// (no size limit, no buffering) and unbuffered responses with long read time-outs (SSE). Temp config dir per instance.
// Needs: Debian `nginx` (the binary only; the packaged service is not used). Root is not needed, but is usual.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentRun } from './registry.js';
import { freePort, waitFor } from './util.js';

export const NGINX = '/usr/sbin/nginx';

export interface LoadBalancerOptions {
  /** Upstream API nodes as host:port (e.g. a namespace's address and the node's port). */
  upstreams: string[];
  /** Connect time-out per upstream before trying the next (default 1000 ms): a cut link fails over this fast. */
  connectTimeoutMs?: number;
  /** Longest gap between two writes of a request body to an upstream (default 30 s). */
  sendTimeoutMs?: number;
  /** Longest gap between two reads of a response from an upstream (default 1 h: SSE streams stay open). */
  readTimeoutMs?: number;
  /** How long an upstream that failed is skipped before being tried again (default 2000 ms). */
  failTimeoutMs?: number;
}

export interface AccessLogEntry {
  /** Every upstream tried, in order (nginx's $upstream_addr split), e.g. ['10.231.7.10:8080', '10.231.7.11:8080']. */
  upstreams: string[];
  status: number;
  method: string;
  uri: string;
}

export interface LoadBalancer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  upstreams: string[];
  /** Requests served so far, oldest first (from nginx's access log). */
  accessLog(): AccessLogEntry[];
  /** Replaces the upstream list (config rewritten, nginx reloaded gracefully). */
  setUpstreams(upstreams: string[]): Promise<void>;
  /** Stops nginx and removes its files. Idempotent. */
  stop(): Promise<void>;
}

function config(dir: string, port: number, o: Required<LoadBalancerOptions>, asRoot: boolean): string {
  const s = (ms: number) => `${Math.max(1, Math.round(ms))}ms`;
  const servers = o.upstreams
    .map((u) => `    server ${u} max_fails=1 fail_timeout=${Math.max(1, Math.round(o.failTimeoutMs / 1000))}s;`)
    .join('\n');
  return `# earshot cluster test load balancer (generated)
daemon off;
worker_processes 1;
${asRoot ? 'user root root;' : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  log_format lb '$upstream_addr\\t$status\\t$request_method\\t$request_uri';
  access_log ${dir}/access.log lb;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream api {
${servers}
  }
  server {
    listen 0.0.0.0:${port};
    client_max_body_size 0;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_cache off;
      proxy_connect_timeout ${s(o.connectTimeoutMs)};
      proxy_send_timeout ${s(o.sendTimeoutMs)};
      proxy_read_timeout ${s(o.readTimeoutMs)};
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 0;
    }
  }
}
`;
}

/** Starts nginx balancing over `upstreams`. No upstream keep-alive: a request on a pooled connection to a cut node
 *  would wait for the read time-out instead of failing over. */
export async function startLoadBalancer(opts: LoadBalancerOptions): Promise<LoadBalancer> {
  if (!existsSync(NGINX)) throw new Error(`nginx not found at ${NGINX}: apt-get install nginx (see .ci/run)`);
  if (opts.upstreams.length === 0) throw new Error('startLoadBalancer needs at least one upstream');
  const ledger = currentRun();
  const dir = mkdtempSync(join(tmpdir(), `earshot-lb-${ledger.id}-`));
  const dirRes = ledger.add({ kind: 'path', path: dir });
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  let o: Required<LoadBalancerOptions> = {
    connectTimeoutMs: 1000,
    sendTimeoutMs: 30_000,
    readTimeoutMs: 3_600_000,
    failTimeoutMs: 2000,
    ...opts,
  };
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, config(dir, port, o, asRoot));
  writeFileSync(join(dir, 'access.log'), '');

  const child = spawn(NGINX, ['-p', dir, '-e', join(dir, 'error.log'), '-c', confPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const procRes = ledger.add({ kind: 'process', pid: child.pid!, group: true });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      ledger.drop(procRes);
      await gone;
    } else ledger.forget(procRes);
    ledger.drop(dirRes);
  };
  try {
    await waitFor(
      'nginx to listen',
      () => {
        if (child.exitCode !== null)
          throw new Error(`nginx exited ${child.exitCode}: ${stderr || readFileSync(join(dir, 'error.log'), 'utf8')}`);
        return new Promise<boolean>((resolve) => {
          const sock = connect(port, '127.0.0.1', () => {
            sock.destroy();
            resolve(true);
          });
          sock.on('error', () => resolve(false));
        });
      },
      10_000,
      50,
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get upstreams() {
      return o.upstreams;
    },
    accessLog: () =>
      readFileSync(join(dir, 'access.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [up, status, method, uri] = line.split('\t');
          return { upstreams: up === '-' ? [] : up.split(/\s*,\s*|\s+:\s+/).filter(Boolean), status: Number(status), method, uri };
        }),
    setUpstreams: async (upstreams) => {
      if (upstreams.length === 0) throw new Error('setUpstreams needs at least one upstream');
      o = { ...o, upstreams };
      writeFileSync(confPath, config(dir, port, o, asRoot));
      const before = readFileSync(join(dir, 'nginx.pid'), 'utf8').trim();
      process.kill(Number(before), 'SIGHUP');
      await new Promise((r) => setTimeout(r, 300)); // the new worker takes over within a few ms
    },
    stop,
  };
}
