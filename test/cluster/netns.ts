// Network namespaces as separate hosts for multi-node tests: N namespaces, each linked by a veth pair to one bridge in
// the root namespace on a private 10.231.X.0/24 (X unique per run), so namespaces, the root namespace and services
// bound there reach each other; commands run inside one; a namespace's link can be cut and restored (partition).
// Needs: root, Debian `iproute2` (ip), the kernel's veth and bridge drivers. Everything is removed on destroy(), on
// process exit, and by the sweep of crashed runs (registry.ts).
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { currentRun, release, STATE_DIR, type Resource } from './registry.js';
import { requireRoot, run, runOk, type CommandResult } from './util.js';

export const NETNS_PREFIX = 'earshot-';

export interface Namespace {
  index: number;
  /** earshot-<runid>-<index> */
  name: string;
  /** The namespace's address, 10.231.X.(10+index). */
  address: string;
  /** The root-namespace end of its veth pair (taken down by cut()). */
  hostLink: string;
}

/** A process started inside a namespace; output() is the tail of its stdout and stderr together. */
export type NsProcess = ChildProcess & { output(): string };

export interface Network {
  /** The run id shared by every name this network created. */
  id: string;
  /** 10.231.X.0/24 */
  subnet: string;
  /** The root namespace's address on the bridge, 10.231.X.1: how a namespace reaches PostgreSQL, S3, the LB. */
  hostAddress: string;
  namespaces: Namespace[];
  /** Runs a command inside namespace i to completion (never throws on a non-zero exit). */
  exec(i: number, cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandResult>;
  /** Starts a long-running process inside namespace i (its own process group; the pid is the command's own pid,
   *  so child.kill('SIGKILL') is a kill -9 of it). stdout/stderr are piped and their last 64 KiB kept for output()
   *  unless opts.stdio says otherwise. Killed on destroy() if still running. */
  spawn(i: number, cmd: string, args: string[], opts?: SpawnOptions): NsProcess;
  /** Cuts namespace i off the network (its root-side link down): connections to and from it time out. */
  cut(i: number): Promise<void>;
  /** Restores namespace i's link. */
  restore(i: number): Promise<void>;
  /** Kills processes started by spawn(), deletes the namespaces, links and bridge. Idempotent. */
  destroy(): Promise<void>;
}

/** Names of existing namespaces starting with `prefix` (default `earshot-`). */
export function listNamespaces(prefix = NETNS_PREFIX): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n && n.startsWith(prefix));
}

/** Reserves a /24 under 10.231.0.0/16 no interface uses and no other live run holds (lock file per subnet). */
function reserveSubnet(): { x: number; lock: Resource } {
  const used = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
  const start = Math.floor(Math.random() * 254);
  for (let k = 0; k < 254; k++) {
    const x = ((start + k) % 254) + 1;
    if (used.includes(` 10.231.${x}.`)) continue;
    const path = join(STATE_DIR, `subnet-${x}.lock`);
    try {
      closeSync(openSync(path, 'wx'));
    } catch {
      continue; // another live run holds it (a crashed run's lock goes with its sweep)
    }
    return { x, lock: { kind: 'path', path } };
  }
  throw new Error('no free /24 left under 10.231.0.0/16');
}

/** Creates `count` namespaces on one private subnet. */
export async function createNetwork(count: number): Promise<Network> {
  requireRoot('createNetwork (network namespaces)');
  const ledger = currentRun();
  const id = ledger.id;
  const { x, lock } = reserveSubnet();
  ledger.add(lock);
  const created: Resource[] = [lock];
  const track = (r: Resource) => {
    created.push(ledger.add(r));
  };
  const bridge = `es${id}br`;
  const hostAddress = `10.231.${x}.1`;
  const namespaces: Namespace[] = [];
  const children = new Set<ChildProcess>();
  let destroyed = false;

  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    const exits: Promise<unknown>[] = [];
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) exits.push(new Promise((r) => c.once('exit', r)));
    }
    // processes first, then namespaces, links, lock (the ledger's order)
    for (const r of [...created].reverse().sort((a, b) => order(a) - order(b))) {
      release(r);
      ledger.forget(r);
    }
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 5000))]);
  };

  try {
    track({ kind: 'link', name: bridge });
    await runOk('ip', ['link', 'add', bridge, 'type', 'bridge', 'forward_delay', '0']);
    // bridged frames must not pass through iptables (a FORWARD drop policy, e.g. Docker's, would eat them)
    await run('ip', ['link', 'set', bridge, 'type', 'bridge', 'nf_call_iptables', '0']);
    await runOk('ip', ['addr', 'add', `${hostAddress}/24`, 'dev', bridge]);
    await runOk('ip', ['link', 'set', bridge, 'up']);
    for (let i = 0; i < count; i++) {
      const name = `${NETNS_PREFIX}${id}-${i}`;
      const hostLink = `es${id}h${i}`;
      const nsLink = `es${id}n${i}`;
      const address = `10.231.${x}.${10 + i}`;
      track({ kind: 'netns', name });
      await runOk('ip', ['netns', 'add', name]);
      track({ kind: 'link', name: hostLink });
      await runOk('ip', ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nsLink]);
      await runOk('ip', ['link', 'set', nsLink, 'netns', name]);
      await runOk('ip', ['link', 'set', hostLink, 'master', bridge, 'up']);
      const inNs = (...a: string[]) => runOk('ip', ['netns', 'exec', name, 'ip', ...a]);
      await inNs('link', 'set', 'lo', 'up');
      await inNs('addr', 'add', `${address}/24`, 'dev', nsLink);
      await inNs('link', 'set', nsLink, 'up');
      await inNs('route', 'add', 'default', 'via', hostAddress);
      namespaces.push({ index: i, name, address, hostLink });
    }
  } catch (err) {
    await destroy();
    throw err;
  }

  const ns = (i: number) => {
    const n = namespaces[i];
    if (!n) throw new Error(`no namespace ${i} (have ${namespaces.length})`);
    return n;
  };

  return {
    id,
    subnet: `10.231.${x}.0/24`,
    hostAddress,
    namespaces,
    exec: (i, cmd, args, opts = {}) => run('ip', ['netns', 'exec', ns(i).name, cmd, ...args], opts),
    spawn: (i, cmd, args, opts = {}) => {
      const child = spawn('ip', ['netns', 'exec', ns(i).name, cmd, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...opts,
        detached: true,
      }) as NsProcess;
      if (child.pid === undefined) throw new Error(`could not start ${cmd} in ${ns(i).name}`);
      let tail = '';
      const keep = (b: Buffer) => {
        tail = (tail + b.toString()).slice(-65536);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      child.output = () => tail;
      const res = ledger.add({ kind: 'process', pid: child.pid, group: true });
      created.push(res);
      children.add(child);
      child.once('exit', () => {
        children.delete(child);
        ledger.forget(res);
        const k = created.indexOf(res);
        if (k >= 0) created.splice(k, 1);
      });
      return child;
    },
    cut: async (i) => {
      await runOk('ip', ['link', 'set', ns(i).hostLink, 'down']);
    },
    restore: async (i) => {
      await runOk('ip', ['link', 'set', ns(i).hostLink, 'up']);
    },
    destroy,
  };
}

function order(r: Resource): number {
  return { process: 0, pgdata: 1, netns: 2, link: 3, path: 4 }[r.kind];
}
