// Gemini's responseSchema (the OpenAPI subset: UPPER-case types, nullable, propertyOrdering) converted to the
// JSON Schema that validation and filling work with.

export type JsonSchema = Record<string, any>;

const GEMINI_TYPES: Record<string, string> = {
  STRING: 'string',
  NUMBER: 'number',
  INTEGER: 'integer',
  BOOLEAN: 'boolean',
  ARRAY: 'array',
  OBJECT: 'object',
  NULL: 'null',
};
const KNOWN_FORMATS = new Set(['date-time', 'date', 'time', 'email', 'uri', 'uuid', 'duration']);

/**
 * Gemini `Schema` (type in UPPER case, nullable, propertyOrdering, anyOf, enum, format, items, properties,
 * required, min/maxItems, min/maxLength, minimum/maximum, pattern, title, description, default, example) → JSON
 * Schema. `nullable` becomes a "null" type (and a null enum value); propertyOrdering orders `properties`;
 * Gemini-only formats (int32, int64, float, double, enum) are dropped.
 */
export function geminiSchemaToJsonSchema(schema: unknown): JsonSchema {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return {};
  const s = schema as Record<string, any>;
  const out: JsonSchema = {};
  let type: string | undefined;
  if (typeof s.type === 'string') {
    const up = s.type.toUpperCase();
    if (up !== 'TYPE_UNSPECIFIED') type = GEMINI_TYPES[up] ?? s.type.toLowerCase();
  }
  if (s.title !== undefined) out.title = s.title;
  if (s.description !== undefined) out.description = s.description;
  if (type) out.type = s.nullable === true && type !== 'null' ? [type, 'null'] : type;
  if (Array.isArray(s.enum)) out.enum = s.nullable === true ? [...s.enum, null] : [...s.enum];
  if (typeof s.format === 'string' && KNOWN_FORMATS.has(s.format)) out.format = s.format;
  for (const k of [
    'minItems',
    'maxItems',
    'minLength',
    'maxLength',
    'minProperties',
    'maxProperties',
    'minimum',
    'maximum',
    'pattern',
    'default',
  ]) {
    if (s[k] === undefined || s[k] === null) continue;
    out[k] = /^(min|max)(Items|Length|Properties)$/.test(k) ? Number(s[k]) : s[k];
  }
  if (s.example !== undefined) out.examples = [s.example];
  if (s.items) out.items = geminiSchemaToJsonSchema(s.items);
  if (s.properties && typeof s.properties === 'object') {
    const keys = Object.keys(s.properties);
    const order: string[] = Array.isArray(s.propertyOrdering) ? s.propertyOrdering.filter((k: string) => keys.includes(k)) : [];
    const sorted = [...order, ...keys.filter((k) => !order.includes(k))];
    out.properties = {};
    for (const k of sorted) out.properties[k] = geminiSchemaToJsonSchema(s.properties[k]);
  }
  if (Array.isArray(s.required)) out.required = [...s.required];
  if (Array.isArray(s.anyOf)) {
    out.anyOf = s.anyOf.map(geminiSchemaToJsonSchema);
    if (s.nullable === true) out.anyOf.push({ type: 'null' });
  }
  return out;
}
