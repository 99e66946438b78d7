// The shape of one error-catalogue entry (Google RPC status, HTTP status, message template) and the HTTP
// code Google's REST front end gives each RPC status. The catalogue itself is src/domain/errors.ts.

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

/** The HTTP status Google's REST front end uses for each RPC status. */
export const HTTP_STATUS_OF: Readonly<Record<GoogleStatus, number>> = {
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

export interface CatalogueEntry<P> {
  readonly status: GoogleStatus;
  /** only where Google answers a status with an HTTP code other than HTTP_STATUS_OF's */
  readonly http?: number;
  readonly message: (params: P) => string;
  /** machine-readable details every error of this code carries (e.g. google.rpc.ErrorInfo) */
  readonly details?: readonly unknown[];
}

export const entry = <P = undefined>(status: GoogleStatus, message: (params: P) => string, http?: number): CatalogueEntry<NoInfer<P>> =>
  http === undefined ? { status, message } : { status, message, http };
