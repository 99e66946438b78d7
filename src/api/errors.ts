// Errors as data, in Google's wire shape: {error: {code, message, status}}. Every failure a client can
// cause is one of these, with the HTTP code and canonical status Gemini uses for the same case.

export type GoogleStatus =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'OUT_OF_RANGE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'CANCELLED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'UNIMPLEMENTED'
  | 'DEADLINE_EXCEEDED';

const HTTP_CODE: Record<GoogleStatus, number> = {
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

export interface ErrorBody {
  error: { code: number; message: string; status: GoogleStatus; details?: unknown[] };
}

export class ApiError extends Error {
  readonly status: GoogleStatus;
  readonly httpCode: number;
  readonly details?: unknown[];
  /** extra response headers (e.g. X-Goog-Upload-Status on upload errors) */
  readonly headers?: Record<string, string>;

  constructor(status: GoogleStatus, message: string, opts: { details?: unknown[]; headers?: Record<string, string>; httpCode?: number } = {}) {
    super(message);
    this.status = status;
    this.httpCode = opts.httpCode ?? HTTP_CODE[status];
    this.details = opts.details;
    this.headers = opts.headers;
  }

  toJSON(): ErrorBody {
    return { error: { code: this.httpCode, message: this.message, status: this.status, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const invalidArgument = (message: string, headers?: Record<string, string>) => new ApiError('INVALID_ARGUMENT', message, { headers });
export const failedPrecondition = (message: string) => new ApiError('FAILED_PRECONDITION', message);
export const notFound = (message: string) => new ApiError('NOT_FOUND', message);
export const resourceExhausted = (message: string) => new ApiError('RESOURCE_EXHAUSTED', message);
export const unavailable = (message: string) => new ApiError('UNAVAILABLE', message);
export const internal = (message: string) => new ApiError('INTERNAL', message);

/** What Gemini answers for a file that does not exist, was deleted, expired or belongs to another project. */
export function fileAccessDenied(id: string): ApiError {
  return new ApiError('PERMISSION_DENIED', `You do not have permission to access the File ${id} or it may not exist.`);
}

/** Gemini's answer to a request without any API key. */
export function missingApiKey(): ApiError {
  return new ApiError(
    'PERMISSION_DENIED',
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
}

/** Gemini's answer to a key it does not know. */
export function invalidApiKey(): ApiError {
  return new ApiError('INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', {
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
  });
}
