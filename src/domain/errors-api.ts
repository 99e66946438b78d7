// Error-catalogue group: the API layer (API_*), thrown by src/api — request bodies in Gemini's words
// (GenerateContentRequest paths), prompt parts, the upload protocol (session state as facts → X-Goog-Upload-*
// headers), and transport failures (bad URLs, oversized headers, slow bodies). No message holds a path.

import { entry } from './catalogue-entry.js';

export const API_ERRORS = {
  API_JSON_TOO_DEEP: entry<{ max: number }>(
    'INVALID_ARGUMENT',
    (p) => `Invalid JSON payload received. The request nests objects and arrays more than ${p.max} levels deep.`,
  ),
  API_INPUT_TOKENS_EXCEEDED: entry<{ count: number; max: number }>(
    'INVALID_ARGUMENT',
    (p) => `The input token count (${p.count}) exceeds the maximum number of tokens allowed (${p.max}).`,
  ),
  API_MULTIPART_MALFORMED: entry<{ reason: string }>('INVALID_ARGUMENT', (p) => `Malformed multipart/related upload body: ${p.reason}.`),
  API_BODY_TOO_SLOW: entry<{ minBytes: number; windowSec: number }>(
    'DEADLINE_EXCEEDED',
    (p) => `The request body arrived too slowly (under ${p.minBytes} bytes in ${p.windowSec} s); the connection is closed. Send it again.`,
    408,
  ),
  API_CLIENT_TIMEOUT: entry('DEADLINE_EXCEEDED', () => 'The request was not received in time; the connection is closed.', 408),
  API_HEADERS_TOO_LARGE: entry('INVALID_ARGUMENT', () => 'The request headers are larger than the server accepts.', 431),
  API_MALFORMED_HTTP: entry('INVALID_ARGUMENT', () => 'The HTTP request is malformed.'),
  API_BAD_URL: entry('INVALID_ARGUMENT', () => 'Invalid URL: the path holds a malformed percent-encoding.'),
  API_NAME_TOO_LONG: entry<{ max: number }>('INVALID_ARGUMENT', (p) => `The resource name in the URL is longer than ${p.max} characters.`),
  API_NO_ROUTE: entry<{ method: string; path: string }>('NOT_FOUND', (p) => `No route for ${p.method} ${p.path}.`),
  API_UNKNOWN_MODEL_METHOD: entry<{ method: string; model: string }>(
    'NOT_FOUND',
    (p) => `Unknown method "${p.method}" on models/${p.model}: use generateContent, streamGenerateContent or countTokens.`,
  ),
  API_UNKNOWN_FILE_METHOD: entry<{ method: string; id: string }>(
    'INVALID_ARGUMENT',
    (p) => `Unknown method ":${p.method}" on files/${p.id}.`,
  ),
  API_MODEL_NOT_FOUND: entry<{ name: string }>(
    'NOT_FOUND',
    (p) =>
      `models/${p.name} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
  ),
  API_BAD_PAGE_TOKEN: entry<{ token: string }>('INVALID_ARGUMENT', (p) =>
    p.token ? `Invalid page_token "${p.token}".` : 'Invalid page_token.',
  ),
  // GenerateContentRequest, in Gemini's words ({where} is the proto path, e.g. contents[0].parts[1])
  API_BODY_NOT_OBJECT: entry('INVALID_ARGUMENT', () => 'Invalid JSON payload received. Expected a JSON object.'),
  API_CONTENTS_MISSING: entry('INVALID_ARGUMENT', () => '* GenerateContentRequest.contents: contents is not specified'),
  API_CONTENTS_TWICE: entry('INVALID_ARGUMENT', () => 'Set only one of contents and generate_content_request.'),
  API_BAD_CONTENT: entry<{ where: string }>('INVALID_ARGUMENT', (p) => `Invalid value at '${p.where}': expected a Content object.`),
  API_BAD_ROLE: entry<{ where: string; role: string }>(
    'INVALID_ARGUMENT',
    (p) => `Please use a valid role: user, model. (${p.where}.role is "${p.role}")`,
  ),
  API_PARTS_EMPTY: entry<{ where: string }>(
    'INVALID_ARGUMENT',
    (p) => `* GenerateContentRequest.${p.where}.parts: contents.parts must not be empty.`,
  ),
  API_BAD_PART: entry<{ where: string }>('INVALID_ARGUMENT', (p) => `Invalid value at '${p.where}': expected a Part object.`),
  API_PART_DATA_UNSET: entry<{ where: string }>(
    'INVALID_ARGUMENT',
    (p) => `* GenerateContentRequest.${p.where}.data: required oneof field 'data' must have one initialized field`,
  ),
  API_PART_DATA_TWICE: entry<{ where: string; field: string }>(
    'INVALID_ARGUMENT',
    (p) => `* GenerateContentRequest.${p.where}.data: oneof field 'data' is already set. Cannot set '${p.field}'`,
  ),
  API_PART_TEXT_TYPE: entry<{ where: string }>('INVALID_ARGUMENT', (p) => `Invalid value at '${p.where}.text' (TYPE_STRING).`),
  API_REQUIRED_FIELD: entry<{ where: string; field: string }>(
    'INVALID_ARGUMENT',
    (p) => `* GenerateContentRequest.${p.where}.${p.field}: required field is not set.`,
  ),
  API_PART_UNSUPPORTED: entry<{ where: string; kind: string }>(
    'INVALID_ARGUMENT',
    (p) => `${p.where}: ${p.kind} parts are not supported by Earshot (it answers about audio and text).`,
  ),
  API_ONE_CANDIDATE: entry(
    'INVALID_ARGUMENT',
    () => '* GenerateContentRequest.generation_config.candidate_count: Earshot answers with one candidate; set candidateCount to 1.',
  ),
  API_SCHEMA_NEEDS_JSON_MIME: entry(
    'INVALID_ARGUMENT',
    () =>
      '* GenerateContentRequest.generation_config.response_mime_type: it must be one of ["application/json", "text/x.enum"] when response_schema is set.',
  ),
  API_TWO_SCHEMAS: entry('INVALID_ARGUMENT', () => 'Set only one of response_schema and response_json_schema.'),
  // request bodies as Fastify reads them (src/api/respond.ts maps its errors to these)
  API_BODY_TOO_LARGE: entry<{ max: number }>(
    'INVALID_ARGUMENT',
    (p) =>
      `Request payload size exceeds the limit: ${p.max} bytes. Upload large audio with the Files API (POST /upload/v1beta/files) and refer to it with fileData instead of sending it inline.`,
  ),
  API_UNSUPPORTED_CONTENT_TYPE: entry('INVALID_ARGUMENT', () => 'Unsupported Content-Type: send the request body as application/json.'),
  API_EMPTY_BODY: entry('INVALID_ARGUMENT', () => 'The request body is empty; send a JSON object.'),
  API_INVALID_JSON: entry<{ reason: string }>('INVALID_ARGUMENT', (p) => `Invalid JSON payload received. ${p.reason}`),
  // prompt parts resolved to audio, files and text (src/api/prompt.ts)
  API_BAD_BASE64: entry<{ where: string; sample: string }>(
    'INVALID_ARGUMENT',
    (p) => `Invalid value at '${p.where}.inline_data.data' (TYPE_BYTES), Base64 decoding failed for "${p.sample}"`,
  ),
  API_BAD_FILE_URI: entry<{ where: string; ref: string }>(
    'INVALID_ARGUMENT',
    (p) => `Invalid value at '${p.where}.file_data.file_uri': "${p.ref}" does not name a file (files/<id> or this server's file URI).`,
  ),
  API_FILE_FAILED: entry<{ id: string; reason: string }>('FAILED_PRECONDITION', (p) => `The File ${p.id} failed processing: ${p.reason}`),
  API_FILE_NOT_ACTIVE: entry<{ id: string }>(
    'FAILED_PRECONDITION',
    (p) =>
      `The File ${p.id} is not in an ACTIVE state and usage is not allowed. It is still being analysed; poll files.get until state is ACTIVE.`,
  ),
  API_TEXT_FILE_TOO_LARGE: entry<{ id: string; max: number }>(
    'INVALID_ARGUMENT',
    (p) => `The text file ${p.id} is larger than ${p.max} bytes.`,
  ),
  API_FILE_NOT_AUDIO: entry<{ id: string; mimeType: string }>(
    'INVALID_ARGUMENT',
    (p) => `The File ${p.id} (${p.mimeType}) is not audio or text; Earshot answers about audio and text.`,
  ),
  API_UNSUPPORTED_MIME: entry<{ mime: string }>(
    'INVALID_ARGUMENT',
    (p) =>
      `Unsupported MIME type: ${p.mime}. Earshot answers about audio (audio/wav, audio/mp3, audio/aiff, audio/aac, audio/ogg, audio/flac, …) and text.`,
  ),
  API_INLINE_AUDIO_UNREADABLE: entry<{ where: string; reason: string }>('INVALID_ARGUMENT', (p) => `${p.where}.inline_data: ${p.reason}`),
  API_PROMPT_AUDIO_TOO_LONG: entry<{ held: string; seconds: string; limit: string }>(
    'INVALID_ARGUMENT',
    (p) => `The prompt holds ${p.held} of audio (${p.seconds} s); the limit is ${p.limit} of audio per prompt.`,
  ),
  // upload protocol (src/api/upload.ts); session state rides along as facts (X-Goog-Upload-* headers)
  API_UPLOAD_NEEDS_BOUNDARY: entry('INVALID_ARGUMENT', () => 'A multipart upload needs Content-Type: multipart/related; boundary=…'),
  API_UPLOAD_UNKNOWN_PROTOCOL: entry<{ protocol: string }>(
    'INVALID_ARGUMENT',
    (p) => `Unknown X-Goog-Upload-Protocol "${p.protocol}": use resumable, multipart or media.`,
  ),
  API_UPLOAD_BAD_SIZE: entry<{ what: string; value: string }>(
    'INVALID_ARGUMENT',
    (p) => `Invalid ${p.what} "${p.value}": it must be a non-negative integer.`,
  ),
  API_UPLOAD_METADATA_TOO_LARGE: entry<{ limit: number }>('INVALID_ARGUMENT', (p) => `Upload metadata is larger than ${p.limit} bytes.`),
  API_UPLOAD_METADATA_JSON: entry<{ reason: string }>('INVALID_ARGUMENT', (p) => `Invalid JSON payload received. ${p.reason}`),
  API_UPLOAD_METADATA_NOT_OBJECT: entry(
    'INVALID_ARGUMENT',
    () => 'Upload metadata must be a JSON object like {"file": {"displayName": "…"}}.',
  ),
  API_UPLOAD_METADATA_FILE_NOT_OBJECT: entry('INVALID_ARGUMENT', () => '"file" in the upload metadata must be an object.'),
  API_UPLOAD_METADATA_FIELD_TYPE: entry<{ field: string }>('INVALID_ARGUMENT', (p) => `file.${p.field} must be a string.`),
  API_UPLOAD_START_COMMAND: entry<{ command: string }>(
    'INVALID_ARGUMENT',
    (p) => `A resumable upload begins with X-Goog-Upload-Command: start (got "${p.command}").`,
  ),
  API_UPLOAD_SESSION_UNKNOWN: entry<{ id: string }>(
    'NOT_FOUND',
    (p) => `No upload session ${p.id}: it may have expired or never existed. Start a new upload.`,
  ),
  API_UPLOAD_SESSION_INACTIVE: entry<{ id: string }>(
    'NOT_FOUND',
    (p) => `No active upload session ${p.id}: it may have expired, finished or never existed. Start a new upload.`,
  ),
  API_UPLOAD_UNKNOWN_COMMAND: entry<{ commands: string }>(
    'INVALID_ARGUMENT',
    (p) => `Unknown X-Goog-Upload-Command "${p.commands}": use upload, "upload, finalize", finalize, query or cancel.`,
  ),
  API_UPLOAD_FINALIZED: entry('INVALID_ARGUMENT', () => 'This upload has already been finalized; no more bytes can be sent to it.'),
  API_UPLOAD_CANCELLED: entry('INVALID_ARGUMENT', () => 'This upload was cancelled; start a new one.'),
  API_UPLOAD_NEEDS_OFFSET: entry('INVALID_ARGUMENT', () => 'An upload command needs X-Goog-Upload-Offset.'),
  API_UPLOAD_NEEDS_RANGE: entry('INVALID_ARGUMENT', () => 'A PUT to an upload session needs Content-Range: bytes <first>-<last>/<total>.'),
  // ── transcription surfaces (issue 11): Gemini's audioTranscriptionConfig (src/api/audio-transcription.ts) and the
  //    OpenAI-compatible /v1/audio/transcriptions and /v1/audio/translations (src/api/openai/). OpenAI routes show
  //    these in OpenAI's error shape; the `param` fact names the form field at fault.
  API_TRANSCRIPTION_SMART_CONFLICT: entry<{ fields: string }>(
    'INVALID_ARGUMENT',
    (p) =>
      `* GenerateContentRequest.generation_config.audio_transcription_config: ${p.fields} cannot be used with mode SMART; timestamps and diarization need mode VERBATIM.`,
  ),
  API_TRANSCRIPTION_NO_AUDIO: entry(
    'INVALID_ARGUMENT',
    () =>
      '* GenerateContentRequest.generation_config.audio_transcription_config: the request holds no audio to transcribe; add an audio part (inline_data or file_data).',
  ),
  API_TRANSCRIPTION_NOT_ANALYSED: entry<{ reason: string }>(
    'FAILED_PRECONDITION',
    (p) => `The speech in this audio was not transcribed: ${p.reason}`,
  ),
  API_DIARIZATION_UNAVAILABLE: entry<{ reason: string }>(
    'FAILED_PRECONDITION',
    (p) =>
      `${p.reason} Speaker labels need the speaker model: run \`earshot models pull resemblyzer\` (or set engines.speakerModel) and restart the server. Audio analysed before that keeps no labels until it is analysed again: delete its files and upload it again.`,
  ),
  OPENAI_KEY_MISSING: entry(
    'UNAUTHENTICATED',
    () => "You didn't provide an API key. Send it in an Authorization header using Bearer auth (Authorization: Bearer YOUR_KEY).",
  ),
  OPENAI_KEY_INVALID: entry('UNAUTHENTICATED', () => 'Incorrect API key provided. Use a key this server accepts (its apiKeys setting).'),
  OPENAI_NOT_MULTIPART: entry<{ type: string }>(
    'INVALID_ARGUMENT',
    (p) => `Send the request as multipart/form-data with the audio in a field named "file" (got Content-Type ${p.type || 'none'}).`,
    415,
  ),
  OPENAI_FORM_MALFORMED: entry<{ reason: string }>('INVALID_ARGUMENT', (p) => `Malformed multipart/form-data body: ${p.reason}.`),
  OPENAI_STREAM_FORMAT: entry<{ format: string }>(
    'INVALID_ARGUMENT',
    (p) => `stream is available with response_format json, text or diarized_json (got '${p.format}').`,
  ),
  OPENAI_FIELD_MISSING: entry<{ field: string }>('INVALID_ARGUMENT', (p) => `Missing required parameter: '${p.field}'.`),
  OPENAI_FIELD_TWICE: entry<{ field: string }>('INVALID_ARGUMENT', (p) => `The parameter '${p.field}' was sent more than once.`),
  OPENAI_BAD_VALUE: entry<{ field: string; value: string; allowed: string }>(
    'INVALID_ARGUMENT',
    (p) => `Invalid value for '${p.field}': '${p.value}'. Supported values are: ${p.allowed}.`,
  ),
  OPENAI_BAD_NUMBER: entry<{ field: string; value: string; min: number; max: number }>(
    'INVALID_ARGUMENT',
    (p) => `Invalid value for '${p.field}': '${p.value}' is not a number from ${p.min} to ${p.max}.`,
  ),
  OPENAI_GRANULARITIES_NEED_VERBOSE: entry<{ format: string }>(
    'INVALID_ARGUMENT',
    (p) => `timestamp_granularities needs response_format 'verbose_json' (got '${p.format}').`,
  ),
  OPENAI_FILE_TOO_LARGE: entry<{ max: number }>(
    'INVALID_ARGUMENT',
    (p) =>
      `Maximum content size limit (${p.max}) exceeded. Upload longer audio with the Files API (POST /upload/v1beta/files) and ask generateContent for its transcript.`,
    413,
  ),
  OPENAI_FILE_UNREADABLE: entry<{ reason: string }>('INVALID_ARGUMENT', (p) => `Invalid file: ${p.reason}`),
  OPENAI_TRANSLATION_UNAVAILABLE: entry<{ reason: string }>(
    'FAILED_PRECONDITION',
    (p) =>
      `Translation into English is not available for this audio: ${p.reason} Translation needs a multilingual Whisper model (engines.whisperModel, e.g. whisper-base), not an English-only *.en model or PocketSphinx.`,
  ),
} as const;
