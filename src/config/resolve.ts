// Resolving the effective configuration: defaults < JSON config file < environment < flags, every value checked
// against the schema as it is read (a bad value fails start-up even where a later source overrides it), unknown
// keys refused. The only module that reads process.env.

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EarshotError } from '../domain/errors.js';
import { ClientSchema, SettingsSchema, type ClientConfig, type Config, type ConfigInput } from './schema.js';
import { checkValue, describeOrigin, fromText, setAt, settingsOf, type Origin, type Setting } from './settings.js';

type Env = Readonly<Record<string, string | undefined>>;
type Obj = Record<string, unknown>;

/** The server's settings, flat, in schema order. */
export const SETTINGS: readonly Setting[] = settingsOf(SettingsSchema);
/** The client commands' settings (`earshot files`). */
export const CLIENT_SETTINGS: readonly Setting[] = settingsOf(ClientSchema);

interface Layer {
  values: Map<string, unknown>;
  origins: Map<string, Origin>;
}

function emptyLayer(): Layer {
  return { values: new Map(), origins: new Map() };
}

function put(layer: Layer, s: Setting, value: unknown, origin: Origin): void {
  checkValue(s, value, origin);
  layer.values.set(s.key, value);
  layer.origins.set(s.key, origin);
}

/** Environment variables of the given settings, text converted and checked. */
function fromEnv(settings: readonly Setting[], env: Env): Layer {
  const layer = emptyLayer();
  for (const s of settings) {
    const name = [s.env, ...(s.envAliases ?? [])].find((n) => n !== undefined && env[n] !== undefined && env[n] !== '');
    if (name) put(layer, s, fromText(s, env[name] as string), { kind: 'env', name });
  }
  return layer;
}

/** A nested object (config file, or options given by a caller): unknown keys refused, leaves checked. */
function fromObject(settings: readonly Setting[], obj: unknown, origin: Origin, convertText: boolean): Layer {
  const layer = emptyLayer();
  walk(obj, []);
  return layer;

  function walk(node: unknown, prefix: string[]): void {
    const here = settings.filter((s) => prefix.every((p, i) => s.path[i] === p) && s.path.length > prefix.length);
    const names = [
      ...new Set(here.filter((s) => origin.kind !== 'file' || s.inFile !== false).map((s) => s.path[prefix.length] as string)),
    ];
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      const setting = prefix.length ? prefix.join('.') : '(top level)';
      throw new EarshotError('CONFIG_INVALID', {
        setting,
        value: JSON.stringify(node) ?? 'undefined',
        origin: describeOrigin(origin),
        allowed: `an object with keys ${names.join(', ')}`,
      });
    }
    for (const [name, value] of Object.entries(node as Obj)) {
      if (value === undefined) continue;
      const key = [...prefix, name];
      const leaf = here.find((s) => s.path.length === key.length && s.path[prefix.length] === name);
      if (!names.includes(name)) {
        throw new EarshotError('CONFIG_UNKNOWN_KEY', { key: key.join('.'), origin: describeOrigin(origin), allowed: names.join(', ') });
      }
      if (leaf) {
        const given = convertText && typeof value === 'string' ? fromText(leaf, value) : value;
        put(layer, leaf, given, origin.kind === 'flag' && leaf.flag ? { kind: 'flag', name: leaf.flag } : origin);
      } else walk(value, key);
    }
  }
}

function readConfigFile(file: string): Layer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EarshotError('CONFIG_FILE_UNREADABLE', { file, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EarshotError('CONFIG_FILE_UNREADABLE', { file, reason: `not valid JSON (${(e as Error).message.split('\n')[0]})` });
  }
  return fromObject(SETTINGS, json, { kind: 'file', name: file }, false);
}

/** Defaults, then each layer in rising precedence. */
function merge(settings: readonly Setting[], layers: Layer[]): { obj: Obj; origins: Map<string, Origin> } {
  const obj: Obj = {};
  const origins = new Map<string, Origin>();
  for (const s of settings) {
    if (s.schema.default !== undefined) {
      setAt(obj, s.path, structuredClone(s.schema.default));
      origins.set(s.key, { kind: 'default' });
    }
  }
  for (const layer of layers) {
    for (const [key, value] of layer.values) {
      setAt(obj, key.split('.'), value);
      origins.set(key, layer.origins.get(key) as Origin);
    }
  }
  return { obj, origins };
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** "key" or "key=project", as a list or comma/newline-separated text; or an object key → project. */
function parseKeys(input: unknown, into: Map<string, string>): void {
  if (input === undefined) return;
  if (typeof input === 'string' || Array.isArray(input)) {
    const list = typeof input === 'string' ? input.split(/[,\n]/) : (input as string[]);
    for (const raw of list) {
      const item = raw.trim();
      if (!item || item.startsWith('#')) continue;
      const eq = item.indexOf('=');
      const key = eq < 0 ? item : item.slice(0, eq).trim();
      into.set(key, eq < 0 ? key : item.slice(eq + 1).trim());
    }
  } else {
    for (const [k, p] of Object.entries(input as Record<string, string>)) into.set(k, p);
  }
}

/**
 * Resolve the effective configuration: `flags` (options given by the caller or parsed from the command line;
 * text is converted like the environment's) win over `env`, which wins over the config file (named by flags,
 * then env), which wins over the defaults. Any bad value, unknown key or unreadable file throws a CONFIG_*
 * EarshotError whose message is one line naming the setting, its source and the allowed values. `env` is
 * empty unless given (tests stay hermetic); commands pass processEnvironment().
 */
export function resolveConfig(flags: ConfigInput = {}, env: Env = {}): Config {
  const flagLayer = fromObject(SETTINGS, flags, { kind: 'flag', name: 'options' }, true);
  const envLayer = fromEnv(SETTINGS, env);
  const file = (flagLayer.values.get('configFile') ?? envLayer.values.get('configFile')) as string | undefined;
  const fileLayer = file ? readConfigFile(file) : emptyLayer();
  const { obj, origins } = merge(SETTINGS, [fileLayer, envLayer, flagLayer]);

  const engines = obj.engines as Config['engines'];
  if (engines.text === 'openai' && !engines.openaiBaseUrl) {
    throw new EarshotError('CONFIG_MISSING', {
      setting: 'engines.openaiBaseUrl',
      env: 'EARSHOT_OPENAI_BASE_URL',
      because: `engines.text is openai (from ${describeOrigin(origins.get('engines.text') as Origin)})`,
    });
  }
  if (engines.speech === 'openai' && !engines.speechBaseUrl) {
    throw new EarshotError('CONFIG_MISSING', {
      setting: 'engines.speechBaseUrl',
      env: 'EARSHOT_SPEECH_BASE_URL',
      because: `engines.speech is openai (from ${describeOrigin(origins.get('engines.speech') as Origin)})`,
    });
  }

  const keys = new Map<string, string>();
  parseKeys(obj.apiKeys, keys);
  const keysFile = obj.apiKeysFile as string | undefined;
  if (keysFile) {
    let text: string;
    try {
      text = readFileSync(keysFile, 'utf8');
    } catch (e) {
      throw new EarshotError('CONFIG_FILE_UNREADABLE', {
        file: keysFile,
        reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message,
      });
    }
    parseKeys(text, keys);
  }
  const { apiKeys: _keys, apiKeysFile: _file, configFile: _config, ...rest } = obj;
  const config = { ...rest, apiKeys: keys.size > 0 ? keys : null } as Config;
  config.dataDir = path.resolve(expandHome(config.dataDir));
  config.modelsDir = path.resolve(expandHome(config.modelsDir));
  const addon = config.engines.whisperNative ?? builtWhisperAddon(env);
  config.engines.whisperNative = addon === 'bundled' || !addon ? undefined : path.resolve(expandHome(addon));
  return config;
}

/**
 * The whisper.node addon `npm run build:whisper-native` (deploy/build-whisper-native.sh) leaves in the cache, when it
 * is there: built for this CPU, it decodes several times faster than the npm package's CPU build, so it is used
 * without being named.
 */
export function builtWhisperAddon(env: Env): string | undefined {
  const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const file = path.join(cache, 'earshot', 'whisper-native', 'index.node');
  return existsSync(file) ? file : undefined;
}

/** The defaults alone (no environment, no file), paths resolved. */
export function defaultConfig(): Config {
  return resolveConfig({}, {});
}

/** Settings of `earshot files`: flags (--server, --key) over the environment over the defaults. */
export function resolveClientConfig(flags: { server?: string; key?: string } = {}, env: Env = {}): ClientConfig {
  const byFlag = emptyLayer();
  for (const s of CLIENT_SETTINGS) {
    const given = s.flag === '--server' ? flags.server : s.flag === '--key' ? flags.key : undefined;
    if (given !== undefined) put(byFlag, s, given, { kind: 'flag', name: s.flag as string });
  }
  return merge(CLIENT_SETTINGS, [fromEnv(CLIENT_SETTINGS, env), byFlag]).obj as ClientConfig;
}

/** This process's environment, for the commands to hand to resolveConfig (the one place that reads process.env). */
export function processEnvironment(): Env {
  return process.env;
}

/** Directories searched for executables (the PATH variable), for engines that run a binary. */
export function executableSearchPath(env: Env = process.env): string[] {
  return (env.PATH ?? '').split(path.delimiter).filter(Boolean);
}
