// Fetching and checking model files: resumable HTTP download into "<file>.part" (Range requests), checksum and size
// verification, atomic rename into the models directory, and listing what is installed.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink, readdir } from 'node:fs/promises';
import path from 'node:path';
import { allModels, type ModelEntry } from './catalogue.js';
import { EarshotError, type ModelErrorCode, type ParamArgs } from '../../domain/errors.js';
import { inspectWhisperModel } from '../speech/whisper-model.js';

export interface PullProgress {
  /** bytes on disk so far, resumed bytes included */
  received: number;
  /** total size when the server says (or the catalogue knows) */
  total?: number;
  /** bytes that were already there from an earlier, interrupted download */
  resumedFrom: number;
}

export interface PullOptions {
  modelsDir: string;
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
  /** injectable fetch (default globalThis.fetch) */
  fetch?: typeof fetch;
  /** Never touch the network: succeed only when the file is already in place and verifies. */
  offline?: boolean;
}

/** A catalogued MODEL_* failure (src/domain/errors-models.ts); the class stays so callers can tell model trouble apart. */
export class ModelError<C extends ModelErrorCode = ModelErrorCode> extends EarshotError<C> {
  constructor(code: C, ...rest: ParamArgs<C>) {
    super(code, ...rest);
    this.name = 'ModelError';
  }
}

export function modelPath(entry: ModelEntry, modelsDir: string): string {
  return path.join(modelsDir, entry.file);
}

export interface VerifyResult {
  ok: boolean;
  /** what was checked: "sha256", "sha1", "size", "structure" */
  checks: string[];
  problem?: string;
}

async function hashFile(file: string, algorithm: 'sha256' | 'sha1'): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Check `file` (default: its place in modelsDir) against the catalogue entry. */
export async function verifyModel(entry: ModelEntry, file: string): Promise<VerifyResult> {
  const checks: string[] = [];
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return { ok: false, checks, problem: `${file} does not exist` };
  }
  if (entry.bytes !== undefined) {
    checks.push('size');
    if (size !== entry.bytes) return { ok: false, checks, problem: `size ${size} bytes, expected ${entry.bytes}` };
  } else if (!entry.sha256 && !entry.sha1) {
    checks.push('size');
    if (Math.abs(size - entry.approxBytes) > 0.15 * entry.approxBytes) {
      return { ok: false, checks, problem: `size ${size} bytes, expected about ${entry.approxBytes}` };
    }
  }
  for (const algorithm of ['sha256', 'sha1'] as const) {
    const want = entry[algorithm];
    if (!want) continue;
    checks.push(algorithm);
    const got = await hashFile(file, algorithm);
    if (got !== want.toLowerCase()) return { ok: false, checks, problem: `${algorithm} ${got}, expected ${want}` };
  }
  if (entry.kind === 'whisper') {
    checks.push('structure');
    try {
      await inspectWhisperModel(file);
    } catch (err) {
      return { ok: false, checks, problem: (err as Error).message };
    }
  }
  return { ok: true, checks };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Download `entry` into modelsDir unless it is already there and verifies. Resumes an earlier `.part` file with a
 * Range request, verifies the result, then renames it into place. Returns the model's path.
 */
export async function pullModel(entry: ModelEntry, options: PullOptions): Promise<string> {
  const dest = modelPath(entry, options.modelsDir);
  const part = `${dest}.part`;
  await mkdir(options.modelsDir, { recursive: true });

  const existing = await stat(dest).catch(() => undefined);
  if (existing) {
    const v = await verifyModel(entry, dest);
    if (v.ok) return dest;
    if (options.offline) {
      throw new ModelError('MODEL_DAMAGED_OFFLINE', { dest, problem: String(v.problem), name: entry.name });
    }
    await unlink(dest);
  } else if (options.offline) {
    throw new ModelError('MODEL_NOT_INSTALLED_OFFLINE', { name: entry.name, file: entry.file, url: entry.url, dest });
  }

  const doFetch = options.fetch ?? globalThis.fetch;
  let offset = (await stat(part).catch(() => undefined))?.size ?? 0;
  const headers: Record<string, string> = { 'user-agent': 'earshot-model-pull' };
  if (offset > 0) headers.range = `bytes=${offset}-`;

  let res: Response;
  try {
    res = await doFetch(entry.url, { headers, signal: options.signal, redirect: 'follow' });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = String(cause?.code ?? cause?.message ?? (err as Error).message);
    throw new ModelError('MODEL_UNREACHABLE', { host: hostOf(entry.url), reason, url: entry.url, dest });
  }

  if (res.status === 416 && offset > 0) {
    // the part file is already complete (or longer than the file): verify it as is
    await res.body?.cancel();
  } else if (res.status === 200 || res.status === 206) {
    if (res.status === 200 && offset > 0) offset = 0; // the server ignored the Range: start over
    const length = Number(res.headers.get('content-length') ?? NaN);
    const total = Number.isFinite(length) ? offset + length : entry.bytes;
    const fh = await open(part, offset > 0 ? 'a' : 'w');
    let received = offset;
    try {
      options.onProgress?.({ received, total, resumedFrom: offset });
      if (!res.body) throw new ModelError('MODEL_EMPTY_RESPONSE', { url: entry.url });
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        await fh.write(chunk);
        received += chunk.length;
        options.onProgress?.({ received, total, resumedFrom: offset });
      }
    } catch (err) {
      if (options.signal?.aborted) throw err;
      if (err instanceof ModelError) throw err;
      throw new ModelError('MODEL_DOWNLOAD_BROKE_OFF', {
        name: entry.name,
        host: hostOf(entry.url),
        received,
        reason: (err as Error).message,
        part,
      });
    } finally {
      await fh.close();
    }
    if (total !== undefined && received < total) {
      throw new ModelError('MODEL_DOWNLOAD_SHORT', { name: entry.name, received, total, part });
    }
  } else {
    await res.body?.cancel();
    if (res.status === 404) throw new ModelError('MODEL_URL_NOT_FOUND', { url: entry.url, dest });
    throw new ModelError('MODEL_DOWNLOAD_HTTP', { url: entry.url, status: res.status, statusText: res.statusText, dest });
  }

  const v = await verifyModel(entry, part);
  if (!v.ok) {
    await unlink(part).catch(() => undefined);
    throw new ModelError('MODEL_NOT_VERIFIED', { name: entry.name, problem: String(v.problem) });
  }
  await rename(part, dest);
  return dest;
}

export interface ListedModel {
  entry: ModelEntry;
  path: string;
  installed: boolean;
  /** a .part file from an interrupted download is waiting to be resumed */
  partialBytes?: number;
  bytes?: number;
}

/** Every catalogue model with whether it is installed in modelsDir (checked by presence and size, not hashed). */
export async function listModels(modelsDir: string): Promise<ListedModel[]> {
  const names = new Set(await readdir(modelsDir).catch(() => [] as string[]));
  const out: ListedModel[] = [];
  for (const entry of allModels()) {
    const p = modelPath(entry, modelsDir);
    const item: ListedModel = { entry, path: p, installed: false };
    if (names.has(entry.file)) {
      const size = (await stat(p)).size;
      item.bytes = size;
      item.installed = entry.bytes === undefined || entry.bytes === size;
    }
    if (names.has(`${entry.file}.part`)) item.partialBytes = (await stat(`${p}.part`)).size;
    out.push(item);
  }
  return out;
}
