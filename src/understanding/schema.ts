// Structured output, one address for its parts (src/understanding/schema/): Gemini Schema → JSON Schema
// (convert.ts), ajv validation (validate.ts), filling a schema from a composed answer (fill.ts, with field-names.ts,
// schema-node.ts, constrain.ts and fill-facts.ts), and the answer's natural JSON and best enum value (answer-json.ts).

export { geminiSchemaToJsonSchema, type JsonSchema } from './schema/convert.js';
export { schemaErrors, validateJson } from './schema/validate.js';
export { fillSchema } from './schema/fill.js';
export { bestEnumValue, naturalJson } from './schema/answer-json.js';
