// The out-of-the-box model: an installed, verified catalogue file, or — unless offline — the file pulled on
// first need with progress in the log (like `ollama run`). Undefined when it cannot be had; callers decide
// what that means (a fallback engine, or a warning in every analysis).

import { existsSync } from 'node:fs';
import type { ModelEntry } from './catalogue.js';
import { modelPath, pullModel, verifyModel } from './download.js';

export interface PullLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** How long the automatic pull may wait for the first byte before giving up (offline machines fail fast). */
const CONNECT_TIMEOUT_MS = 15_000;

export async function installedOrPulled(
  entry: ModelEntry,
  options: { modelsDir: string; offline: boolean; purpose: string; log: PullLog; withoutIt: string },
): Promise<string | undefined> {
  const { log } = options;
  const file = modelPath(entry, options.modelsDir);
  if (existsSync(file)) {
    const check = await verifyModel(entry, file);
    if (check.ok) return file;
    log.warn(`The installed ${entry.name} (${file}) does not verify: ${check.problem}. Run \`earshot models pull ${entry.name}\` again.`);
    return undefined;
  }
  if (options.offline) return undefined;
  log.info(
    `Pulling the ${options.purpose} model ${entry.name} (${Math.round(entry.approxBytes / 2 ** 20)} MiB) into ${options.modelsDir} …`,
  );
  const abort = new AbortController();
  let lastStep = -1;
  let started = false;
  const timer = setTimeout(() => !started && abort.abort(), CONNECT_TIMEOUT_MS);
  try {
    const path = await pullModel(entry, {
      modelsDir: options.modelsDir,
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
      `Could not pull ${entry.name} (${(err as Error).message}); ${options.withoutIt} Run \`earshot models pull ${entry.name}\` when online, or start with --offline to skip this attempt.`,
    );
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
