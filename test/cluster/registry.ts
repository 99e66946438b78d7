// Ledger of everything the cluster harness starts (processes, PostgreSQL data dirs, namespaces, links, temp dirs,
// lock files), kept on disk per test run, so cleanup runs on exit or failure and a crashed run is swept next time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const STATE_DIR = '/tmp/earshot-cluster';
export const PG_BIN = '/usr/lib/postgresql/15/bin';

export type Resource =
  | { kind: 'process'; pid: number; group: boolean } // group: kill the whole process group (-pid)
  | { kind: 'pgdata'; dir: string; user: string | null } // a PostgreSQL data dir: pg_ctl stop -m immediate
  | { kind: 'netns'; name: string }
  | { kind: 'link'; name: string } // an interface in the root namespace (bridge, veth)
  | { kind: 'path'; path: string }; // a temp dir or lock file, removed last

interface RunFile {
  ownerPid: number;
  ownerStart: string;
  resources: Resource[];
}

function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null; // field 22: start time in clock ticks
  } catch {
    return null;
  }
}

function quiet(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 15_000 });
  } catch {
    /* already gone */
  }
}

/** Undoes one resource, synchronously and without throwing (safe in an exit handler). */
export function release(r: Resource): void {
  switch (r.kind) {
    case 'process':
      try {
        process.kill(r.group ? -r.pid : r.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      return;
    case 'pgdata': {
      const args = ['-D', r.dir, 'stop', '-m', 'immediate', '-w', '-t', '10'];
      if (r.user) quiet('runuser', ['-u', r.user, '--', join(PG_BIN, 'pg_ctl'), ...args]);
      else quiet(join(PG_BIN, 'pg_ctl'), args);
      return;
    }
    case 'netns':
      // processes still inside keep a namespace alive after `ip netns del`; kill them first
      try {
        const pids = execFileSync('ip', ['netns', 'pids', r.name], { encoding: 'utf8', timeout: 5000 }).split(/\s+/).filter(Boolean);
        for (const p of pids) {
          try {
            process.kill(Number(p), 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      } catch {
        /* no such namespace */
      }
      quiet('ip', ['netns', 'del', r.name]);
      return;
    case 'link':
      quiet('ip', ['link', 'del', r.name]);
      return;
    case 'path':
      rmSync(r.path, { recursive: true, force: true });
      return;
  }
}

const ORDER: Record<Resource['kind'], number> = { process: 0, pgdata: 1, netns: 2, link: 3, path: 4 };

function releaseAll(resources: Resource[]): void {
  for (const r of [...resources].sort((a, b) => ORDER[a.kind] - ORDER[b.kind])) release(r);
}

/** The ledger of this process's test run. */
export class Run {
  readonly id = randomBytes(3).toString('hex');
  private readonly file: string;
  private resources: Resource[] = [];

  constructor() {
    mkdirSync(STATE_DIR, { recursive: true });
    this.file = join(STATE_DIR, `run-${this.id}.json`);
    this.save();
  }

  add(r: Resource): Resource {
    this.resources.push(r);
    this.save();
    return r;
  }

  /** Releases a resource now and forgets it. */
  drop(r: Resource): void {
    release(r);
    this.forget(r);
  }

  /** Forgets a resource the caller has released itself. */
  forget(r: Resource): void {
    this.resources = this.resources.filter((x) => x !== r);
    this.save();
  }

  /** Releases everything still recorded. */
  releaseAll(): void {
    releaseAll(this.resources);
    this.resources = [];
    rmSync(this.file, { force: true });
  }

  private save(): void {
    const data: RunFile = { ownerPid: process.pid, ownerStart: startTime(process.pid) ?? '', resources: this.resources };
    writeFileSync(this.file, JSON.stringify(data));
  }
}

let current: Run | null = null;

/** This process's run ledger; created on first use, released on exit or on SIGINT/SIGTERM. */
export function currentRun(): Run {
  if (current) return current;
  sweepCrashedRuns();
  const run = new Run();
  current = run;
  process.on('exit', () => run.releaseAll());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      run.releaseAll();
      process.kill(process.pid, sig);
    });
  }
  return run;
}

/**
 * Releases what runs whose owner process is gone (crashed, killed by a time-out) left behind.
 * Runs still alive, e.g. another agent's test on the same machine, are left alone. Returns the run files swept.
 */
export function sweepCrashedRuns(): string[] {
  const swept: string[] = [];
  let names: string[];
  try {
    names = readdirSync(STATE_DIR).filter((n) => n.startsWith('run-') && n.endsWith('.json'));
  } catch {
    return swept;
  }
  for (const name of names) {
    const file = join(STATE_DIR, name);
    let data: RunFile;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
    } catch {
      continue; // being written right now
    }
    const alive = startTime(data.ownerPid);
    if (alive !== null && alive === data.ownerStart) continue;
    releaseAll(data.resources);
    rmSync(file, { force: true });
    swept.push(name);
  }
  return swept;
}
