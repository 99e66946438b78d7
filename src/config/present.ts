// Showing the configuration: `serve --print-config` (secrets masked) and the README's settings table, both
// generated from the schema so that neither can drift from it.

import type { Config } from './schema.js';
import { CLIENT_SETTINGS, SETTINGS } from './resolve.js';
import { allowedText, getAt, type Setting } from './settings.js';

const SECRET_SHOWN = 12;

/** A secret as printed: short ones fully hidden, long ones keep two characters at each end to tell them apart. */
export function maskSecret(s: string): string {
  return s.length < SECRET_SHOWN ? '****' : `${s.slice(0, 2)}…${s.slice(-2)}`;
}

function maskUrlPassword(u: string): string {
  try {
    const url = new URL(u);
    if (!url.password) return u;
    url.password = '****';
    return url.toString();
  } catch {
    return '****';
  }
}

/** The configuration as `serve --print-config` shows it: every setting, secrets masked. */
export function printableConfig(c: Config): Record<string, unknown> {
  const out = structuredClone({ ...c, apiKeys: undefined }) as Record<string, unknown>;
  for (const s of SETTINGS) {
    const v = getAt(out, s.path);
    if (typeof v !== 'string' || !s.secret) continue;
    const parent = s.path.length > 1 ? (getAt(out, s.path.slice(0, -1)) as Record<string, unknown>) : out;
    parent[s.path[s.path.length - 1] as string] = s.secret === 'url-password' ? maskUrlPassword(v) : maskSecret(v);
  }
  out.apiKeys = c.apiKeys
    ? Object.fromEntries([...c.apiKeys].map(([k, p]) => [maskSecret(k), p]))
    : 'any key (each key is its own project)';
  return out;
}

const code = (s: string | undefined) => (s ? `\`${s}\`` : '');

function defaultOf(s: Setting): string {
  if (s.defaultText) return s.defaultText;
  const d = s.schema.default;
  return d === undefined ? '' : code(typeof d === 'string' ? d : JSON.stringify(d));
}

function rows(settings: readonly Setting[]): string[] {
  return settings.map((s) => {
    const env = [s.env, ...(s.envAliases ?? [])].filter(Boolean).map(code).join(', ');
    const secret = s.secret ? ' (secret)' : '';
    const cells = [code(s.key), code(s.flag), env, defaultOf(s), allowedText(s), `${s.description}${secret}`];
    return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  });
}

const head = (first: string) => [`| ${first} | flag | environment | default | allowed | meaning |`, '|---|---|---|---|---|---|'];

/** The README's configuration tables (server, then `earshot files`), generated from the schema. */
export function configTable(): string {
  return [
    ...head('setting (config file key)'),
    ...rows(SETTINGS),
    '',
    '`earshot files` (a client of a running server) reads:',
    '',
    ...head('setting'),
    ...rows(CLIENT_SETTINGS),
  ].join('\n');
}

export const TABLE_START = '<!-- config-table:start (generated: earshot config --update-readme README.md) -->';
export const TABLE_END = '<!-- config-table:end -->';

/** `readme` with the text between the table markers replaced by the generated table; null without markers. */
export function withConfigTable(readme: string): string | null {
  const a = readme.indexOf(TABLE_START);
  const b = readme.indexOf(TABLE_END);
  if (a < 0 || b < a) return null;
  return `${readme.slice(0, a + TABLE_START.length)}\n${configTable()}\n${readme.slice(b)}`;
}
