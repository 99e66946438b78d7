// Error-catalogue group: model files (MODEL_* for downloads and the catalogue, WHISPER_MODEL_* for whisper.cpp
// files). Operator-facing: the CLI prints these, paths and all, so they are INTERNAL on the wire, where a
// client sees only "Internal error encountered.".

import { entry } from './catalogue-entry.js';

const REDOWNLOAD = 're-download it (earshot models pull <name>) or replace the file';

export const MODEL_ERRORS = {
  // ── downloads (src/engines/models/download.ts) ──
  MODEL_DAMAGED_OFFLINE: entry<{ dest: string; problem: string; name: string }>(
    'INTERNAL',
    (p) => `${p.dest} is damaged (${p.problem}); delete it and download ${p.name} again without --offline`,
  ),
  MODEL_NOT_INSTALLED_OFFLINE: entry<{ name: string; file: string; url: string; dest: string }>(
    'INTERNAL',
    (p) => `model ${p.name} is not installed and --offline forbids downloading it: place ${p.file} from ${p.url} at ${p.dest}`,
  ),
  MODEL_UNREACHABLE: entry<{ host: string; reason: string; url: string; dest: string }>(
    'INTERNAL',
    (p) =>
      `cannot reach ${p.host} (${p.reason}): are you offline? Download ${p.url} yourself and place it at ${p.dest}, then run with --offline`,
  ),
  MODEL_EMPTY_RESPONSE: entry<{ url: string }>('INTERNAL', (p) => `empty response from ${p.url}`),
  MODEL_DOWNLOAD_BROKE_OFF: entry<{ name: string; host: string; received: number; reason: string; part: string }>(
    'INTERNAL',
    (p) =>
      `download of ${p.name} from ${p.host} broke off after ${p.received} bytes (${p.reason}); run the same command again to resume from ${p.part}`,
  ),
  MODEL_DOWNLOAD_SHORT: entry<{ name: string; received: number; total: number; part: string }>(
    'INTERNAL',
    (p) => `download of ${p.name} stopped at ${p.received} of ${p.total} bytes; run it again to resume from ${p.part}`,
  ),
  MODEL_URL_NOT_FOUND: entry<{ url: string; dest: string }>(
    'INTERNAL',
    (p) => `${p.url} was not found (HTTP 404): the model may have moved; download it by hand and place it at ${p.dest}`,
  ),
  MODEL_DOWNLOAD_HTTP: entry<{ url: string; status: number; statusText: string; dest: string }>(
    'INTERNAL',
    (p) => `downloading ${p.url} failed: HTTP ${p.status} ${p.statusText}; try again later or place the file at ${p.dest}`,
  ),
  MODEL_NOT_VERIFIED: entry<{ name: string; problem: string }>(
    'INTERNAL',
    (p) => `downloaded ${p.name} does not verify (${p.problem}); the partial file was removed, run the command again`,
  ),
  MODEL_UNKNOWN: entry<{ name: string; known: string[] }>(
    'INTERNAL',
    (p) => `unknown model "${p.name}"; known models: ${p.known.join(', ')}`,
  ),

  // ── whisper.cpp model files (src/engines/speech/whisper-model.ts, whisper.ts) ──
  WHISPER_MODEL_NOT_FOUND: entry<{ file: string }>(
    'INTERNAL',
    (p) => `whisper model not found at ${p.file}: download one (earshot models pull whisper-base.en) or pass the path of a ggml-*.bin file`,
  ),
  WHISPER_MODEL_UNOPENABLE: entry<{ file: string; reason: string }>('INTERNAL', (p) => `cannot open whisper model ${p.file}: ${p.reason}`),
  /** `problem` is a short phrase about the structure found ("is truncated inside its vocabulary") */
  WHISPER_MODEL_DAMAGED: entry<{ file: string; problem: string }>('INTERNAL', (p) => `whisper model ${p.file} ${p.problem}: ${REDOWNLOAD}`),
  WHISPER_MODEL_IS_GGUF: entry<{ file: string }>(
    'INTERNAL',
    (p) =>
      `${p.file} is a GGUF file (llama.cpp format), not a whisper.cpp model: use a ggml-*.bin from huggingface.co/ggerganov/whisper.cpp`,
  ),
  WHISPER_MODEL_BAD_MAGIC: entry<{ file: string; magic: number }>(
    'INTERNAL',
    (p) =>
      `${p.file} is not a whisper.cpp ggml model (bad magic 0x${p.magic.toString(16)}): ${REDOWNLOAD}; models are the ggml-*.bin files of huggingface.co/ggerganov/whisper.cpp`,
  ),
  WHISPER_MODEL_LOAD_FAILED: entry<{ file: string; reason: string; log: string }>(
    'INTERNAL',
    (p) =>
      `whisper.cpp could not load ${p.file}: ${p.reason}${p.log ? ` (${p.log})` : ''}. Re-download the model (earshot models pull <name>) or pick another one.`,
  ),
  WHISPER_MODEL_MISSING: entry<{ file: string }>('INTERNAL', (p) => `the Whisper model file ${p.file} does not exist`),
} as const;

export type ModelErrorCode = Extract<keyof typeof MODEL_ERRORS, `MODEL_${string}`>;
export type WhisperModelErrorCode = Extract<keyof typeof MODEL_ERRORS, `WHISPER_MODEL_${string}`>;
