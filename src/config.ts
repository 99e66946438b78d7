// The one typed configuration object: defaults, an optional JSON config file, environment and flags,
// merged with one documented precedence (flags > environment > config file > defaults). Nothing else
// in the code base reads process.env; everything receives a Config.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Limits {
  /** bytes per uploaded file (Gemini: 2 GB) */
  maxFileBytes: number;
  /** bytes stored per project (Gemini: 20 GB) */
  maxProjectBytes: number;
  /** seconds a file lives after creation (Gemini: 48 h) */
  fileTtlSec: number;
  /** bytes per generateContent/countTokens request body (Gemini: 20 MB) */
  maxRequestBytes: number;
  /** seconds of audio in one prompt (Gemini: 9.5 h) */
  maxPromptAudioSec: number;
  /** characters in a display name (Gemini: 512) */
  maxDisplayNameChars: number;
  /** seconds an unfinished resumable upload is kept */
  uploadTtlSec: number;
  /** seconds generateContent waits for a PROCESSING file before answering FAILED_PRECONDITION */
  processingWaitSec: number;
}

export interface EngineConfig {
  /** speech engine: 'auto' (whisper if a model is installed, else pocketsphinx), 'whisper', 'pocketsphinx', 'none' */
  speech: 'auto' | 'whisper' | 'pocketsphinx' | 'none';
  /** whisper model name from the catalogue or a path to a ggml file */
  whisperModel: string;
  /** sound classifier: 'yamnet' or 'none' */
  sounds: 'yamnet' | 'none';
  /** path to the YAMNet tflite file; default: the models dir, else ../shared/models/yamnet */
  yamnetModel?: string;
  vad: 'silero' | 'none';
  /** text generator: 'composer' (built in, no LLM), 'llama' (GGUF via node-llama-cpp), 'openai' (OpenAI-compatible server) */
  text: 'composer' | 'llama' | 'openai';
  /** GGUF path or catalogue name for 'llama' */
  llamaModel?: string;
  openaiBaseUrl?: string;
  openaiModel?: string;
  openaiApiKey?: string;
  /** send the audio itself to an audio-native OpenAI-compatible server */
  openaiSendAudio: boolean;
  /** GPU use for engines that support it */
  gpu: 'auto' | 'off';
  /** threads for CPU engines (0 = let the engine choose) */
  threads: number;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  modelsDir: string;
  /** base URL clients use to reach this server, for File.uri and upload URLs; default http://host:port */
  publicUrl?: string;
  /** null: any key is accepted and each distinct key is its own project; else key → project name */
  apiKeys: Map<string, string> | null;
  /** never download anything (models) */
  offline: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  limits: Limits;
  engines: EngineConfig;
  /** concurrent analyses (each uses the CPU fully) */
  analysisConcurrency: number;
  /** seconds between expiry sweeps */
  sweepIntervalSec: number;
}

export const GB = 1_000_000_000;
export const MB = 1_000_000;

export function defaultConfig(): Config {
  return {
    host: '127.0.0.1',
    port: 8080,
    dataDir: path.resolve('.earshot'),
    modelsDir: path.join(os.homedir(), '.cache', 'earshot', 'models'),
    apiKeys: null,
    offline: false,
    logLevel: 'info',
    limits: {
      maxFileBytes: 2 * GB,
      maxProjectBytes: 20 * GB,
      fileTtlSec: 48 * 3600,
      maxRequestBytes: 20 * 1024 * 1024,
      maxPromptAudioSec: 9.5 * 3600,
      maxDisplayNameChars: 512,
      uploadTtlSec: 7 * 24 * 3600,
      processingWaitSec: 120,
    },
    engines: {
      speech: 'auto',
      whisperModel: 'base.en',
      sounds: 'yamnet',
      vad: 'silero',
      text: 'composer',
      openaiSendAudio: false,
      gpu: 'auto',
      threads: 0,
    },
    analysisConcurrency: 1,
    sweepIntervalSec: 60,
  };
}

/** Settings as they may appear in a config file or as flags: every field optional, nested like Config. */
export type ConfigInput = Partial<Omit<Config, 'limits' | 'engines' | 'apiKeys'>> & {
  limits?: Partial<Limits>;
  engines?: Partial<EngineConfig>;
  /** "key" or "key=project", list or comma-separated string */
  apiKeys?: string[] | string | Record<string, string>;
  /** a file with one "key" or "key=project" per line */
  apiKeysFile?: string;
  configFile?: string;
};

/** Environment variables understood, and where they go. */
export const ENV_VARS: Record<string, (v: string) => ConfigInput> = {
  EARSHOT_HOST: (v) => ({ host: v }),
  EARSHOT_PORT: (v) => ({ port: toInt(v, 'EARSHOT_PORT') }),
  EARSHOT_DATA_DIR: (v) => ({ dataDir: v }),
  EARSHOT_MODELS_DIR: (v) => ({ modelsDir: v }),
  EARSHOT_PUBLIC_URL: (v) => ({ publicUrl: v }),
  EARSHOT_API_KEYS: (v) => ({ apiKeys: v }),
  EARSHOT_API_KEYS_FILE: (v) => ({ apiKeysFile: v }),
  EARSHOT_OFFLINE: (v) => ({ offline: v === '1' || v === 'true' }),
  EARSHOT_LOG_LEVEL: (v) => ({ logLevel: v as Config['logLevel'] }),
  EARSHOT_CONFIG: (v) => ({ configFile: v }),
  EARSHOT_SPEECH_ENGINE: (v) => ({ engines: { speech: v as EngineConfig['speech'] } }),
  EARSHOT_WHISPER_MODEL: (v) => ({ engines: { whisperModel: v } }),
  EARSHOT_TEXT_ENGINE: (v) => ({ engines: { text: v as EngineConfig['text'] } }),
  EARSHOT_LLAMA_MODEL: (v) => ({ engines: { llamaModel: v } }),
  EARSHOT_OPENAI_BASE_URL: (v) => ({ engines: { openaiBaseUrl: v } }),
  EARSHOT_OPENAI_MODEL: (v) => ({ engines: { openaiModel: v } }),
  EARSHOT_OPENAI_API_KEY: (v) => ({ engines: { openaiApiKey: v } }),
};

function toInt(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${what} must be a non-negative integer, got "${v}"`);
  return n;
}

export class ConfigError extends Error {}

export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  let out: ConfigInput = {};
  for (const [name, map] of Object.entries(ENV_VARS)) {
    const v = env[name];
    if (v !== undefined && v !== '') out = mergeInput(out, map(v));
  }
  return out;
}

function mergeInput(a: ConfigInput, b: ConfigInput): ConfigInput {
  return {
    ...a,
    ...b,
    limits: { ...a.limits, ...b.limits },
    engines: { ...a.engines, ...b.engines },
  };
}

function parseKeys(input: ConfigInput['apiKeys'], into: Map<string, string>): void {
  if (input === undefined) return;
  const entries: [string, string][] = [];
  if (typeof input === 'string' || Array.isArray(input)) {
    const list = typeof input === 'string' ? input.split(/[,\n]/) : input;
    for (const raw of list) {
      const item = raw.trim();
      if (!item || item.startsWith('#')) continue;
      const eq = item.indexOf('=');
      const key = eq < 0 ? item : item.slice(0, eq).trim();
      const project = eq < 0 ? key : item.slice(eq + 1).trim();
      entries.push([key, project]);
    }
  } else {
    entries.push(...Object.entries(input));
  }
  for (const [k, p] of entries) into.set(k, p);
}

/**
 * Resolve the effective configuration. `flags` wins over `env`, which wins over the config file
 * (named by flags, then env), which wins over the defaults.
 */
export function resolveConfig(flags: ConfigInput = {}, env: NodeJS.ProcessEnv = {}): Config {
  const fromEnv = configFromEnv(env);
  const file = flags.configFile ?? fromEnv.configFile;
  const fromFile: ConfigInput = file ? readConfigFile(file) : {};
  const merged = mergeInput(mergeInput(fromFile, fromEnv), stripUndefined(flags));
  const base = defaultConfig();
  const config: Config = {
    ...base,
    ...pick(merged, ['host', 'port', 'dataDir', 'modelsDir', 'publicUrl', 'offline', 'logLevel', 'analysisConcurrency', 'sweepIntervalSec']),
    limits: { ...base.limits, ...stripUndefined(merged.limits ?? {}) },
    engines: { ...base.engines, ...stripUndefined(merged.engines ?? {}) },
    apiKeys: null,
  };
  config.dataDir = path.resolve(config.dataDir);
  config.modelsDir = path.resolve(config.modelsDir);
  const keys = new Map<string, string>();
  parseKeys(merged.apiKeys, keys);
  if (merged.apiKeysFile) parseKeys(readFileSync(merged.apiKeysFile, 'utf8'), keys);
  config.apiKeys = keys.size > 0 ? keys : null;
  validate(config);
  return config;
}

function readConfigFile(file: string): ConfigInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as ConfigInput;
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function validate(c: Config): void {
  if (!Number.isInteger(c.port) || c.port < 0 || c.port > 65535) throw new ConfigError(`port must be 0..65535, got ${c.port}`);
  for (const [k, v] of Object.entries(c.limits)) {
    if (typeof v !== 'number' || !(v > 0 || (k === 'processingWaitSec' && v === 0))) throw new ConfigError(`limits.${k} must be a positive number, got ${v}`);
  }
  if (!['composer', 'llama', 'openai'].includes(c.engines.text)) throw new ConfigError(`engines.text must be composer, llama or openai`);
  if (c.engines.text === 'openai' && !c.engines.openaiBaseUrl) throw new ConfigError('engines.text=openai needs engines.openaiBaseUrl (EARSHOT_OPENAI_BASE_URL)');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The configuration as `serve --print-config` shows it: secrets masked. */
export function printableConfig(c: Config): object {
  const mask = (s: string) => (s.length <= 4 ? '****' : `${s.slice(0, 2)}…${s.slice(-2)}`);
  return {
    ...c,
    apiKeys: c.apiKeys ? Object.fromEntries([...c.apiKeys].map(([k, p]) => [mask(k), p])) : 'any key (each key is its own project)',
    engines: { ...c.engines, openaiApiKey: c.engines.openaiApiKey ? mask(c.engines.openaiApiKey) : undefined },
  };
}
