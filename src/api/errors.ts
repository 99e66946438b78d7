// Failures on Google's wire: {error: {code, message, status, details?}} plus headers. toWireError is the one
// mapping from any thrown value to that shape: a catalogued EarshotError (src/domain/errors.ts) shows its own
// status and message; anything else is a bug and shows 500 INTERNAL "Internal error encountered.".

import { EarshotError, HTTP_STATUS_OF, type ErrorCode, type ErrorFacts, type GoogleStatus } from '../domain/errors.js';

export type { GoogleStatus } from '../domain/errors.js';

export interface ErrorBody {
  error: { code: number; message: string; status: GoogleStatus; details?: unknown[] };
}

/** What a client receives for a failure: the HTTP status, the JSON body and any extra headers. */
export interface WireError {
  httpStatus: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** true when the failure was not a catalogued one (a bug): log it with its stack */
  unexpected: boolean;
}

/** Facts that Google's upload protocol shows as response headers. */
const FACT_HEADERS = { uploadStatus: 'X-Goog-Upload-Status', uploadSizeReceived: 'X-Goog-Upload-Size-Received' } as const;

/** The response headers an error's facts call for (X-Goog-Upload-* on upload failures). */
export function headersOf(facts: ErrorFacts | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [fact, header] of Object.entries(FACT_HEADERS)) {
    const v = facts?.[fact];
    if (v !== undefined) out[header] = String(v);
  }
  return out;
}

/** The facts an old-style header map stands for (transitional: callers that still pass headers). */
function factsOfHeaders(headers: Record<string, string> | undefined): ErrorFacts | undefined {
  if (!headers) return undefined;
  const facts: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'x-goog-upload-status') facts.uploadStatus = value;
    else if (lower === 'x-goog-upload-size-received') facts.uploadSizeReceived = Number(value);
  }
  return facts;
}

const INTERNAL_MESSAGE = 'Internal error encountered.';

/**
 * The one mapping to the wire. An EarshotError keeps its status, HTTP code, message and details; its facts
 * become headers. An INTERNAL error never shows its message (it may name server paths or engine internals),
 * and anything that is not an EarshotError is a bug: 500 INTERNAL with Google's own sentence.
 */
export function toWireError(err: unknown): WireError {
  if (!(err instanceof EarshotError)) {
    return { httpStatus: 500, body: { error: { code: 500, message: INTERNAL_MESSAGE, status: 'INTERNAL' } }, headers: {}, unexpected: true };
  }
  const message = err.status === 'INTERNAL' ? INTERNAL_MESSAGE : err.message;
  const body: ErrorBody = { error: { code: err.httpStatus, message, status: err.status, ...(err.details ? { details: err.details } : {}) } };
  return { httpStatus: err.httpStatus, body, headers: headersOf(err.facts), unexpected: false };
}

/** The catalogue's generic entry for each status a caller-written message may carry (Gemini's own words). */
const GENERIC_CODE: Partial<Record<GoogleStatus, ErrorCode>> = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  NOT_FOUND: 'NOT_FOUND',
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  UNAVAILABLE: 'UNAVAILABLE',
};

/**
 * Transitional: the API layer's old error class, now an EarshotError with a caller-written message. Kept while
 * src/api, src/store and src/understanding convert their throw sites to catalogue codes; delete it then (and
 * the factories below), with `toJSON`/`httpCode`/`headers` replaced by toWireError.
 */
export class ApiError extends EarshotError {
  /** extra response headers (e.g. X-Goog-Upload-Status on upload errors); derived from `facts` */
  readonly headers?: Record<string, string>;

  constructor(
    status: GoogleStatus,
    message: string,
    opts: { details?: unknown[]; headers?: Record<string, string>; httpCode?: number; facts?: ErrorFacts } = {},
  ) {
    const code = (GENERIC_CODE[status] ?? 'INVALID_ARGUMENT') as 'INVALID_ARGUMENT';
    const facts = opts.facts ?? factsOfHeaders(opts.headers);
    super(code, { message }, { ...(opts.details ? { details: opts.details } : {}), ...(facts ? { facts } : {}) });
    this.name = 'ApiError';
    // a status without a generic entry (INTERNAL, PERMISSION_DENIED…) keeps the status it was given
    const self = this as unknown as { status: GoogleStatus; httpStatus: number };
    self.status = status;
    self.httpStatus = opts.httpCode ?? HTTP_STATUS_OF[status];
    const headers = opts.headers ?? headersOf(facts);
    if (Object.keys(headers).length) this.headers = headers;
  }

  get httpCode(): number {
    return this.httpStatus;
  }

  toJSON(): ErrorBody {
    return toWireError(this).body;
  }
}

// ── transitional factories: each is one catalogue entry; new code throws new EarshotError(code, params) ──

export const invalidArgument = (message: string, headers?: Record<string, string>) => new ApiError('INVALID_ARGUMENT', message, { headers });
export const failedPrecondition = (message: string) => new ApiError('FAILED_PRECONDITION', message);
export const notFound = (message: string) => new ApiError('NOT_FOUND', message);
export const resourceExhausted = (message: string) => new ApiError('RESOURCE_EXHAUSTED', message);
export const unavailable = (message: string) => new ApiError('UNAVAILABLE', message);
/** An INTERNAL failure; its message is for the log, the wire shows "Internal error encountered.". */
export const internal = (message: string) => new EarshotError('INTERNAL', undefined, { cause: new Error(message) });
/** What Gemini answers for a file that does not exist, was deleted, expired or belongs to another project. */
export const fileAccessDenied = (id: string) => new EarshotError('FILE_ACCESS_DENIED', { name: id });
/** Gemini's answer to a request without any API key. */
export const missingApiKey = () => new EarshotError('API_KEY_MISSING');
/** Gemini's answer to a key it does not know (with its google.rpc.ErrorInfo detail). */
export const invalidApiKey = () => new EarshotError('API_KEY_INVALID');
