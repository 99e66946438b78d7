// Shared test helpers: where ../shared lives, temporary directories.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = path.resolve(REPO_ROOT, '../shared');
export const SPEECH_DIR = path.join(SHARED, 'audio/speech');
export const SOUNDS_DIR = path.join(SHARED, 'audio/sounds');
export const YAMNET_DIR = path.join(SHARED, 'models/yamnet');

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'earshot-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
