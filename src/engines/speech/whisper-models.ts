// Which Whisper model file to use: a configured path, an installed catalogue model, or — out of the box,
// unless offline — the default model pulled on first need with progress in the log (like `ollama run`).
// Returns undefined when none can be had, so the caller falls back to the offline engine.

import { existsSync } from 'node:fs';
import type { Config } from '../../config.js';
import { findModel } from '../models/catalogue.js';
import { installedOrPulled } from '../models/auto-pull.js';
import { WhisperModelError } from './whisper-model.js';

export interface ModelLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export async function resolveWhisperModel(config: Config, log: ModelLog): Promise<string | undefined> {
  const want = config.engines.whisperModel;
  if (want.includes('/') || want.endsWith('.bin')) {
    if (existsSync(want)) return want;
    throw new WhisperModelError('WHISPER_MODEL_MISSING', { file: want });
  }
  return installedOrPulled(findModel(want), {
    modelsDir: config.modelsDir,
    offline: config.offline,
    purpose: 'default speech',
    log,
    withoutIt: 'speech will use the offline engine (PocketSphinx).',
  });
}
