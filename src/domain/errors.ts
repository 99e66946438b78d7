// The error catalogue: every failure Earshot reports, each a stable code with the Google RPC status and
// HTTP status Gemini answers for the same case and a message template. Code branches on `code`, never on
// message text; src/api/errors.ts alone turns an EarshotError into Google's wire shape.

import { entry, HTTP_STATUS_OF, type CatalogueEntry, type GoogleStatus } from './catalogue-entry.js';
import { API_ERRORS } from './errors-api.js';
import { AUDIO_ERRORS } from './errors-audio.js';
import { MODEL_ERRORS } from './errors-models.js';
import { ENGINE_ERRORS } from './errors-engines.js';
import { UNDERSTANDING_ERRORS } from './errors-understanding.js';
import { CONFIG_ERRORS } from './errors-config.js';
import { STORE_ERRORS } from './errors-store.js';
import { JOB_ERRORS } from './errors-jobs.js';

export { HTTP_STATUS_OF, type GoogleStatus } from './catalogue-entry.js';
export { AUDIO_REASON, type AudioErrorCode, type AudioErrorReason } from './errors-audio.js';
export type { ModelErrorCode, WhisperModelErrorCode } from './errors-models.js';

/**
 * Every coded error. Grouped by where it arises; add new failures here, never as inline messages.
 * Entries whose template is `(p) => p.message` carry Gemini's own validation text (field paths and all).
 */
export const ERRORS = {
  // ── generic: a message the API layer passes through in Gemini's exact words (Fastify's request validation) ──
  INVALID_ARGUMENT: entry<{ message: string }>('INVALID_ARGUMENT', (p) => p.message),

  // ── identity and access ──
  API_KEY_MISSING: entry(
    'PERMISSION_DENIED',
    () =>
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  ),
  API_KEY_INVALID: {
    ...entry('INVALID_ARGUMENT', () => 'API key not valid. Please pass a valid API key.'),
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
  },
  FILE_ACCESS_DENIED: entry<{ name: string }>(
    'PERMISSION_DENIED',
    (p) => `You do not have permission to access the File ${p.name} or it may not exist.`,
  ),

  // ── api: request shape, prompt parts, uploads and transport (src/domain/errors-api.ts) ──
  ...API_ERRORS,

  // ── api: the discovery document for the legacy google-generativeai client (src/api/discovery.ts) ──
  API_DISCOVERY_UNKNOWN_VERSION: entry<{ version: string; known: string }>(
    'NOT_FOUND',
    (p) => `No discovery document for version "${p.version}": ask for one of ${p.known}.`,
  ),

  // ── server state ──
  SHUTTING_DOWN: entry('UNAVAILABLE', () => 'The server is shutting down; retry on another instance or after it restarts.'),
  INTERNAL: entry('INTERNAL', () => 'Internal error encountered.'),

  // ── audio the server cannot use, and the decoder binaries (src/domain/errors-audio.ts) ──
  ...AUDIO_ERRORS,
  // ── model files: downloads and whisper.cpp models (src/domain/errors-models.ts) ──
  ...MODEL_ERRORS,
  // ── listening and text engines: setup and backend failures (src/domain/errors-engines.ts) ──
  ...ENGINE_ERRORS,
  // ── response schemas and the language model (src/domain/errors-understanding.ts) ──
  ...UNDERSTANDING_ERRORS,
  // ── configuration, at start-up (src/domain/errors-config.ts) ──
  ...CONFIG_ERRORS,
  // ── storage, uploads and analyses (src/domain/errors-store.ts) ──
  ...STORE_ERRORS,
  // ── the durable job queue and cluster roles (src/domain/errors-jobs.ts) ──
  ...JOB_ERRORS,
} as const satisfies Record<string, CatalogueEntry<never>>;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorParams<C extends ErrorCode> = Parameters<(typeof ERRORS)[C]['message']>[0];

/**
 * Facts the API layer may turn into headers or fields; never prose. Known keys: `uploadStatus` and
 * `uploadSizeReceived` (become X-Goog-Upload-Status / X-Goog-Upload-Size-Received), `detail` (a decoder's
 * own output, for logs only).
 */
export interface ErrorFacts {
  readonly uploadStatus?: string;
  readonly uploadSizeReceived?: number;
  readonly detail?: string;
  readonly [key: string]: string | number | undefined;
}

export interface EarshotErrorOptions {
  cause?: unknown;
  /** machine-readable details for the wire (e.g. google.rpc.ErrorInfo); default: the entry's own */
  details?: unknown[];
  facts?: ErrorFacts;
}

export type ParamArgs<C extends ErrorCode> =
  undefined extends ErrorParams<C>
    ? [params?: ErrorParams<C>, options?: EarshotErrorOptions]
    : [params: ErrorParams<C>, options?: EarshotErrorOptions];

/** A catalogued failure. Throw it anywhere; only src/api/errors.ts knows how it looks on the wire. */
export class EarshotError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly status: GoogleStatus;
  readonly httpStatus: number;
  readonly details?: unknown[];
  readonly facts?: ErrorFacts;

  constructor(code: C, ...[params, options]: ParamArgs<C>) {
    const spec: CatalogueEntry<ErrorParams<C>> = ERRORS[code] as CatalogueEntry<ErrorParams<C>>;
    super(spec.message(params as ErrorParams<C>), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EarshotError';
    this.code = code;
    this.status = spec.status;
    this.httpStatus = spec.http ?? HTTP_STATUS_OF[spec.status];
    const details = options?.details ?? spec.details;
    if (details) this.details = [...details];
    if (options?.facts) this.facts = options.facts;
  }
}

/** True when `err` is a catalogued error (of one of `codes`, when given). */
export function isEarshotError<C extends ErrorCode>(err: unknown, ...codes: C[]): err is EarshotError<C> {
  return err instanceof EarshotError && (codes.length === 0 || codes.includes(err.code as C));
}
