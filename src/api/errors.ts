// Failures on Google's wire: {error: {code, message, status, details?}} plus headers. toWireError is the one
// mapping from any thrown value to that shape: a catalogued EarshotError (src/domain/errors.ts) shows its own
// status and message; anything else is a bug and shows 500 INTERNAL "Internal error encountered.".

import { EarshotError, type ErrorFacts, type GoogleStatus } from '../domain/errors.js';

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
function headersOf(facts: ErrorFacts | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [fact, header] of Object.entries(FACT_HEADERS)) {
    const v = facts?.[fact];
    if (v !== undefined) out[header] = String(v);
  }
  return out;
}

const INTERNAL_MESSAGE = 'Internal error encountered.';

/**
 * The one mapping to the wire. An EarshotError keeps its status, HTTP code, message and details; its facts
 * become headers. An INTERNAL error never shows its message (it may name server paths or engine internals),
 * and anything that is not an EarshotError is a bug: 500 INTERNAL with Google's own sentence.
 */
export function toWireError(err: unknown): WireError {
  if (!(err instanceof EarshotError)) {
    return {
      httpStatus: 500,
      body: { error: { code: 500, message: INTERNAL_MESSAGE, status: 'INTERNAL' } },
      headers: {},
      unexpected: true,
    };
  }
  const message = err.status === 'INTERNAL' ? INTERNAL_MESSAGE : err.message;
  const body: ErrorBody = {
    error: { code: err.httpStatus, message, status: err.status, ...(err.details ? { details: err.details } : {}) },
  };
  return { httpStatus: err.httpStatus, body, headers: headersOf(err.facts), unexpected: false };
}
