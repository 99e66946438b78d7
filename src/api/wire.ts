// Wire shapes: how records become the JSON Gemini clients expect (File, page tokens), and how
// request JSON written in either proto spelling (snake_case or camelCase) is read as one.

import type { File, FileSource, FileState } from '@google/genai';
import type { FileRecord } from '../store/files.js';
import { EarshotError } from '../domain/errors.js';

/** A File resource as Gemini sends it (@google/genai's type); every field Earshot writes is set. */
export type WireFile = File;

/** JSON Schema of WireFile, used by Fastify to serialise responses fast and exactly. */
export const wireFileSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    displayName: { type: 'string' },
    mimeType: { type: 'string' },
    sizeBytes: { type: 'string' },
    createTime: { type: 'string' },
    updateTime: { type: 'string' },
    expirationTime: { type: 'string' },
    sha256Hash: { type: 'string' },
    uri: { type: 'string' },
    state: { type: 'string' },
    source: { type: 'string' },
    error: { type: 'object', properties: { code: { type: 'integer' }, message: { type: 'string' } } },
  },
} as const;

export function toWireFile(rec: FileRecord, baseUrl: string): WireFile {
  const out: WireFile = {
    name: `files/${rec.id}`,
    mimeType: rec.mimeType,
    sizeBytes: String(rec.sizeBytes),
    createTime: new Date(rec.createTime).toISOString(),
    updateTime: new Date(rec.updateTime).toISOString(),
    expirationTime: new Date(rec.expireTime).toISOString(),
    // Gemini sends the bytes field sha256_hash as base64 of the hex digest
    sha256Hash: Buffer.from(rec.sha256, 'ascii').toString('base64'),
    uri: `${baseUrl}/v1beta/files/${rec.id}`,
    state: rec.state as FileState,
    source: 'UPLOADED' as FileSource,
  };
  if (rec.displayName) out.displayName = rec.displayName;
  if (rec.error) out.error = rec.error;
  return out;
}

/** Opaque page token: the cursor of the last item of the previous page. */
export function encodePageToken(cursor: { createTime: number; id: string }): string {
  return Buffer.from(`${cursor.createTime}:${cursor.id}`).toString('base64url');
}

export function decodePageToken(token: string): { createTime: number; id: string } | undefined {
  const text = Buffer.from(token, 'base64url').toString();
  const [, createTime, id] = /^(\d{1,16}):([a-z0-9-]{1,40})$/.exec(text) ?? [];
  return createTime !== undefined && id !== undefined ? { createTime: Number(createTime), id } : undefined;
}

/** A file id from "files/abc", "abc" or a URI ending in /files/abc; undefined if none can be read. */
export function fileIdFromRef(ref: string): string | undefined {
  const m = /(?:^|\/)files\/([a-z0-9-]{1,40})(?:[?#].*)?$/.exec(ref) ?? /^([a-z0-9-]{1,40})$/.exec(ref);
  return m ? m[1] : undefined;
}

const snakeToCamel = (k: string) => (k.includes('_') ? k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : k);

/** Keys whose values are user data and must be kept verbatim. */
const VERBATIM = new Set(['responseJsonSchema', 'parametersJsonSchema', 'responseJsonSchemaOrdered', 'args', 'response']);

/** Deepest nesting of objects and arrays a request body may have (Gemini refuses deeper protos too). */
export const MAX_JSON_DEPTH = 100;

/** Throws API_JSON_TOO_DEEP when `value` nests deeper than `max`; iterative, so any depth is safe to check. */
export function assertJsonDepth(value: unknown, max = MAX_JSON_DEPTH): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) throw new EarshotError('API_JSON_TOO_DEEP', { max });
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

/**
 * Proto JSON accepts both `file_data` and `fileData`; Google's servers read either. Normalise a request
 * body to camelCase, leaving user-named keys (schema property names, JSON schemas) untouched. Bodies
 * nested deeper than MAX_JSON_DEPTH are refused first, so the recursion below is bounded.
 */
export function camelizeRequest(value: unknown): unknown {
  assertJsonDepth(value);
  return camelize(value);
}

function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = snakeToCamel(k);
    if (VERBATIM.has(key)) out[key] = v;
    else if (key === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      out[key] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, camelize(pv)]));
    } else out[key] = camelize(v);
  }
  return out;
}

/**
 * Parse JSON the way Google's front ends tolerate it: strict JSON first, then single-quoted strings
 * (the Gemini docs' own curl example sends `{'file': {'display_name': 'AUDIO'}}`).
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (strictError) {
    const converted = text.replace(/'((?:[^'\\]|\\.)*)'/g, (_, s: string) => JSON.stringify(s.replace(/\\'/g, "'")));
    try {
      return JSON.parse(converted);
    } catch {
      throw strictError;
    }
  }
}
