// The long benchmark file and the server harness the hour-long benches share: an N-minute MP3 (default 60,
// BENCH_ANALYSIS_MINUTES=2 for a smoke run) with jfk.wav's 11 s of speech at the start of every minute, a real
// `earshot serve` (from the sources) in its own process, and /proc readings of its analysis worker's peak RSS.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MINUTES = Number(process.env.BENCH_ANALYSIS_MINUTES ?? 60);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cache = path.join(os.tmpdir(), 'earshot-bench');
mkdirSync(cache, { recursive: true });

/** The N-minute MP3 (built once with sox and ffmpeg, then kept in the cache). */
export function longFile(): string {
  const out = path.join(cache, `speech-every-minute-${MINUTES}m.mp3`);
  if (existsSync(out)) return out;
  const minute = path.join(cache, 'minute.wav');
  execFileSync('sox', [path.join(root, '../shared/audio/speech/jfk.wav'), '-r', '16000', '-c', '1', minute, 'pad', '0', '49']);
  const long = path.join(cache, `long-${process.pid}.wav`);
  execFileSync('sox', Array(MINUTES).fill(minute).concat([long]));
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-i', long, '-b:a', '64k', out]);
  rmSync(long, { force: true });
  return out;
}

export function vmHwmMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The analysis worker processes of the server `pid` (its other children, such as the tokenizer, are left out). */
export function workers(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('analysis/worker')) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * `earshot serve` from the sources (so a stale dist/ is never measured) on a free port with a fresh data dir,
 * offline; resolves with its URL once it listens.
 */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<{ server: ChildProcess; url: string }> {
  const dataDir = path.join(cache, `data-${process.pid}-${Date.now()}`);
  const server = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'src/cli/main.ts'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--offline',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env },
  );
  const url = await new Promise<string>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`earshot serve exited with ${code}`)));
    server.stdout!.on('data', (d) => {
      const m = /listening on (\S+)/.exec(String(d));
      if (m?.[1]) resolve(m[1]);
    });
  });
  return { server, url };
}
