// Validation of JSON against a response schema with ajv (draft-07, or 2020-12 when the schema says so), compiled
// validators kept in an LRU cache; a schema ajv cannot compile or a value it rejects is a catalogued 400.

import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LRUCache } from 'lru-cache';
import { EarshotError } from '../../domain/errors.js';
import type { JsonSchema } from './convert.js';

type Validator = ((v: unknown) => boolean) & { errors?: unknown[] | null };

/** compiled validators by the schema's JSON text; least recently used dropped past 200 */
const validators = new LRUCache<string, Validator>({ max: 200 });
let ajv07: Ajv | undefined;
let ajv2020: Ajv2020 | undefined;

function addFormats(a: Ajv | Ajv2020): void {
  a.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})$/);
  a.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  a.addFormat('time', /^\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/);
  a.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  a.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S*$/i);
  a.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  a.addFormat('duration', /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(?:\.\d+)?S)?)?$/);
}

function compile(schema: object): Validator {
  const key = JSON.stringify(schema);
  const hit = validators.get(key);
  if (hit) return hit;
  const is2020 = typeof (schema as JsonSchema).$schema === 'string' && /2020-12|2019-09/.test((schema as JsonSchema).$schema);
  let fn: Validator;
  try {
    if (is2020) {
      ajv2020 ??= new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
      if (!ajv07 && ajv2020) addFormats(ajv2020);
      fn = ajv2020.compile(schema);
    } else {
      if (!ajv07) {
        ajv07 = new Ajv({ strict: false, allErrors: true, validateFormats: true });
        addFormats(ajv07);
      }
      const { $schema: _drop, ...rest } = schema as JsonSchema;
      fn = ajv07.compile(rest);
    }
  } catch (e) {
    throw new EarshotError('SCHEMA_INVALID', { detail: (e as Error).message }, { cause: e });
  }
  validators.set(key, fn);
  return fn;
}

/** Errors (ajv's) of `value` against `schema`, or [] when it validates. */
export function schemaErrors(schema: object, value: unknown): unknown[] {
  const v = compile(schema);
  return v(value) ? [] : (v.errors ?? [{ message: 'invalid' }]);
}

/** Throws SCHEMA_UNSATISFIABLE (what to do, with ajv's first errors) when `value` does not validate against `schema`. */
export function validateJson(schema: object, value: unknown): void {
  const errs = schemaErrors(schema, value);
  if (errs.length) {
    throw new EarshotError('SCHEMA_UNSATISFIABLE', { errors: JSON.stringify(errs).slice(0, 300) });
  }
}
