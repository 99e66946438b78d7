// Reading one JSON Schema node while filling it: local $ref resolution, the types the node admits, and whether a
// value satisfies one branch (anyOf/oneOf/fact fields) under the root's definitions.

import { EarshotError } from '../../domain/errors.js';
import type { JsonSchema } from './convert.js';
import { schemaErrors } from './validate.js';

/** the node with its local $ref chain followed (at most 20 hops); only "#/…" references are allowed */
export function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; i < 20 && s && typeof s.$ref === 'string'; i++) {
    const ref: string = s.$ref;
    if (!ref.startsWith('#')) throw new EarshotError('SCHEMA_REF_NOT_LOCAL', { ref });
    const target = ref
      .slice(1)
      .split('/')
      .filter(Boolean)
      .reduce<any>((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], root);
    if (!target) throw new EarshotError('SCHEMA_REF_DANGLING', { ref });
    const { $ref: _r, ...rest } = s;
    s = { ...target, ...rest };
  }
  return s;
}

/** the JSON types a node admits: its `type`, else what its keywords imply, else string */
export function typesOf(s: JsonSchema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (typeof s.type === 'string') return [s.type];
  if (s.properties || s.required) return ['object'];
  if (s.items || s.prefixItems) return ['array'];
  if (Array.isArray(s.enum) && s.enum.length)
    return [typeof s.enum[0] === 'number' ? 'number' : typeof s.enum[0] === 'boolean' ? 'boolean' : 'string'];
  return ['string'];
}

/** the value satisfies the branch, with the root's $defs/definitions in reach; a branch ajv refuses fits nothing */
export function branchValid(branch: JsonSchema, value: unknown, root: JsonSchema): boolean {
  try {
    const withDefs: JsonSchema = {
      ...branch,
      ...(root.$defs ? { $defs: root.$defs } : {}),
      ...(root.definitions ? { definitions: root.definitions } : {}),
    };
    if (root.$schema) withDefs.$schema = root.$schema;
    return schemaErrors(withDefs, value).length === 0;
  } catch {
    return false;
  }
}
