// Earshot nodes for the multi-host tests and the cluster bench: `earshot serve --role api|worker` started from the
// sources inside a harness namespace, pointed at the shared PostgreSQL and S3 server through the bridge, with fast
// listening engines (PocketSphinx, Silero, no sound classifier, no diarization) so a test runs in minutes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers.js';
import { waitFor, type Network, type NsProcess, type PostgresServer, type S3Server } from './index.js';

export const NODE_PORT = 8080;

/** The engine settings every node (and the single-node reference) runs with. */
export const FAST_ENGINES = { speech: 'pocketsphinx', sounds: 'none', speakers: 'none', vad: 'silero' } as const;

export interface EarshotNode {
  role: 'api' | 'worker' | 'all';
  ns: number;
  /** http://<namespace address>:8080 */
  url: string;
  proc: NsProcess;
  dataDir: string;
  /** kill -9 */
  kill(): void;
  /** SIGTERM, then wait for the exit */
  stop(): Promise<void>;
}

export interface ClusterEnv {
  net: Network;
  pg: PostgresServer;
  s3: S3Server;
  /** s3://bucket/prefix shared by the nodes */
  blobStore: string;
}

/** PostgreSQL drops sessions of peers that vanished (a cut link) within seconds, releasing their locks and leases. */
export async function fastDeadPeerDetection(pg: PostgresServer): Promise<void> {
  for (const sql of [
    'ALTER SYSTEM SET tcp_keepalives_idle = 2',
    'ALTER SYSTEM SET tcp_keepalives_interval = 1',
    'ALTER SYSTEM SET tcp_keepalives_count = 3',
    'ALTER SYSTEM SET tcp_user_timeout = 5000',
    'SELECT pg_reload_conf()',
  ]) {
    const r = await pg.psql(sql);
    if (r.code !== 0) throw new Error(`${sql}: ${r.stderr}`);
  }
}

export async function startNode(
  env: ClusterEnv,
  ns: number,
  role: EarshotNode['role'],
  extraEnv: Record<string, string> = {},
): Promise<EarshotNode> {
  const { net, pg, s3 } = env;
  const dataDir = mkdtempSync(join(tmpdir(), `earshot-node${ns}-`));
  const configFile = join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ engines: { sounds: FAST_ENGINES.sounds, vad: FAST_ENGINES.vad } }));
  const proc = net.spawn(
    ns,
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'src/cli/main.ts'),
      'serve',
      '--role',
      role,
      '--host',
      '0.0.0.0',
      '--port',
      String(NODE_PORT),
      '--data-dir',
      dataDir,
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...s3.env(net.hostAddress),
        EARSHOT_CONFIG: configFile,
        EARSHOT_DATABASE_URL: pg.urlFor(net.hostAddress),
        EARSHOT_BLOB_STORE: env.blobStore,
        // The load balancer (nginx on 127.0.0.1) is the address clients use: upload URLs and File.uri built from a
        // request it forwards must name it, not this node, or a client resumes an upload at the node it lost.
        // Without this the node names its own socket address (it does not trust arbitrary Host headers).
        EARSHOT_ALLOWED_HOSTS: '127.0.0.1',
        EARSHOT_SPEECH_ENGINE: FAST_ENGINES.speech,
        EARSHOT_SPEAKER_ENGINE: FAST_ENGINES.speakers,
        EARSHOT_OFFLINE: '1',
        EARSHOT_LOG_LEVEL: 'info',
        EARSHOT_MODELS_DIR: join(dataDir, 'models'),
        ...extraEnv,
      },
    },
  );
  const url = `http://${net.namespaces[ns].address}:${NODE_PORT}`;
  const node: EarshotNode = {
    role,
    ns,
    url,
    proc,
    dataDir,
    kill: () => proc.kill('SIGKILL'),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 8000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await waitFor(
    `${role} node in namespace ${ns} to be ready`,
    async () => {
      if (proc.exitCode !== null) throw new Error(`node exited (${proc.exitCode}):\n${proc.output()}`);
      const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      return r?.status === 200;
    },
    60_000,
    250,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${proc.output().slice(-4000)}`);
  });
  return node;
}

/** The pid a worker node reports in earshot_job_progress.worker ("host:pid"). */
export const pidOf = (worker: string | null | undefined): number => Number(worker?.split(':').pop());
