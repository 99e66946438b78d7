// Finds the ffmpeg/ffprobe binaries to run: a usable system install, or the static builds that npm ships.
//
// Default ('auto') choice, per binary:
//  - ffmpeg: the system one when it runs (the npm @ffmpeg-installer build dates from 2018), else npm's.
//  - ffprobe: npm's static build when it runs (a 2023 build that starts in ~20 ms, against ~100 ms for a
//    dynamically linked distro ffprobe, which matters because every upload is probed), else the system one.
// `prefer: 'system' | 'npm'` forces one source for both (falling back to the other only when `strict` is false).

import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { EarshotError } from '../domain/errors.js';

export type FfmpegSource = 'system' | 'npm';

export interface FfmpegBinaries {
  /** command or absolute path to run ffmpeg */
  ffmpeg: string;
  /** command or absolute path to run ffprobe */
  ffprobe: string;
  /** where ffmpeg came from */
  source: FfmpegSource;
  /** where ffprobe came from (may differ from `source` in 'auto' mode) */
  ffprobeSource: FfmpegSource;
  /** first line of `ffmpeg -version`, e.g. "ffmpeg version 5.1.6-0+deb12u1" */
  ffmpegVersion: string;
  /** whether this ffmpeg was built with libsoxr (then decoding resamples with soxr) */
  soxr: boolean;
}

export interface LocateFfmpegOptions {
  /** 'auto' (default): see the header comment; 'system' or 'npm': use that source for both binaries. */
  prefer?: 'auto' | FfmpegSource;
  /** With prefer 'system'/'npm': throw instead of falling back to the other source. Default false. */
  strict?: boolean;
  /** Explicit binaries (e.g. from configuration); these win over any search when given. */
  ffmpegPath?: string;
  ffprobePath?: string;
}

interface Candidate {
  path: string;
  source: FfmpegSource;
}

interface Checked {
  ok: boolean;
  version: string;
  soxr: boolean;
  why?: string;
}

const checkCache = new Map<string, Checked>();
const locateCache = new Map<string, FfmpegBinaries>();

/** Runs `<bin> -version` once (cached) to see whether the binary is there and works. */
function check(bin: string, name: 'ffmpeg' | 'ffprobe'): Checked {
  const hit = checkCache.get(bin);
  if (hit) return hit;
  const r = spawnSync(bin, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000, windowsHide: true });
  let result: Checked;
  if (r.error) {
    result = { ok: false, version: '', soxr: false, why: r.error.message };
  } else if (r.status !== 0 || !r.stdout.startsWith(`${name} version`)) {
    result = { ok: false, version: '', soxr: false, why: `exit ${r.status}: ${(r.stderr || r.stdout).slice(0, 200)}` };
  } else {
    const first = r.stdout.split('\n', 1)[0] ?? '';
    result = { ok: true, version: first.replace(/\s+Copyright.*$/, ''), soxr: /--enable-libsoxr\b/.test(r.stdout) };
  }
  checkCache.set(bin, result);
  return result;
}

function npmCandidate(name: 'ffmpeg' | 'ffprobe'): Candidate | undefined {
  const require = createRequire(import.meta.url);
  try {
    const mod = require(name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe') as { path: string };
    accessSync(mod.path, constants.X_OK);
    return { path: mod.path, source: 'npm' };
  } catch {
    return undefined;
  }
}

function systemCandidate(name: 'ffmpeg' | 'ffprobe'): Candidate {
  // A bare name: the OS resolves it along PATH when spawned.
  return { path: name, source: 'system' };
}

function pick(name: 'ffmpeg' | 'ffprobe', order: FfmpegSource[], explicit: string | undefined): { c: Candidate; info: Checked } {
  const tried: string[] = [];
  if (explicit) {
    const info = check(explicit, name);
    if (info.ok) return { c: { path: explicit, source: npmCandidate(name)?.path === explicit ? 'npm' : 'system' }, info };
    throw new EarshotError('FFMPEG_CONFIGURED_BROKEN', { tool: name, binary: explicit, why: String(info.why) });
  }
  for (const source of order) {
    const c = source === 'npm' ? npmCandidate(name) : systemCandidate(name);
    if (!c) {
      tried.push(`npm package @${name}-installer/${name} (not installed for this platform)`);
      continue;
    }
    const info = check(c.path, name);
    if (info.ok) return { c, info };
    tried.push(`${source} ${c.path} (${info.why})`);
  }
  throw new EarshotError('FFMPEG_NOT_FOUND', { tool: name, tried });
}

/** The ffmpeg and ffprobe to use. Synchronous, cached per options; throws with what to do when none works. */
export function locateFfmpeg(options: LocateFfmpegOptions = {}): FfmpegBinaries {
  const prefer = options.prefer ?? 'auto';
  const key = JSON.stringify([prefer, options.strict ?? false, options.ffmpegPath ?? '', options.ffprobePath ?? '']);
  const hit = locateCache.get(key);
  if (hit) return hit;

  const both = (s: FfmpegSource): FfmpegSource[] => (options.strict ? [s] : [s, s === 'system' ? 'npm' : 'system']);
  const ffmpegOrder: FfmpegSource[] = prefer === 'auto' ? ['system', 'npm'] : both(prefer);
  const ffprobeOrder: FfmpegSource[] = prefer === 'auto' ? ['npm', 'system'] : both(prefer);

  const m = pick('ffmpeg', ffmpegOrder, options.ffmpegPath);
  const p = pick('ffprobe', ffprobeOrder, options.ffprobePath);
  const result: FfmpegBinaries = {
    ffmpeg: m.c.path,
    ffprobe: p.c.path,
    source: m.c.source,
    ffprobeSource: p.c.source,
    ffmpegVersion: m.info.version,
    soxr: m.info.soxr,
  };
  locateCache.set(key, result);
  return result;
}

/** What the audio functions accept to say which binaries to run: found ones, or options to find them. */
export type FfmpegChoice = FfmpegBinaries | LocateFfmpegOptions | undefined;

export function resolveFfmpeg(choice: FfmpegChoice): FfmpegBinaries {
  if (choice && 'ffmpeg' in choice && 'ffprobe' in choice && 'source' in choice) return choice;
  return locateFfmpeg(choice as LocateFfmpegOptions | undefined);
}
