// A raw HTTP/1.1 client for the fuzz tests: writes exactly the bytes asked for (any method, header, path or
// Content-Length, true or not) on a fresh socket and reads the answer to its end, with a hard time limit.
import net from 'node:net';

export interface RawRequest {
  method: string;
  /** request target as sent (already encoded, or deliberately not) */
  path: string;
  headers: [string, string][];
  body?: Buffer;
  /** 'auto' (the body's length), 'omit' (no header) or a number sent as is, even when it lies */
  contentLength?: 'auto' | 'omit' | number;
  /** set by send(): the server closed the connection before the whole body could be written to it */
  bodyNotDelivered?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The answer, or `null` when the server closed the connection without one (a request it dropped). */
export type RawOutcome = RawResponse | null;

export class HangError extends Error {}

/** Header values and targets must not carry CR/LF: that would be a second request, not a hostile field. */
const oneLine = (s: string) => s.replace(/[\r\n]/g, ' ');

export function send(base: string, req: RawRequest, timeoutMs: number): Promise<RawOutcome> {
  const { hostname, port } = new URL(base);
  const body = req.body ?? Buffer.alloc(0);
  const lines = [`${oneLine(req.method)} ${oneLine(req.path)} HTTP/1.1`, `Host: ${hostname}:${port}`];
  for (const [k, v] of req.headers) lines.push(`${oneLine(k)}: ${oneLine(v)}`);
  const cl = req.contentLength ?? 'auto';
  if (cl === 'auto') lines.push(`Content-Length: ${body.length}`);
  else if (cl !== 'omit') lines.push(`Content-Length: ${cl}`);
  lines.push('Connection: close', '', '');
  // A declared length longer than the body would leave the server waiting: half-close instead, as a
  // client that gave up would.
  const shortBody = typeof cl === 'number' && cl > body.length;

  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HangError(`no complete answer within ${timeoutMs} ms to ${req.method} ${req.path.slice(0, 200)}`));
    }, timeoutMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {
      /* a reset after a refusal is an answer like any other: judged from what arrived */
    });
    let written = false;
    socket.on('close', () => {
      clearTimeout(timer);
      if (!written) req.bodyNotDelivered = true;
      try {
        resolve(parse(Buffer.concat(chunks), req.method === 'HEAD'));
      } catch (err) {
        reject(err);
      }
    });
    socket.write(Buffer.from(lines.join('\r\n'), 'utf8'));
    socket.write(body, (err) => {
      written = !err;
      if (shortBody) socket.end();
    });
  });
}

/** Parse the (last non-1xx) response; chunked bodies are decoded. */
function parse(raw: Buffer, head: boolean): RawOutcome {
  let rest = raw;
  for (;;) {
    if (rest.length === 0) return null;
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`truncated response head: ${JSON.stringify(rest.subarray(0, 300).toString('latin1'))}`);
    const [statusLine, ...headerLines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine!);
    if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    rest = rest.subarray(end + 4);
    if (status >= 100 && status < 200) continue;
    if (head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) return { status, headers, body: dechunk(rest) };
    const len = headers['content-length'];
    return { status, headers, body: len === undefined ? rest : rest.subarray(0, Number(len)) };
  }
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) throw new Error('truncated chunked body');
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    if (size === 0) return Buffer.concat(out);
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
