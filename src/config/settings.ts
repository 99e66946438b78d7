// The schema seen as a flat list of settings (dotted path, leaf schema, metadata), with the two things every
// source needs: turning text (flags, environment) into a typed value, and checking one value against its leaf
// with a one-line error that names the setting, where it came from and the allowed values.

import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { EarshotError } from '../domain/errors.js';
import type { SettingMeta } from './schema.js';

export interface Setting extends SettingMeta {
  /** dotted path as in the config file, e.g. 'engines.speech' */
  key: string;
  path: string[];
  schema: TSchema & Record<string, unknown>;
}

type Sch = TSchema & Record<string, unknown>;
const isObjectSchema = (s: Sch): s is Sch & { properties: Record<string, Sch> } => s.type === 'object' && typeof s.properties === 'object';

/** Every leaf of an object schema, in declaration order. */
export function settingsOf(schema: TSchema, prefix: string[] = []): Setting[] {
  const out: Setting[] = [];
  for (const [name, child] of Object.entries((schema as Sch & { properties: Record<string, Sch> }).properties)) {
    const path = [...prefix, name];
    if (isObjectSchema(child)) out.push(...settingsOf(child, path));
    else out.push({ ...(child as unknown as SettingMeta), key: path.join('.'), path, schema: child });
  }
  return out;
}

/** Where a value came from, as the error message says it. */
export type Origin = { kind: 'flag'; name: string } | { kind: 'env'; name: string } | { kind: 'file'; name: string } | { kind: 'default' };

export function describeOrigin(o: Origin): string {
  switch (o.kind) {
    case 'flag':
      return `flag ${o.name}`;
    case 'env':
      return `environment variable ${o.name}`;
    case 'file':
      return `config file ${o.name}`;
    case 'default':
      return 'the defaults';
  }
}

/** The allowed values of a setting, in words. */
export function allowedText(s: Pick<Setting, 'schema' | 'allowed'>): string {
  if (s.allowed) return s.allowed;
  const sch = s.schema;
  if (Array.isArray(sch.enum)) return `one of ${(sch.enum as string[]).join(', ')}`;
  const min = sch.minimum as number | undefined;
  const max = sch.maximum as number | undefined;
  const range =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` ≥ ${min}`
        : sch.exclusiveMinimum !== undefined
          ? ` > ${sch.exclusiveMinimum}`
          : '';
  if (sch.type === 'integer') return `an integer${range}`;
  if (sch.type === 'number') return `a number${range}`;
  if (sch.type === 'boolean') return 'true or false (also 1/0, yes/no, on/off as text)';
  if (sch.type === 'array') return 'a list of strings (comma-separated as text)';
  if (sch.type === 'string') return 'a non-empty string';
  return 'see the README configuration table';
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** Text from a flag or the environment → the setting's type. Text that does not convert stays text and fails the check. */
export function fromText(s: Setting, text: string): unknown {
  const t = s.schema.type;
  if (t === 'integer' || t === 'number') return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  if (t === 'boolean') {
    const v = text.trim().toLowerCase();
    return TRUE.has(v) ? true : FALSE.has(v) ? false : text;
  }
  if (t === 'array')
    return text
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  return text;
}

/** Throw CONFIG_INVALID unless `value` fits the setting. */
export function checkValue(s: Setting, value: unknown, origin: Origin): void {
  if (Value.Check(s.schema, value)) return;
  throw new EarshotError('CONFIG_INVALID', {
    setting: s.key,
    value: shown(s, value),
    origin: describeOrigin(origin),
    allowed: allowedText(s),
  });
}

function shown(s: Setting, value: unknown): string {
  if (s.secret) return '(secret)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function getAt(obj: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export function setAt(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const p of path.slice(0, -1)) {
    if (cur[p] === undefined || cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
}
