// Reading a GenerateContentRequest / CountTokensRequest off the wire: accepts both proto spellings,
// checks every field Gemini checks with the errors Gemini gives, and ignores unknown fields as Gemini does.
// The wire types are @google/genai's own (the SDK clients send), narrowed to the fields Earshot reads.

import type { Content, GenerationConfig as GenAiGenerationConfig, Part, Schema } from '@google/genai';
import { camelizeRequest } from './wire.js';
import { EarshotError } from '../domain/errors.js';
import { readTranscriptionConfig, type TranscriptionConfig } from './audio-transcription.js';

/** The Part fields Earshot reads: text, and audio inline or by file (others are refused by readPart). */
export type WirePart = Pick<Part, 'text' | 'inlineData' | 'fileData' | 'thought'>;

export type WireContent = Pick<Content, 'role'> & { parts: WirePart[] };

/** The generation settings Earshot reads and honours (the rest of Gemini's are accepted and ignored). */
export type GenerationConfig = Pick<
  GenAiGenerationConfig,
  | 'temperature'
  | 'topP'
  | 'topK'
  | 'maxOutputTokens'
  | 'stopSequences'
  | 'candidateCount'
  | 'responseMimeType'
  | 'responseSchema'
  | 'responseJsonSchema'
  | 'seed'
  | 'presencePenalty'
  | 'frequencyPenalty'
>;

export interface GenerateRequest {
  contents: WireContent[];
  systemInstruction?: WireContent;
  generationConfig: GenerationConfig;
  /** generationConfig.audioTranscriptionConfig: answer with audioTranscription parts (audio-transcription.ts) */
  transcription?: TranscriptionConfig;
}

const PART_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readContent(raw: unknown, where: string): WireContent {
  if (typeof raw === 'string') return { role: 'user', parts: [{ text: raw }] };
  if (!isObject(raw)) throw new EarshotError('API_BAD_CONTENT', { where });
  const role = raw.role;
  if (role !== undefined && role !== '' && role !== 'user' && role !== 'model') {
    throw new EarshotError('API_BAD_ROLE', { where, role: String(role).slice(0, 40) });
  }
  const parts = raw.parts;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new EarshotError('API_PARTS_EMPTY', { where });
  }
  return {
    role: (role as string | undefined) || undefined,
    parts: parts.map((p, i) => readPart(p, `${where}.parts[${i}]`)),
  };
}

function readPart(raw: unknown, where: string): WirePart {
  if (!isObject(raw)) throw new EarshotError('API_BAD_PART', { where });
  const present = PART_FIELDS.filter((f) => raw[f] !== undefined);
  if (present.length === 0) throw new EarshotError('API_PART_DATA_UNSET', { where });
  if (present.length > 1) throw new EarshotError('API_PART_DATA_TWICE', { where, field: present[1]! });
  const kind = present[0];
  if (kind === 'text') {
    if (typeof raw.text !== 'string') throw new EarshotError('API_PART_TEXT_TYPE', { where });
    return { text: raw.text, thought: raw.thought === true };
  }
  if (kind === 'inlineData') {
    const d = raw.inlineData;
    if (!isObject(d) || typeof d.data !== 'string') throw new EarshotError('API_REQUIRED_FIELD', { where, field: 'inline_data.data' });
    if (typeof d.mimeType !== 'string' || !d.mimeType)
      throw new EarshotError('API_REQUIRED_FIELD', { where, field: 'inline_data.mime_type' });
    return { inlineData: { mimeType: d.mimeType, data: d.data } };
  }
  if (kind === 'fileData') {
    const d = raw.fileData;
    if (!isObject(d) || typeof d.fileUri !== 'string' || !d.fileUri)
      throw new EarshotError('API_REQUIRED_FIELD', { where, field: 'file_data.file_uri' });
    return { fileData: { fileUri: d.fileUri, mimeType: typeof d.mimeType === 'string' ? d.mimeType : undefined } };
  }
  throw new EarshotError('API_PART_UNSUPPORTED', { where, kind: kind! });
}

const numberOr = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/**
 * GenerationConfig after the route schema (schemas.ts) has checked every field's type and range; what is
 * left here are Earshot's own limit and the cross-field rules.
 */
function readGenerationConfig(raw: unknown): GenerationConfig {
  if (!isObject(raw)) return {};
  const cfg: GenerationConfig = {
    temperature: numberOr(raw.temperature),
    topP: numberOr(raw.topP),
    topK: numberOr(raw.topK),
    maxOutputTokens: numberOr(raw.maxOutputTokens),
    candidateCount: numberOr(raw.candidateCount),
    seed: numberOr(raw.seed),
    presencePenalty: numberOr(raw.presencePenalty),
    frequencyPenalty: numberOr(raw.frequencyPenalty),
  };
  if (cfg.candidateCount !== undefined && cfg.candidateCount > 1) {
    throw new EarshotError('API_ONE_CANDIDATE');
  }
  if (Array.isArray(raw.stopSequences)) cfg.stopSequences = (raw.stopSequences as string[]).filter((x) => x !== '');
  if (typeof raw.responseMimeType === 'string' && raw.responseMimeType !== '') cfg.responseMimeType = raw.responseMimeType;
  if (isObject(raw.responseSchema)) cfg.responseSchema = raw.responseSchema as Schema;
  if (raw.responseJsonSchema !== undefined && raw.responseJsonSchema !== null) cfg.responseJsonSchema = raw.responseJsonSchema;
  if (
    (cfg.responseSchema || cfg.responseJsonSchema) &&
    cfg.responseMimeType !== 'application/json' &&
    cfg.responseMimeType !== 'text/x.enum'
  ) {
    throw new EarshotError('API_SCHEMA_NEEDS_JSON_MIME');
  }
  if (cfg.responseSchema && cfg.responseJsonSchema) throw new EarshotError('API_TWO_SCHEMAS');
  return cfg;
}

/** Read a generateContent body (or countTokens' generateContentRequest). */
export function readGenerateRequest(body: unknown): GenerateRequest {
  const req = camelizeRequest(body);
  if (!isObject(req)) throw new EarshotError('API_BODY_NOT_OBJECT');
  const contents = req.contents;
  if (contents === undefined || (Array.isArray(contents) && contents.length === 0)) {
    throw new EarshotError('API_CONTENTS_MISSING');
  }
  const list = Array.isArray(contents) ? contents : [contents];
  return {
    contents: list.map((c, i) => readContent(c, `contents[${i}]`)),
    systemInstruction:
      req.systemInstruction === undefined || req.systemInstruction === null
        ? undefined
        : readContent(req.systemInstruction, 'system_instruction'),
    generationConfig: readGenerationConfig(req.generationConfig),
    transcription: isObject(req.generationConfig) ? readTranscriptionConfig(req.generationConfig.audioTranscriptionConfig) : undefined,
  };
}

/** countTokens takes `contents` or a whole `generateContentRequest`. */
export function readCountTokensRequest(body: unknown): GenerateRequest {
  const req = camelizeRequest(body);
  if (isObject(req) && req.generateContentRequest !== undefined) {
    if (req.contents !== undefined) throw new EarshotError('API_CONTENTS_TWICE');
    return readGenerateRequest(req.generateContentRequest);
  }
  return readGenerateRequest(req);
}
