// The analysis worker: a child process that loads the listening engines once and analyses files on
// request, so decoding and inference never block the HTTP event loop and a crashing engine cannot take
// the server down. Speaks protocol.ts over the IPC channel.

import { analyzeAudio, type PipelineEngines } from './pipeline.js';
import { analyzeWithHints, hintCapabilities } from './hinted.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';
import { loadListeningEngines } from '../engines/registry.js';
import { decodePcm } from '../audio/decode.js';
import type { Config } from '../config.js';

const send = (m: FromWorker) => process.send!(m);
const log = {
  info: (msg: string) => send({ type: 'log', level: 'info', msg }),
  warn: (msg: string) => send({ type: 'log', level: 'warn', msg }),
};

let engines: Promise<PipelineEngines> | undefined;
let config: Config | undefined;
const running = new Map<string, AbortController>();
let queue = Promise.resolve();

process.on('message', (m: ToWorker) => {
  if (m.type === 'init') {
    config = { ...(m.config as WorkerConfig), apiKeys: null };
    engines = loadListeningEngines(config, log);
    engines.then(
      (e) => send({ type: 'ready', engines: e.names, warnings: e.warnings, hintCapabilities: hintCapabilities(e.speech) }),
      (err: Error) => send({ type: 'engines-failed', message: err.message }),
    );
  } else if (m.type === 'job') {
    const abort = new AbortController();
    running.set(m.id, abort);
    queue = queue.then(() => runJob(m, abort.signal)).finally(() => running.delete(m.id));
  } else if (m.type === 'cancel') {
    running.get(m.id)?.abort();
  }
});

async function runJob(job: Extract<ToWorker, { type: 'job' }>, signal: AbortSignal): Promise<void> {
  const started = performance.now();
  try {
    // cancelled while waiting its turn: never start
    if (signal.aborted) {
      send({ type: 'failed', id: job.id, message: 'cancelled', cancelled: true });
      return;
    }
    if (!engines) throw new Error('worker not initialised');
    // test-only (the cluster test's crashing file): this content makes the process die as a crashing decoder would
    if (config?.testCrashSha256 === job.sha256) process.kill(process.pid, 'SIGSEGV');
    const e = await engines;
    const decode = (range?: { start?: number; end?: number }, sig?: AbortSignal) => decodePcm(job.path, { ...range, signal: sig });
    const onProgress = (stage: string, fraction: number) => send({ type: 'progress', id: job.id, stage, fraction });
    const analysis =
      job.hints && job.base
        ? await analyzeWithHints(decode, e, job.base, { hints: job.hints, signal, onProgress })
        : await analyzeAudio(decode, e, { sha256: job.sha256, durationSec: job.durationSec, signal, onProgress });
    send({ type: 'done', id: job.id, analysis, seconds: (performance.now() - started) / 1000 });
  } catch (err) {
    send({ type: 'failed', id: job.id, message: (err as Error).message, ...(signal.aborted ? { cancelled: true } : {}) });
  }
}

process.on('disconnect', () => process.exit(0));
