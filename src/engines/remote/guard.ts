// Resilience for engines behind HTTP (remote speech and text servers): a time-out on every request, retries
// with exponential back-off on transient failures, and a circuit breaker that fails fast while a server is down.
// Built on cockatiel's policies; this module only decides what counts as transient and which errors come out.
//
// What happens to one call:
//   - each attempt runs under its own time-out (REMOTE_TIMEOUT when it passes);
//   - network errors, 5xx and 429 are retried with exponential back-off (4xx are not: the request is wrong, and
//     a retry would be refused again). Time-outs are not retried either: an attempt that took the whole limit
//     would most likely take it again, and retrying multiplies the wait the time-out exists to bound;
//   - network errors, time-outs, 5xx and 429 count towards the breaker; after `breakerFailures` in a row it
//     opens, and every call fails at once, without touching the network, until `breakerResetMs` have passed;
//     then one call is let through as a probe (half-open): success closes the breaker, failure opens it again;
//   - when retries are spent on a transient failure, or the breaker is open, the call fails with
//     ENGINE_UNAVAILABLE (the server is down, not the input bad); other failures pass through unchanged;
//   - an abort of the caller's signal stops everything at once and rethrows the signal's reason, uncounted.

import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
} from 'cockatiel';
import { EarshotError, isEarshotError } from '../../domain/errors.js';

export interface RemoteGuardOptions {
  /** which engine, for messages: "speech server", "text server" */
  name: string;
  /** the server's address as configured, for messages */
  url: string;
  /** limit of one attempt, in milliseconds */
  timeoutMs: number;
  /** retries after the first attempt on a transient failure. Default 2. */
  retries?: number;
  /** first back-off delay in ms (then doubling, with jitter). Default 250. */
  backoffMs?: number;
  /** longest back-off delay in ms. Default 5000. */
  maxBackoffMs?: number;
  /** consecutive failures that open the breaker. Default 5. */
  breakerFailures?: number;
  /** ms an open breaker fails fast before letting a probe through. Default 30000. */
  breakerResetMs?: number;
  /** Keep the attempt's signal alive after it returns (for a streamed body read later). Default false. */
  keepSignalAfterReturn?: boolean;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface RemoteGuard {
  /** Run `attempt` under the time-out, retries and breaker; `attempt` must honour the signal it is given. */
  run<T>(attempt: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly state: BreakerState;
}

/** Error codes the engines use for failures of the server rather than of the request. */
const UNREACHABLE_CODES = ['REMOTE_UNREACHABLE', 'OPENAI_UNREACHABLE'] as const;
const HTTP_CODES = ['REMOTE_HTTP_ERROR', 'OPENAI_HTTP_ERROR'] as const;

/** True for a failure that says the server is down or overloaded: network error, time-out, 5xx, 429. */
export function isServerTrouble(err: unknown): boolean {
  if (isEarshotError(err, 'REMOTE_TIMEOUT', ...UNREACHABLE_CODES)) return true;
  if (isEarshotError(err, ...HTTP_CODES)) {
    const status = Number(err.facts?.upstreamStatus);
    return status === 429 || status >= 500;
  }
  return false;
}

/** Time-outs count against the server but are not worth repeating (see the header). */
const isRetryable = (err: unknown): boolean => isServerTrouble(err) && !isEarshotError(err, 'REMOTE_TIMEOUT');

export function createRemoteGuard(options: RemoteGuardOptions): RemoteGuard {
  const { name, url, timeoutMs } = options;
  const failures = options.breakerFailures ?? 5;
  const resetMs = options.breakerResetMs ?? 30_000;
  const breaker = circuitBreaker(handleWhen(isServerTrouble), {
    halfOpenAfter: resetMs,
    breaker: new ConsecutiveBreaker(failures),
  });
  const retries = retry(handleWhen(isRetryable), {
    maxAttempts: options.retries ?? 2,
    backoff: new ExponentialBackoff({ initialDelay: options.backoffMs ?? 250, maxDelay: options.maxBackoffMs ?? 5000 }),
  });
  const limit = timeout(timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: !options.keepSignalAfterReturn });
  let lastTrouble = '';
  breaker.onFailure(({ reason }) => {
    if ('error' in reason && isServerTrouble(reason.error)) lastTrouble = (reason.error as Error).message;
  });

  async function once<T>(attempt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal, caller?: AbortSignal): Promise<T> {
    try {
      // cockatiel unlinks its signals from the caller's when an attempt returns; a body still being read after
      // that must hear the caller's abort directly
      const keep = options.keepSignalAfterReturn && caller;
      return await limit.execute(({ signal: inner }) => attempt(keep ? AbortSignal.any([inner, caller]) : inner), signal);
    } catch (err) {
      if (caller?.aborted) throw new CallerAborted(caller.reason);
      if (err instanceof TaskCancelledError) throw new EarshotError('REMOTE_TIMEOUT', { name, url, seconds: timeoutMs / 1000 });
      throw err;
    }
  }

  return {
    get state(): BreakerState {
      return breaker.state === CircuitState.Open ? 'open' : breaker.state === CircuitState.HalfOpen ? 'half-open' : 'closed';
    },
    async run(attempt, signal) {
      signal?.throwIfAborted();
      let attempts = 0;
      try {
        return await retries.execute(({ signal: s }) => {
          attempts++;
          return breaker.execute(({ signal: b }) => once(attempt, b, signal), s);
        }, signal);
      } catch (err) {
        if (err instanceof CallerAborted) throw err.reason;
        if (signal?.aborted) throw signal.reason;
        if (err instanceof BrokenCircuitError) {
          const reason = `${failures} requests in a row failed, the last with: ${lastTrouble || 'unknown'}; the next try is in up to ${resetMs / 1000} s`;
          throw new EarshotError('ENGINE_UNAVAILABLE', { name, url, reason }, { cause: err });
        }
        if (isServerTrouble(err)) {
          const last = (err as Error).message;
          const reason = attempts > 1 ? `${attempts} attempts failed, the last with: ${last}` : last;
          throw new EarshotError('ENGINE_UNAVAILABLE', { name, url, reason }, { cause: err });
        }
        throw err;
      }
    },
  };
}

/** The caller gave up: not the server's fault, so neither retried nor counted by the breaker. */
class CallerAborted extends Error {
  constructor(readonly reason: unknown) {
    super('aborted by the caller');
  }
}
