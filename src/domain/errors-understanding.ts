// Error-catalogue group: the understanding layer. SCHEMA_* are a request's response_schema that cannot be used
// (Gemini's field path kept in the message, as before the catalogue); TEXT_MODEL_* are the operator's language-model
// setup, INTERNAL on the wire like the other model-file errors (the CLI prints them whole).

/** A catalogue entry's shape (Google status, message template), kept local so this group stands on its own. */
const entry = <P = undefined>(status: 'INVALID_ARGUMENT' | 'INTERNAL', message: (params: P) => string) => ({ status, message });

const RESPONSE_SCHEMA = '* GenerateContentRequest.generation_config.response_schema:';

export const UNDERSTANDING_ERRORS = {
  // ── a response schema the request cannot have (src/understanding/schema/) ──
  SCHEMA_INVALID: entry<{ detail: string }>(
    'INVALID_ARGUMENT',
    (p) => `${RESPONSE_SCHEMA} The response schema is not a valid JSON Schema (${p.detail}); fix the schema or leave it out.`,
  ),
  SCHEMA_REF_NOT_LOCAL: entry<{ ref: string }>(
    'INVALID_ARGUMENT',
    (p) => `${RESPONSE_SCHEMA} The response schema refers to "${p.ref}"; only local references (#/...) are supported.`,
  ),
  SCHEMA_REF_DANGLING: entry<{ ref: string }>(
    'INVALID_ARGUMENT',
    (p) => `${RESPONSE_SCHEMA} The response schema's reference "${p.ref}" points nowhere; fix the schema.`,
  ),
  SCHEMA_UNSATISFIABLE: entry<{ errors: string }>(
    'INVALID_ARGUMENT',
    (p) =>
      `${RESPONSE_SCHEMA} Could not produce JSON matching the response schema (${p.errors}); simplify the schema (e.g. drop the pattern) or configure a language model.`,
  ),
  // issue 11: a schema field that demands a fact the analysis does not hold (speaker, language, emotion, translation)
  SCHEMA_NO_FACT: entry<{ field: string; fact: string; why: string }>(
    'INVALID_ARGUMENT',
    (p) =>
      `${RESPONSE_SCHEMA} The field "${p.field}" needs ${p.fact}, which the analysis of this audio does not hold (${p.why}), and the schema does not allow an empty value; make the field optional or allow an empty string, or configure a language model.`,
  ),
  SCHEMA_ENUM_MISSING: entry(
    'INVALID_ARGUMENT',
    () => `${RESPONSE_SCHEMA} responseMimeType "text/x.enum" needs a responseSchema with an enum of strings; add one or use text/plain.`,
  ),

  // ── the configured language model (src/understanding/backends.ts) ──
  TEXT_MODEL_UNSET: entry(
    'INTERNAL',
    () =>
      'engines.text=llama needs engines.llamaModel (EARSHOT_LLAMA_MODEL): a .gguf path or a catalogue name pulled with `earshot models pull`.',
  ),
  TEXT_MODEL_NOT_INSTALLED: entry<{ model: string; path: string }>(
    'INTERNAL',
    (p) => `The language model ${p.model} is not installed (looked for ${p.path}); run \`earshot models pull ${p.model}\`.`,
  ),
} as const;
