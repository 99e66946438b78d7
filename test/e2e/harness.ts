// Starts a real Earshot server (real HTTP on 127.0.0.1, real SQLite, real disk) for end-to-end tests,
// in this process or as a child process (for restart and crash tests).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { resolveConfig, type ConfigInput } from '../../src/config.js';
import { createApp, type App } from '../../src/app.js';
import { REPO_ROOT, tempDir } from '../helpers.js';

export interface Running {
  url: string;
  app: App;
  dataDir: string;
  close(): Promise<void>;
}

export async function startServer(input: ConfigInput = {}, opts: { keepDataDir?: boolean } = {}): Promise<Running> {
  const tmp = input.dataDir ? undefined : tempDir('earshot-e2e-');
  const dataDir = input.dataDir ?? tmp!.dir;
  const config = resolveConfig({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    modelsDir: path.join(dataDir, 'models'),
    ...input,
    dataDir,
  });
  const app = await createApp(config, pino({ level: config.logLevel }));
  const url = await app.listen();
  return {
    url,
    app,
    dataDir,
    async close() {
      await app.close();
      if (!opts.keepDataDir) tmp?.cleanup();
    },
  };
}

export interface Child {
  url: string;
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `earshot serve` as a separate process; resolves once it prints its URL. */
export async function spawnServer(dataDir: string, env: Record<string, string> = {}): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'bin/earshot.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /Earshot listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    proc,
    output: () => out,
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill(signal);
      });
    },
  };
}
