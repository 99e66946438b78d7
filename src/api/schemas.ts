// Route schemas (JSON Schema, checked by Fastify's own Ajv validator) for request bodies, params and
// queries, and the error formatter that words their failures exactly as Gemini does. Each schema node
// carries its Gemini message per failing keyword in `x-gemini`; hand-written checks (request.ts) remain
// only for oneof and cross-field rules. Bodies are validated after camelizing (see server.ts), so one
// schema covers both proto spellings.

import type { FastifyServerOptions } from 'fastify';
import { EarshotError } from '../domain/errors.js';

type Messages = Partial<Record<'type' | 'minimum' | 'maximum' | 'maxItems' | 'enum' | 'pattern' | 'minLength' | 'maxLength', string>>;

/** Templates: {path} the field's proto path (snake_case, [i] indices), {value} the value, {json} it as JSON, {min} {max}. */
const number = (field: string, min: number, max: number, integer = false) => ({
  type: [integer ? 'integer' : 'number', 'null'], // null reads as unset, as proto JSON reads it
  minimum: min,
  maximum: max,
  'x-gemini': {
    type: `Invalid value at 'generation_config.${field}': {json} is not a${integer ? 'n integer' : ' number'}.`,
    minimum: `* GenerateContentRequest.generation_config.${field}: {value} is out of range [{min}, {max}].`,
    maximum: `* GenerateContentRequest.generation_config.${field}: {value} is out of range [{min}, {max}].`,
  } satisfies Messages,
});

export const RESPONSE_MIME_TYPES = ['text/plain', 'application/json', 'text/x.enum'];

const stringList = (field: string) => ({
  type: ['array', 'null'],
  maxItems: 1000,
  items: {
    type: 'string',
    'x-gemini': { type: `Invalid value at 'generation_config.audio_transcription_config.${field}': expected a list of strings.` },
  },
  'x-gemini': {
    type: `Invalid value at 'generation_config.audio_transcription_config.${field}': expected a list of strings.`,
    maxItems: `* GenerateContentRequest.generation_config.audio_transcription_config.${field}: at most 1000 entries are allowed.`,
  },
});

const flag = (field: string) => ({
  type: ['boolean', 'null'],
  'x-gemini': { type: `Invalid value at 'generation_config.audio_transcription_config.${field}': {json} is not a boolean.` },
});

export const TRANSCRIPTION_MODES = ['MODE_UNSPECIFIED', 'VERBATIM', 'SMART'];

/** AudioTranscriptionConfig (@google/genai's type); cross-field rules (SMART) are in audio-transcription.ts. */
const audioTranscriptionConfig = {
  type: ['object', 'null'],
  'x-gemini': { type: `Invalid value at 'generation_config.audio_transcription_config': expected an object.` },
  properties: {
    languageCodes: stringList('language_codes'),
    customVocabulary: stringList('custom_vocabulary'),
    adaptationPhrases: stringList('adaptation_phrases'),
    wordTimestamp: flag('word_timestamp'),
    diarization: flag('diarization'),
    mode: {
      enum: [...TRANSCRIPTION_MODES, 0, 1, 2, null],
      'x-gemini': {
        enum: `Invalid value at 'generation_config.audio_transcription_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.AudioTranscriptionConfig.Mode), {json}`,
      },
    },
  },
} as const;

/** GenerationConfig as Earshot reads it; other fields are accepted and ignored, as Gemini ignores unknown ones. */
const generationConfig = {
  type: ['object', 'null'],
  'x-gemini': { type: `Invalid value at 'generation_config': expected an object.` },
  properties: {
    temperature: number('temperature', 0, 2),
    topP: number('top_p', 0, 1),
    topK: number('top_k', 1, 1_000_000, true),
    maxOutputTokens: number('max_output_tokens', 1, 65_536, true),
    candidateCount: number('candidate_count', 1, 8, true),
    seed: number('seed', -(2 ** 31), 2 ** 31 - 1, true),
    presencePenalty: number('presence_penalty', -2, 2),
    frequencyPenalty: number('frequency_penalty', -2, 2),
    stopSequences: {
      type: 'array',
      maxItems: 5,
      items: { type: 'string', 'x-gemini': { type: `Invalid value at 'generation_config.stop_sequences': expected a list of strings.` } },
      'x-gemini': {
        type: `Invalid value at 'generation_config.stop_sequences': expected a list of strings.`,
        maxItems: '* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed.',
      },
    },
    responseMimeType: {
      enum: ['', ...RESPONSE_MIME_TYPES],
      'x-gemini': {
        enum: `* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are ${RESPONSE_MIME_TYPES.map((x) => `\`${x}\``).join(', ')}.`,
      },
    },
    responseSchema: {
      type: 'object',
      'x-gemini': { type: `Invalid value at 'generation_config.response_schema': expected a Schema object.` },
    },
    responseJsonSchema: { type: ['object', 'boolean'], 'x-gemini': { type: `Invalid value at 'generation_config.response_json_schema'.` } },
    audioTranscriptionConfig,
  },
} as const;

/** POST /models/{model}:{method}: generateContent and streamGenerateContent bodies, and countTokens' (which may wrap one). */
export const modelMethodBody = {
  type: 'object',
  'x-gemini': { type: 'Invalid JSON payload received. Expected a JSON object.' },
  properties: {
    generationConfig,
    generateContentRequest: {
      type: 'object',
      'x-gemini': { type: `Invalid value at 'generate_content_request': expected a GenerateContentRequest object.` },
      properties: { generationConfig },
    },
  },
} as const;

const nonNegativeInteger = (field: string) => ({
  type: 'string',
  pattern: '^\\d{1,9}$',
  'x-gemini': {
    pattern: `Invalid ${field} {value}: it must be a non-negative integer.`,
    type: `Invalid ${field} {value}: it must be a non-negative integer.`,
  },
});

/** ?pageSize=&pageToken= on list methods (both spellings). */
export const listQuery = {
  type: 'object',
  properties: {
    pageSize: nonNegativeInteger('page_size'),
    page_size: nonNegativeInteger('page_size'),
    pageToken: { type: 'string', maxLength: 512, 'x-gemini': { maxLength: 'Invalid page_token.' } },
    page_token: { type: 'string', maxLength: 512, 'x-gemini': { maxLength: 'Invalid page_token.' } },
  },
} as const;

/** A resource name segment (files/{name}, models/{name}); the router already caps its length. */
export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, 'x-gemini': { minLength: 'The resource name is empty.' } } },
} as const;

/**
 * Ajv as Fastify builds it, with: no type coercion (a body's "0.5" is not 0.5; queries are validated as
 * strings), `verbose` so a failure carries its schema node and value, `x-gemini` as a known keyword, and union
 * types allowed (`responseJsonSchema` is an object or a boolean, as JSON Schema itself is).
 */
export const ajvOptions: NonNullable<FastifyServerOptions['ajv']> = {
  customOptions: { coerceTypes: false, verbose: true, allErrors: false, allowUnionTypes: true },
  onCreate: (ajv) => {
    (ajv as { addKeyword(def: { keyword: string; schemaType: string }): unknown }).addKeyword({
      keyword: 'x-gemini',
      schemaType: 'object',
    });
  },
};

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
  data?: unknown;
  parentSchema?: { 'x-gemini'?: Messages; minimum?: number; maximum?: number };
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** "/contents/0/inlineData" → "contents[0].inline_data". */
export function protoPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${snake(seg.replace(/~1/g, '/').replace(/~0/g, '~'))}`))
    .join('')
    .replace(/^\./, '');
}

/** Fastify's schemaErrorFormatter: the first failure, in Gemini's words (a 400 INVALID_ARGUMENT). */
export function geminiSchemaError(errors: readonly unknown[], dataVar: string): Error {
  const e = errors[0] as AjvError;
  const template = e.parentSchema?.['x-gemini']?.[e.keyword as keyof Messages];
  const path = protoPath(e.instancePath);
  const value = typeof e.data === 'string' ? e.data.slice(0, 64) : String(e.data);
  const message = template
    ? template
        .replace(/\{path\}/g, path)
        .replace(/\{json\}/g, JSON.stringify(e.data)?.slice(0, 64) ?? 'null')
        .replace(/\{value\}/g, value)
        .replace(/\{min\}/g, String(e.parentSchema?.minimum))
        .replace(/\{max\}/g, String(e.parentSchema?.maximum))
    : `Invalid value at '${path || dataVar}': ${e.message ?? 'invalid'}.`;
  return new EarshotError('INVALID_ARGUMENT', { message });
}
