// What every answer of Earshot must satisfy, whatever was asked: 2xx/3xx, or a 4xx in Google's error shape
// with code == HTTP status; never a 5xx; never a file-system path or a stack trace in the body.
import { tmpdir } from 'node:os';
import type { RawOutcome, RawRequest } from './raw-http.js';
import { REPO_ROOT } from '../../helpers.js';

/** Paths served by the playground (static files): their 404s are plain text by design, not API errors. */
export function isPlaygroundPath(path: string): boolean {
  const p = path.split('?')[0]!;
  return p === '/' || p === '/index.html' || p === '/favicon.svg' || p.startsWith('/assets/') || p === '/assets';
}

const STATUS_BY_CODE: Record<number, string[]> = {
  400: ['INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'OUT_OF_RANGE'],
  401: ['UNAUTHENTICATED'],
  403: ['PERMISSION_DENIED'],
  404: ['NOT_FOUND'],
  408: ['DEADLINE_EXCEEDED', 'CANCELLED'],
  409: ['ALREADY_EXISTS', 'ABORTED'],
  411: ['INVALID_ARGUMENT', 'FAILED_PRECONDITION'],
  413: ['INVALID_ARGUMENT', 'RESOURCE_EXHAUSTED', 'OUT_OF_RANGE', 'FAILED_PRECONDITION'],
  429: ['RESOURCE_EXHAUSTED'],
  503: ['UNAVAILABLE'],
};

/** Returns what is wrong with an answer (empty when it is acceptable). */
export function judge(req: RawRequest, res: RawOutcome, dataDir: string): string[] {
  if (res === null) {
    // Only a request whose declared body never arrived may be dropped without an answer. A body the server
    // stopped reading is no excuse since the lingering close (src/api/linger.ts): an early refusal of a
    // multi-MB body must reach a client that writes the whole body before reading, not be lost to a reset.
    if (typeof req.contentLength === 'number' && req.contentLength > (req.body?.length ?? 0)) return [];
    return [
      req.bodyNotDelivered === true
        ? 'connection closed without an answer, before the whole body could be sent (the server stopped reading it)'
        : 'connection closed without an answer',
    ];
  }
  const problems: string[] = [];
  const text = res.body.toString('utf8');
  // readiness is a probe for orchestrators, not an API call: 503 with what is not ready is its answer
  if (req.path.split('?')[0] === '/readyz' && res.status === 503 && /^\{"status":"not ready"/.test(text)) return leaks(text, dataDir);
  // A resumable session still locked by a step whose client went away before the server noticed (a declared
  // body that never came) answers UPLOAD_BUSY: 503 UNAVAILABLE, transient and retryable, not a server fault.
  const busySession = res.status === 503 && /[?&]upload_id=/.test(req.path) && /"status":\s*"UNAVAILABLE"/.test(text);
  if (res.status >= 500 && !busySession) problems.push(`server error ${res.status}`);
  if (res.status < 200) problems.push(`status ${res.status}`);
  const playground = isPlaygroundPath(req.path);
  if (res.status >= 400 && !(playground && res.status === 404) && req.method !== 'HEAD') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      problems.push('error body is not JSON');
    }
    if (parsed !== undefined) {
      const err = (parsed as { error?: Record<string, unknown> }).error;
      if (!err || typeof err !== 'object') problems.push('error body lacks "error"');
      else {
        if (err.code !== res.status) problems.push(`error.code ${String(err.code)} != HTTP ${res.status}`);
        if (typeof err.message !== 'string' || err.message === '') problems.push('error.message missing');
        if (typeof err.status !== 'string' || !/^[A-Z_]+$/.test(err.status)) problems.push('error.status missing');
        else if (STATUS_BY_CODE[res.status] && !STATUS_BY_CODE[res.status]!.includes(err.status)) {
          problems.push(`error.status ${err.status} does not go with HTTP ${res.status}`);
        }
      }
    }
    if (!/application\/json/.test(res.headers['content-type'] ?? '')) problems.push(`error content-type ${res.headers['content-type']}`);
  }
  // Static playground assets are our own bundle; everything else is an API answer that must not leak.
  if (!(playground && res.status < 300)) problems.push(...leaks(text, dataDir));
  return problems;
}

/** File-system paths and stack traces that would tell a client about the server's insides. */
export function leaks(text: string, dataDir: string): string[] {
  const found: string[] = [];
  for (const dir of [dataDir, REPO_ROOT, tmpdir() + '/', '/node_modules/', 'file:///']) {
    if (text.includes(dir)) found.push(`body reveals a server path (${dir})`);
  }
  if (/\n\s+at .+[(\s]\/?[\w./-]+:\d+:\d+\)?/.test(text) || /\\n\s+at .+:\d+:\d+/.test(text)) found.push('body carries a stack trace');
  if (/\b(?:ENOENT|EACCES|EISDIR|SQLITE_[A-Z]+|TypeError|ReferenceError|RangeError: Maximum)\b/.test(text))
    found.push('body carries an internal error name');
  return found;
}
