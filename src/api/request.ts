// Reading a GenerateContentRequest / CountTokensRequest off the wire: accepts both proto spellings,
// checks every field Gemini checks with the errors Gemini gives, and ignores unknown fields as Gemini does.

import { camelizeRequest } from './wire.js';
import { invalidArgument } from './errors.js';

export interface WirePart {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
  fileData?: { mimeType?: string; fileUri?: string };
  thought?: boolean;
}

export interface WireContent {
  role?: string;
  parts: WirePart[];
}

export interface GenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  candidateCount?: number;
  responseMimeType?: string;
  responseSchema?: object;
  responseJsonSchema?: object;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
}

export interface GenerateRequest {
  contents: WireContent[];
  systemInstruction?: WireContent;
  generationConfig: GenerationConfig;
}

const RESPONSE_MIME_TYPES = ['text/plain', 'application/json', 'text/x.enum'];
const PART_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readContent(raw: unknown, where: string): WireContent {
  if (typeof raw === 'string') return { role: 'user', parts: [{ text: raw }] };
  if (!isObject(raw)) throw invalidArgument(`Invalid value at '${where}': expected a Content object.`);
  const role = raw.role;
  if (role !== undefined && role !== '' && role !== 'user' && role !== 'model') {
    throw invalidArgument(`Please use a valid role: user, model. (${where}.role is "${String(role).slice(0, 40)}")`);
  }
  const parts = raw.parts;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw invalidArgument(`* GenerateContentRequest.${where}.parts: contents.parts must not be empty.`);
  }
  return {
    role: (role as string | undefined) || undefined,
    parts: parts.map((p, i) => readPart(p, `${where}.parts[${i}]`)),
  };
}

function readPart(raw: unknown, where: string): WirePart {
  if (!isObject(raw)) throw invalidArgument(`Invalid value at '${where}': expected a Part object.`);
  const present = PART_FIELDS.filter((f) => raw[f] !== undefined);
  if (present.length === 0) throw invalidArgument(`* GenerateContentRequest.${where}.data: required oneof field 'data' must have one initialized field`);
  if (present.length > 1) throw invalidArgument(`* GenerateContentRequest.${where}.data: oneof field 'data' is already set. Cannot set '${present[1]}'`);
  const kind = present[0];
  if (kind === 'text') {
    if (typeof raw.text !== 'string') throw invalidArgument(`Invalid value at '${where}.text' (TYPE_STRING).`);
    return { text: raw.text, thought: raw.thought === true };
  }
  if (kind === 'inlineData') {
    const d = raw.inlineData;
    if (!isObject(d) || typeof d.data !== 'string') throw invalidArgument(`* GenerateContentRequest.${where}.inline_data.data: required field is not set.`);
    if (typeof d.mimeType !== 'string' || !d.mimeType) throw invalidArgument(`* GenerateContentRequest.${where}.inline_data.mime_type: required field is not set.`);
    return { inlineData: { mimeType: d.mimeType, data: d.data } };
  }
  if (kind === 'fileData') {
    const d = raw.fileData;
    if (!isObject(d) || typeof d.fileUri !== 'string' || !d.fileUri) throw invalidArgument(`* GenerateContentRequest.${where}.file_data.file_uri: required field is not set.`);
    return { fileData: { fileUri: d.fileUri, mimeType: typeof d.mimeType === 'string' ? d.mimeType : undefined } };
  }
  throw invalidArgument(`${where}: ${kind} parts are not supported by Earshot (it answers about audio and text).`);
}

function num(v: unknown, name: string, min: number, max: number, integer = false): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw invalidArgument(`Invalid value at 'generation_config.${name}': ${JSON.stringify(v)} is not a${integer ? 'n integer' : ' number'}.`);
  }
  if (v < min || v > max) throw invalidArgument(`* GenerateContentRequest.generation_config.${name}: ${v} is out of range [${min}, ${max}].`);
  return v;
}

function readGenerationConfig(raw: unknown): GenerationConfig {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw invalidArgument(`Invalid value at 'generation_config': expected an object.`);
  const cfg: GenerationConfig = {
    temperature: num(raw.temperature, 'temperature', 0, 2),
    topP: num(raw.topP, 'top_p', 0, 1),
    topK: num(raw.topK, 'top_k', 1, 1_000_000, true),
    maxOutputTokens: num(raw.maxOutputTokens, 'max_output_tokens', 1, 65_536, true),
    candidateCount: num(raw.candidateCount, 'candidate_count', 1, 8, true),
    seed: num(raw.seed, 'seed', -(2 ** 31), 2 ** 31 - 1, true),
    presencePenalty: num(raw.presencePenalty, 'presence_penalty', -2, 2),
    frequencyPenalty: num(raw.frequencyPenalty, 'frequency_penalty', -2, 2),
  };
  if (cfg.candidateCount !== undefined && cfg.candidateCount > 1) {
    throw invalidArgument('* GenerateContentRequest.generation_config.candidate_count: Earshot answers with one candidate; set candidateCount to 1.');
  }
  if (raw.stopSequences !== undefined) {
    const s = raw.stopSequences;
    if (!Array.isArray(s) || s.some((x) => typeof x !== 'string')) throw invalidArgument(`Invalid value at 'generation_config.stop_sequences': expected a list of strings.`);
    if (s.length > 5) throw invalidArgument('* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed.');
    cfg.stopSequences = (s as string[]).filter((x) => x !== '');
  }
  if (raw.responseMimeType !== undefined && raw.responseMimeType !== '') {
    const m = String(raw.responseMimeType);
    if (!RESPONSE_MIME_TYPES.includes(m)) {
      throw invalidArgument(`* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are ${RESPONSE_MIME_TYPES.map((x) => `\`${x}\``).join(', ')}.`);
    }
    cfg.responseMimeType = m;
  }
  if (raw.responseSchema !== undefined) {
    if (!isObject(raw.responseSchema)) throw invalidArgument(`Invalid value at 'generation_config.response_schema': expected a Schema object.`);
    cfg.responseSchema = raw.responseSchema;
  }
  if (raw.responseJsonSchema !== undefined) {
    if (!isObject(raw.responseJsonSchema) && typeof raw.responseJsonSchema !== 'boolean') throw invalidArgument(`Invalid value at 'generation_config.response_json_schema'.`);
    cfg.responseJsonSchema = raw.responseJsonSchema as object;
  }
  if ((cfg.responseSchema || cfg.responseJsonSchema) && cfg.responseMimeType !== 'application/json' && cfg.responseMimeType !== 'text/x.enum') {
    throw invalidArgument('* GenerateContentRequest.generation_config.response_mime_type: it must be one of ["application/json", "text/x.enum"] when response_schema is set.');
  }
  if (cfg.responseSchema && cfg.responseJsonSchema) throw invalidArgument('Set only one of response_schema and response_json_schema.');
  return cfg;
}

/** Read a generateContent body (or countTokens' generateContentRequest). */
export function readGenerateRequest(body: unknown): GenerateRequest {
  const req = camelizeRequest(body);
  if (!isObject(req)) throw invalidArgument('Invalid JSON payload received. Expected a JSON object.');
  const contents = req.contents;
  if (contents === undefined || (Array.isArray(contents) && contents.length === 0)) {
    throw invalidArgument('* GenerateContentRequest.contents: contents is not specified');
  }
  const list = Array.isArray(contents) ? contents : [contents];
  return {
    contents: list.map((c, i) => readContent(c, `contents[${i}]`)),
    systemInstruction: req.systemInstruction === undefined || req.systemInstruction === null ? undefined : readContent(req.systemInstruction, 'system_instruction'),
    generationConfig: readGenerationConfig(req.generationConfig),
  };
}

/** countTokens takes `contents` or a whole `generateContentRequest`. */
export function readCountTokensRequest(body: unknown): GenerateRequest {
  const req = camelizeRequest(body);
  if (isObject(req) && req.generateContentRequest !== undefined) {
    if (req.contents !== undefined) throw invalidArgument('Set only one of contents and generate_content_request.');
    return readGenerateRequest(req.generateContentRequest);
  }
  return readGenerateRequest(req);
}
