// A private, real PostgreSQL server for one test: initdb into a temp dir, started by pg_ctl on a free port (all
// interfaces, so network namespaces reach it), stoppable and restartable on the same data dir to simulate an outage.
// Needs: Debian `postgresql` (binaries in /usr/lib/postgresql/15/bin) and `postgresql-client` (psql). As root it runs
// the server as the `postgres` system user (the Debian package creates it; postgres refuses to run as root).
import { chownSync, mkdirSync, mkdtempSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { currentRun, PG_BIN, type Resource } from './registry.js';
import { freePort, run, runOk, type CommandResult } from './util.js';

export interface PostgresServer {
  /** postgres://USER:PASSWORD@127.0.0.1:PORT/DATABASE — for clients in the root namespace. */
  url: string;
  /** The same URL with another host, e.g. the harness network's hostAddress for clients inside a namespace. */
  urlFor(host: string): string;
  port: number;
  user: string;
  password: string;
  database: string;
  dataDir: string;
  /** Runs one SQL statement through psql (root namespace); resolves to psql's result, never throws on SQL errors. */
  psql(sql: string, opts?: { url?: string; timeoutMs?: number }): Promise<CommandResult>;
  /** Stops the server (outage); the data dir is kept. mode 'immediate' is a crash, 'fast' a clean shutdown. */
  down(opts?: { mode?: 'fast' | 'immediate' }): Promise<void>;
  /** Starts it again on the same data dir and port; resolves when it accepts connections. */
  up(): Promise<void>;
  /** down() then up(). */
  restart(opts?: { mode?: 'fast' | 'immediate' }): Promise<void>;
  /** Stops the server and removes its files. Idempotent. */
  stop(): Promise<void>;
}

const PG_CTL = join(PG_BIN, 'pg_ctl');

/** Starts a fresh PostgreSQL 15 server. Options: database and user names (both default `earshot`). */
export async function startPostgres(opts: { database?: string; user?: string } = {}): Promise<PostgresServer> {
  if (!existsSync(PG_CTL)) throw new Error(`PostgreSQL binaries not found in ${PG_BIN}: apt-get install postgresql (see .ci/run)`);
  const ledger = currentRun();
  const asRoot = process.getuid?.() === 0;
  const sysUser = asRoot ? 'postgres' : null;
  const user = opts.user ?? 'earshot';
  const database = opts.database ?? 'earshot';
  const password = randomBytes(12).toString('hex');

  const root = mkdtempSync(join(tmpdir(), `earshot-pg-${ledger.id}-`));
  const rootRes = ledger.add({ kind: 'path', path: root });
  const dataDir = join(root, 'data');
  const sockDir = join(root, 'sock');
  mkdirSync(sockDir);
  writeFileSync(join(root, 'pwfile'), password + '\n');
  if (sysUser) {
    const uid = Number(execFileSync('id', ['-u', sysUser], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', sysUser], { encoding: 'utf8' }).trim());
    for (const p of [root, sockDir, join(root, 'pwfile')]) chownSync(p, uid, gid);
  }
  const as = (bin: string, args: string[]) =>
    sysUser ? runOk('runuser', ['-u', sysUser, '--', bin, ...args], { timeoutMs: 60_000 }) : runOk(bin, args, { timeoutMs: 60_000 });

  await as(join(PG_BIN, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    user,
    `--pwfile=${join(root, 'pwfile')}`,
    '-A',
    'scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const port = await freePort();
  appendFileSync(
    join(dataDir, 'postgresql.conf'),
    [
      '',
      '# earshot test harness',
      `port = ${port}`,
      "listen_addresses = '*'",
      `unix_socket_directories = '${sockDir}'`,
      'max_connections = 200',
      'shared_buffers = 32MB',
      'fsync = off', // a test server: the data survives a postmaster crash (page cache), not a machine crash
      'full_page_writes = off',
      'log_min_messages = warning',
      '',
    ].join('\n'),
  );
  appendFileSync(
    join(dataDir, 'pg_hba.conf'),
    '\n# earshot test harness: network namespaces reach the server\nhost all all 0.0.0.0/0 scram-sha-256\n',
  );

  const pgRes: Resource = ledger.add({ kind: 'pgdata', dir: dataDir, user: sysUser });
  const logFile = join(root, 'server.log');
  let running = false;
  let stopped = false;

  const urlFor = (host: string) => `postgres://${user}:${password}@${host}:${port}/${database}`;
  const url = urlFor('127.0.0.1');

  const psql = (sql: string, o: { url?: string; timeoutMs?: number } = {}) =>
    run('psql', [o.url ?? url, '-X', '-v', 'ON_ERROR_STOP=1', '-tAc', sql], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '3' },
      timeoutMs: o.timeoutMs ?? 15_000,
    });

  const up = async () => {
    try {
      await as(PG_CTL, ['-D', dataDir, '-l', logFile, '-w', '-t', '30', 'start']);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n(server log: ${logFile})`);
    }
    running = true;
  };
  const down = async (o: { mode?: 'fast' | 'immediate' } = {}) => {
    await as(PG_CTL, ['-D', dataDir, '-m', o.mode ?? 'fast', '-w', '-t', '30', 'stop']);
    running = false;
  };

  await up();
  // the superuser is `user`; its password is set; create the database it connects to by default
  const created = await run('psql', [urlFor('127.0.0.1').replace(/\/[^/]*$/, '/postgres'), '-X', '-tAc', `CREATE DATABASE "${database}"`], {
    env: { ...process.env, PGCONNECT_TIMEOUT: '3' },
  });
  if (created.code !== 0 && !/already exists/.test(created.stderr)) throw new Error(`CREATE DATABASE failed: ${created.stderr}`);

  return {
    url,
    urlFor,
    port,
    user,
    password,
    database,
    dataDir,
    psql,
    down,
    up,
    restart: async (o) => {
      await down(o);
      await up();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (running) await down({ mode: 'immediate' }).catch(() => undefined);
      ledger.forget(pgRes);
      ledger.drop(rootRes);
    },
  };
}
