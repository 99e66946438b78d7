// Which Whisper model file to use: a configured path, an installed catalogue model, or — out of the box,
// unless offline — the default model pulled on first need with progress in the log (like `ollama run`).
// Returns undefined when none can be had, so the caller falls back to the offline engine.

import { existsSync } from 'node:fs';
import type { Config } from '../../config.js';
import { findModel } from '../models/catalogue.js';
import { modelPath, pullModel, verifyModel } from '../models/download.js';
import { WhisperModelError } from './whisper-model.js';

export interface ModelLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** How long the automatic pull may wait for the first byte before giving up (offline machines fail fast). */
const CONNECT_TIMEOUT_MS = 15_000;

export async function resolveWhisperModel(config: Config, log: ModelLog): Promise<string | undefined> {
  const want = config.engines.whisperModel;
  if (want.includes('/') || want.endsWith('.bin')) {
    if (existsSync(want)) return want;
    throw new WhisperModelError('WHISPER_MODEL_MISSING', { file: want });
  }
  const entry = findModel(want);
  const file = modelPath(entry, config.modelsDir);
  if (existsSync(file)) {
    const check = await verifyModel(entry, file);
    if (check.ok) return file;
    log.warn(`The installed ${entry.name} (${file}) does not verify: ${check.problem}. Run \`earshot models pull ${entry.name}\` again.`);
    return undefined;
  }
  if (config.offline) return undefined;
  log.info(`Pulling the default speech model ${entry.name} (${Math.round(entry.approxBytes / 2 ** 20)} MiB) into ${config.modelsDir} …`);
  const abort = new AbortController();
  let lastStep = -1;
  let started = false;
  const timer = setTimeout(() => !started && abort.abort(), CONNECT_TIMEOUT_MS);
  try {
    const path = await pullModel(entry, {
      modelsDir: config.modelsDir,
      signal: abort.signal,
      onProgress: (p) => {
        started = true;
        const total = p.total ?? entry.bytes ?? entry.approxBytes;
        const step = Math.floor((p.received / total) * 10);
        if (step > lastStep) {
          lastStep = step;
          log.info(
            `${entry.name}: ${Math.min(100, step * 10)}% (${(p.received / 2 ** 20).toFixed(0)} of ${(total / 2 ** 20).toFixed(0)} MiB)`,
          );
        }
      },
    });
    log.info(`${entry.name} installed at ${path}.`);
    return path;
  } catch (err) {
    log.warn(
      `Could not pull ${entry.name} (${(err as Error).message}); speech will use the offline engine (PocketSphinx). Run \`earshot models pull ${entry.name}\` when online, or start with --offline to skip this attempt.`,
    );
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
