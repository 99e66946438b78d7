// Local work for the CLI: probe and analyse a file in this process with the same engines and pipeline
// the server uses (no server needed), and build the understanding layer's Conversation around it.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { AudioAnalysis, AudioProbe } from '../domain/analysis.js';
import { probeAudio } from '../audio/probe.js';
import { decodePcm } from '../audio/decode.js';
import { analyzeAudio } from '../analysis/pipeline.js';
import { loadListeningEngines } from '../engines/registry.js';
import type { Conversation } from '../understanding/types.js';

export interface LocalAnalysis {
  file: string;
  probe: AudioProbe;
  analysis: AudioAnalysis;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function analyzeLocal(
  file: string,
  config: Config,
  opts: { onProgress?: (stage: string, fraction: number) => void; signal?: AbortSignal; log?: (msg: string) => void } = {},
): Promise<LocalAnalysis> {
  const probe = await probeAudio(file, { maxDurationSec: config.limits.maxPromptAudioSec, signal: opts.signal });
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const engines = await loadListeningEngines(config, { info: log, warn: log });
  try {
    const analysis = await analyzeAudio((range, signal) => decodePcm(file, { ...range, signal }), engines, {
      sha256: await sha256File(file),
      durationSec: probe.durationSec,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
    return { file, probe, analysis };
  } finally {
    await Promise.all([engines.vad?.close?.(), engines.sounds?.close?.(), engines.speech?.close?.()]);
  }
}

export function conversationFor(items: LocalAnalysis[], question: string): Conversation {
  return {
    turns: [
      {
        role: 'user',
        parts: [
          ...items.map((it, index) => ({
            kind: 'audio' as const,
            index,
            analysis: it.analysis,
            mimeType: 'audio/*',
            displayName: path.basename(it.file),
          })),
          { kind: 'text' as const, text: question },
        ],
      },
    ],
  };
}
