// The error catalogue (src/domain/errors.ts) and its one mapping to Google's wire (src/api/errors.ts): every
// entry's HTTP status is the one Google's front end pairs with its RPC status, each failure of the audio,
// model and identity groups has the status Gemini answers for that case, the body has Gemini's shape, facts
// become X-Goog-Upload-* headers, and anything that is not catalogued is a bare 500 INTERNAL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUDIO_REASON,
  ERRORS,
  EarshotError,
  isEarshotError,
  type ErrorCode,
  type ErrorParams,
  type GoogleStatus,
} from '../../src/domain/errors.js';
import { AUDIO_ERRORS } from '../../src/domain/errors-audio.js';
import { MODEL_ERRORS } from '../../src/domain/errors-models.js';
import { ENGINE_ERRORS } from '../../src/domain/errors-engines.js';
import { toWireError } from '../../src/api/errors.js';
import { AudioError, isAudioError } from '../../src/audio/errors.js';

/**
 * Google's canonical RPC status → HTTP mapping, as the Gemini API answers it (google.rpc.Code; Gemini's
 * troubleshooting page lists 400 INVALID_ARGUMENT / FAILED_PRECONDITION, 403 PERMISSION_DENIED, 404 NOT_FOUND,
 * 429 RESOURCE_EXHAUSTED, 500 INTERNAL, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED). Restated here on purpose:
 * a slip in the catalogue's own table must fail this test.
 */
const GOOGLE_HTTP: Record<GoogleStatus, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/** Entries whose HTTP code is not the canonical one, and why: what Google's front end sends for the case. */
const HTTP_OVERRIDES: Partial<Record<ErrorCode, number>> = {
  API_BODY_TOO_SLOW: 408, // the front end's request timeout, before the RPC layer
  API_CLIENT_TIMEOUT: 408,
  API_HEADERS_TOO_LARGE: 431,
  // OpenAI-compatible routes answer as OpenAI does: 415 for a body that is not a form, 413 over its 25 MB limit
  OPENAI_NOT_MULTIPART: 415,
  OPENAI_FILE_TOO_LARGE: 413,
};

/**
 * What Gemini answers for each case, with sample params. Identity and generic entries are Gemini's own errors;
 * a file that is not usable audio is the INVALID_ARGUMENT Gemini gives for bad inline data; operator-facing
 * failures (missing decoder, broken model file) are INTERNAL, which Gemini shows as "Internal error encountered.".
 */
const CASES: Partial<Record<ErrorCode, [GoogleStatus, number, unknown]>> = {
  INVALID_ARGUMENT: ['INVALID_ARGUMENT', 400, { message: '* GenerateContentRequest.contents: contents is not specified' }],
  API_KEY_MISSING: ['PERMISSION_DENIED', 403, undefined],
  API_KEY_INVALID: ['INVALID_ARGUMENT', 400, undefined],
  FILE_ACCESS_DENIED: ['PERMISSION_DENIED', 403, { name: 'abc123' }],
  SHUTTING_DOWN: ['UNAVAILABLE', 503, undefined],
  // transient: the status the Gemini SDKs retry (not a 400, which tells them the session is broken)
  UPLOAD_BUSY: ['UNAVAILABLE', 503, undefined],
  INTERNAL: ['INTERNAL', 500, undefined],
  AUDIO_EMPTY: ['INVALID_ARGUMENT', 400, { case: 'file' }],
  AUDIO_NOT_AUDIO: ['INVALID_ARGUMENT', 400, { case: 'content', subject: 'file', what: 'a PNG image' }],
  AUDIO_CORRUPT: ['INVALID_ARGUMENT', 400, { case: 'no-rate', codec: 'mp3' }],
  AUDIO_TRUNCATED: ['INVALID_ARGUMENT', 400, { case: 'mp4-index' }],
  AUDIO_UNSUPPORTED: ['INVALID_ARGUMENT', 400, { case: 'codec' }],
  AUDIO_TOO_LONG: ['INVALID_ARGUMENT', 400, { durationSec: 40_000, maxSec: 34_200 }],
  FFMPEG_NOT_RUNNABLE: ['INTERNAL', 500, { binary: '/usr/bin/ffmpeg', reason: 'spawn EACCES' }],
  FFMPEG_CONFIGURED_BROKEN: ['INTERNAL', 500, { tool: 'ffprobe', binary: '/opt/ffprobe', why: 'exit 1' }],
  FFMPEG_NOT_FOUND: ['INTERNAL', 500, { tool: 'ffmpeg', tried: ['system ffmpeg (not found)'] }],
  MODEL_DAMAGED_OFFLINE: ['INTERNAL', 500, { dest: '/m/x.bin', problem: 'size 3 bytes, expected 4', name: 'x' }],
  MODEL_NOT_INSTALLED_OFFLINE: ['INTERNAL', 500, { name: 'x', file: 'x.bin', url: 'https://example.org/x.bin', dest: '/m/x.bin' }],
  MODEL_UNREACHABLE: ['INTERNAL', 500, { host: 'example.org', reason: 'ENOTFOUND', url: 'https://example.org/x.bin', dest: '/m/x.bin' }],
  MODEL_EMPTY_RESPONSE: ['INTERNAL', 500, { url: 'https://example.org/x.bin' }],
  MODEL_DOWNLOAD_BROKE_OFF: [
    'INTERNAL',
    500,
    { name: 'x', host: 'example.org', received: 10, reason: 'socket hang up', part: '/m/x.bin.part' },
  ],
  MODEL_DOWNLOAD_SHORT: ['INTERNAL', 500, { name: 'x', received: 10, total: 20, part: '/m/x.bin.part' }],
  MODEL_URL_NOT_FOUND: ['INTERNAL', 500, { url: 'https://example.org/x.bin', dest: '/m/x.bin' }],
  MODEL_DOWNLOAD_HTTP: ['INTERNAL', 500, { url: 'https://example.org/x.bin', status: 502, statusText: 'Bad Gateway', dest: '/m/x.bin' }],
  MODEL_NOT_VERIFIED: ['INTERNAL', 500, { name: 'x', problem: 'sha256 00, expected 11' }],
  MODEL_UNKNOWN: ['INTERNAL', 500, { name: 'nope', known: ['whisper-base.en', 'yamnet'] }],
  WHISPER_MODEL_NOT_FOUND: ['INTERNAL', 500, { file: '/m/ggml-base.en.bin' }],
  WHISPER_MODEL_UNOPENABLE: ['INTERNAL', 500, { file: '/m/ggml-base.en.bin', reason: 'EACCES' }],
  WHISPER_MODEL_DAMAGED: ['INTERNAL', 500, { file: '/m/ggml-base.en.bin', problem: 'is truncated inside its vocabulary' }],
  WHISPER_MODEL_IS_GGUF: ['INTERNAL', 500, { file: '/m/model.gguf' }],
  WHISPER_MODEL_BAD_MAGIC: ['INTERNAL', 500, { file: '/m/x.bin', magic: 0xdeadbeef }],
  WHISPER_MODEL_LOAD_FAILED: ['INTERNAL', 500, { file: '/m/x.bin', reason: 'failed to load', log: '' }],
  WHISPER_MODEL_MISSING: ['INTERNAL', 500, { file: '/m/x.bin' }],
  ENGINE_CLOSED: ['INTERNAL', 500, { name: 'whisper engine' }],
  TEXT_NO_MESSAGES: ['INTERNAL', 500, undefined],
  TEXT_UNKNOWN_ROLE: ['INTERNAL', 500, { role: 'robot' }],
  LLAMA_UNAVAILABLE: ['INTERNAL', 500, { reason: 'no binary', platform: 'linux', arch: 'x64' }],
  LLAMA_MODEL_NOT_FOUND: ['INTERNAL', 500, { file: '/m/q.gguf' }],
  LLAMA_MODEL_UNLOADABLE: ['INTERNAL', 500, { file: '/m/q.gguf', reason: 'bad magic' }],
  LLAMA_CONTEXT_FAILED: ['INTERNAL', 500, { reason: 'out of memory' }],
  LLAMA_PROMPT_TOO_LONG: ['INTERNAL', 500, { promptTokens: 9000, name: 'llama.cpp:q.gguf', contextSize: 8192, trainContextSize: 32768 }],
  OPENAI_BASE_URL_MISSING: ['INTERNAL', 500, undefined],
  OPENAI_UNREACHABLE: ['INTERNAL', 500, { url: 'http://127.0.0.1:9/v1/chat/completions', reason: 'ECONNREFUSED' }],
  OPENAI_HTTP_ERROR: [
    'INTERNAL',
    500,
    { url: 'http://127.0.0.1:9/v1/chat/completions', status: 401, statusText: 'Unauthorized', message: 'bad key' },
  ],
  OPENAI_STREAM_ERROR: ['INTERNAL', 500, { url: 'http://127.0.0.1:9/v1/chat/completions', problem: 'overloaded' }],
  OPENAI_STREAM_NOT_JSON: ['INTERNAL', 500, { url: 'http://127.0.0.1:9/v1/chat/completions', data: '<html>' }],
  // remote engines (src/engines/remote, src/engines/speech/openai-remote.ts)
  REMOTE_TIMEOUT: ['INTERNAL', 500, { name: 'speech server', url: 'http://127.0.0.1:9/v1/audio/transcriptions', seconds: 2 }],
  REMOTE_UNREACHABLE: [
    'INTERNAL',
    500,
    { name: 'speech server', url: 'http://127.0.0.1:9/v1/audio/transcriptions', reason: 'ECONNREFUSED' },
  ],
  REMOTE_HTTP_ERROR: [
    'INTERNAL',
    500,
    {
      name: 'speech server',
      url: 'http://127.0.0.1:9/v1/audio/transcriptions',
      status: 503,
      statusText: 'Service Unavailable',
      message: 'busy',
    },
  ],
  REMOTE_BAD_RESPONSE: ['INTERNAL', 500, { name: 'speech server', url: 'http://127.0.0.1:9/v1/audio/transcriptions', problem: 'not JSON' }],
  ENGINE_UNAVAILABLE: [
    'INTERNAL',
    500,
    { name: 'speech server', url: 'http://127.0.0.1:9/v1/audio/transcriptions', reason: '5 requests in a row failed' },
  ],
  WHISPER_UNAVAILABLE: ['INTERNAL', 500, { platform: 'linux', arch: 'x64', failures: ['@fugood/node-whisper-linux-x64: not found'] }],
  POCKETSPHINX_ENGLISH_ONLY: ['INTERNAL', 500, { language: 'fr' }],
  POCKETSPHINX_NOT_RUNNABLE: ['INTERNAL', 500, { binary: 'pocketsphinx_batch', reason: 'ENOENT', hint: 'apt-get install pocketsphinx' }],
  POCKETSPHINX_FAILED: ['INTERNAL', 500, { tool: 'pocketsphinx_batch', how: 'exit 1', errors: 'ERROR: no model' }],
  POCKETSPHINX_MISSING: ['INTERNAL', 500, { problem: 'PocketSphinx decoder "pocketsphinx_batch" not found.' }],
  SPEECH_LANGUAGE_UNSUPPORTED: ['INVALID_ARGUMENT', 400, { language: 'xx-YY' }],
  SPEECH_TRANSLATION_UNAVAILABLE: ['FAILED_PRECONDITION', 400, { engine: 'whisper (ggml-tiny.en.bin)' }],
  SILERO_MODEL_NOT_FOUND: ['INTERNAL', 500, { file: '/m/silero.onnx' }],
  SILERO_MODEL_WRONG: ['INTERNAL', 500, { file: '/m/silero.onnx', inputs: ['x'] }],
  YAMNET_FILE_NOT_FOUND: ['INTERNAL', 500, { what: 'YAMNet model', file: '/m/yamnet.tflite' }],
  YAMNET_MODEL_WRONG: ['INTERNAL', 500, { file: '/m/yamnet.tflite', inShape: [1, 100], outShape: [1, 3], labels: 521, frame: 15600 }],
  YAMNET_CLASS_MAP_NO_NAMES: ['INTERNAL', 500, undefined],
  YAMNET_CLASS_MAP_BAD_ROW: ['INTERNAL', 500, { row: 'x,y' }],
  TFLITE_NOT_A_MODEL: ['INTERNAL', 500, undefined],
  TFLITE_NO_SUBGRAPH: ['INTERNAL', 500, undefined],
};

const make = <C extends ErrorCode>(code: C, params: ErrorParams<C>) =>
  new (EarshotError as new (c: C, p: ErrorParams<C>) => EarshotError<C>)(code, params);

test('every catalogue entry answers the HTTP code Google pairs with its status (or a listed front-end override)', () => {
  for (const [code, spec] of Object.entries(ERRORS) as [ErrorCode, { status: GoogleStatus; http?: number }][]) {
    const want = HTTP_OVERRIDES[code] ?? GOOGLE_HTTP[spec.status];
    assert.equal(spec.http ?? GOOGLE_HTTP[spec.status], want, `${code}: ${spec.status} is ${GOOGLE_HTTP[spec.status]} on Google's wire`);
  }
});

test('each audio, model, engine, identity and generic failure has the status and HTTP code Gemini answers for it', () => {
  const mine = [...Object.keys(AUDIO_ERRORS), ...Object.keys(MODEL_ERRORS), ...Object.keys(ENGINE_ERRORS)] as ErrorCode[];
  const missing = mine.filter((c) => !(c in CASES));
  assert.deepEqual(missing, [], 'every entry of the audio, model and engine groups needs a row in CASES');
  for (const [code, [status, http, params]] of Object.entries(CASES) as [ErrorCode, [GoogleStatus, number, never]][]) {
    const err = make(code, params);
    assert.equal(err.code, code);
    assert.equal(err.status, status, code);
    assert.equal(err.httpStatus, http, code);
    assert.ok(err.message.length > 0, code);
    const wire = toWireError(err);
    assert.equal(wire.httpStatus, http, code);
    assert.deepEqual(Object.keys(wire.body), ['error']);
    assert.equal(wire.body.error.code, http, code);
    assert.equal(wire.body.error.status, status, code);
    assert.equal(wire.unexpected, false);
  }
});

test('UPLOAD_BUSY is retryable: 503 UNAVAILABLE, with no X-Goog-Upload-Status (the SDK upload loops resend on its absence)', () => {
  const wire = toWireError(new EarshotError('UPLOAD_BUSY'));
  assert.equal(wire.httpStatus, 503);
  assert.equal(wire.body.error.status, 'UNAVAILABLE');
  // the status lists @google/genai (DEFAULT_RETRY_HTTP_STATUS_CODES) and google-genai (_RETRY_HTTP_STATUS_CODES) retry
  assert.ok([408, 429, 500, 502, 503, 504].includes(wire.httpStatus));
  assert.ok(!Object.keys(wire.headers).some((h) => h.toLowerCase() === 'x-goog-upload-status'), JSON.stringify(wire.headers));
});

test('the wire body is {error: {code, message, status}}, details only when the entry has them', () => {
  const denied = toWireError(new EarshotError('FILE_ACCESS_DENIED', { name: 'abc123' }));
  assert.deepEqual(denied.body, {
    error: { code: 403, message: 'You do not have permission to access the File abc123 or it may not exist.', status: 'PERMISSION_DENIED' },
  });
  assert.deepEqual(denied.headers, {});
  assert.equal(
    JSON.stringify(denied.body),
    '{"error":{"code":403,"message":"You do not have permission to access the File abc123 or it may not exist.","status":"PERMISSION_DENIED"}}',
  );

  assert.deepEqual(toWireError(new EarshotError('API_KEY_INVALID')).body, {
    error: {
      code: 400,
      message: 'API key not valid. Please pass a valid API key.',
      status: 'INVALID_ARGUMENT',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
    },
  });
  assert.equal(
    toWireError(new EarshotError('API_KEY_MISSING')).body.error.message,
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
});

test('anything not catalogued is a bug: 500 INTERNAL "Internal error encountered.", flagged for the log', () => {
  for (const thrown of [
    new TypeError("Cannot read properties of undefined (reading 'x')"),
    new Error('/srv/data/secret path'),
    'a string',
    undefined,
  ]) {
    const wire = toWireError(thrown);
    assert.equal(wire.httpStatus, 500);
    assert.deepEqual(wire.body, { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } });
    assert.equal(wire.unexpected, true);
  }
});

test('an INTERNAL catalogue error never shows its message on the wire (it may name server paths)', () => {
  const err = new EarshotError('WHISPER_MODEL_NOT_FOUND', { file: '/srv/models/ggml-base.en.bin' });
  assert.match(err.message, /whisper model not found at \/srv\/models\/ggml-base\.en\.bin/); // the CLI prints this
  const wire = toWireError(err);
  assert.deepEqual(wire.body, { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } });
  assert.equal(wire.unexpected, false);
});

test('upload facts become X-Goog-Upload-* headers; other facts never reach the wire', () => {
  const byFacts = new EarshotError(
    'INVALID_ARGUMENT',
    { message: 'Invalid X-Goog-Upload-Offset 5' },
    { facts: { uploadStatus: 'active', uploadSizeReceived: 4 } },
  );
  assert.deepEqual(toWireError(byFacts).headers, { 'X-Goog-Upload-Status': 'active', 'X-Goog-Upload-Size-Received': '4' });
  // a decoder's output is a fact for the log, never a header or part of the body
  const audio = new AudioError('AUDIO_CORRUPT', { case: 'decode-failed', exit: 1, tail: 'x' }, { detail: 'moov atom not found' });
  assert.deepEqual(toWireError(audio).headers, {});
  assert.ok(!JSON.stringify(toWireError(audio).body).includes('moov'));
});

test('audio failures: code ↔ reason, and the exact sentences clients got before the catalogue', () => {
  const reasons = Object.keys(AUDIO_REASON).map((code) => {
    const e = new AudioError(code as keyof typeof AUDIO_REASON, CASES[code as ErrorCode]![2] as never);
    assert.ok(isAudioError(e) && isEarshotError(e, code as ErrorCode));
    return [e.code, e.reason];
  });
  assert.deepEqual(reasons, [
    ['AUDIO_EMPTY', 'empty'],
    ['AUDIO_NOT_AUDIO', 'not-audio'],
    ['AUDIO_CORRUPT', 'corrupt'],
    ['AUDIO_TRUNCATED', 'truncated'],
    ['AUDIO_UNSUPPORTED', 'unsupported'],
    ['AUDIO_TOO_LONG', 'too-long'],
  ]);
  assert.equal(new AudioError('AUDIO_EMPTY', { case: 'file' }).message, 'the file is empty (0 bytes); upload the audio again');
  assert.equal(
    new AudioError('AUDIO_NOT_AUDIO', { case: 'content', subject: 'data', what: 'a PNG image' }).message,
    'the data is a PNG image, not audio',
  );
  assert.equal(
    new AudioError('AUDIO_TOO_LONG', { durationSec: 3 * 3600, maxSec: 9.5 * 3600 }).message,
    "the audio is 3 h 00 min long; this server accepts at most 9 h 30 min (split the file or raise the server's maximum duration)",
  );
  assert.equal(new AudioError('AUDIO_TRUNCATED', { case: 'cut', format: 'MP3', bytes: 512 }).reason, 'truncated');
  assert.equal(new AudioError('AUDIO_CORRUPT', { case: 'decode-failed', exit: 1, tail: '' }, { detail: 'stderr' }).detail, 'stderr');
  // other catalogued errors are not audio errors
  assert.equal(isAudioError(new EarshotError('INTERNAL')), false);
  assert.equal(isEarshotError(new Error('x')), false);
});
