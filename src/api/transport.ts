// HTTP transport policies below the routes: one redacted log line per request, a watchdog that drops
// bodies trickling in too slowly, and Google-shaped answers for failures Fastify or Node's HTTP parser
// meet before any route runs (bad percent-encoding, over-long names, oversized headers, time-outs).

import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EarshotError, type ErrorCode } from '../domain/errors.js';
import { toWireError } from './errors.js';
import { expectMoreInput, hasBody, isLingering, lingerAfterAnswer, lingerThenClose } from './linger.js';

/** Longest path parameter routed (a file or model name); longer ones answer API_NAME_TOO_LONG. */
export const MAX_PARAM_LENGTH = 4096;

/**
 * The slow-body rule: a request whose body is still arriving must deliver at least MIN_BODY_BYTES in every
 * BODY_WINDOW_MS window, else it is answered 408 and its connection closed. A rate floor rather than a total
 * time, because a resumable upload chunk (up to the whole 2 GB file) may legitimately take long on a slow link;
 * 1 KiB per 10 s is ~100 B/s, far below any working link. Header trickles are cut by Node's headersTimeout (60 s).
 */
export const MIN_BODY_BYTES = 1024;
export const BODY_WINDOW_MS = 10_000;

/** `?key=` and upload capability ids (`upload_id=`) are secrets: never logged. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:key|upload_id)=)[^&#]*/gi, '$1[REDACTED]');
}

/** The wire body of a catalogued error, as text ready to write. */
function errorBody(err: EarshotError): string {
  return JSON.stringify(toWireError(err).body);
}

/** Write a Google-shaped error straight onto a socket (no request object exists yet) and close it. */
function writeRawError(socket: Socket, code: ErrorCode): void {
  const err = new EarshotError(code as 'API_MALFORMED_HTTP');
  const body = errorBody(err);
  const reason = http.STATUS_CODES[err.httpStatus] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${err.httpStatus} ${reason}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Fastify's `clientErrorHandler`: what Node's HTTP parser rejects (431, 408, malformed requests). */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // Bytes after a request that said Connection: close (more than its declared body, or a next request): that
  // request's answer is being written and the connection closes after it; drain them, neither answer nor reset.
  if (err.code === 'HPE_CLOSED_CONNECTION' || isLingering(socket)) return void expectMoreInput(socket);
  if (!socket.writable) return void socket.destroy();
  const code: ErrorCode =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'API_HEADERS_TOO_LARGE'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'API_CLIENT_TIMEOUT'
        : 'API_MALFORMED_HTTP';
  writeRawError(socket, code);
  socket.destroySoon();
}

/**
 * What Node's HTTP server answers by itself, bypassing Fastify: an `Expect` other than 100-continue (a bare
 * 417 with no body) and CONNECT (the socket dropped, nobody listening). Both get a Google-shaped 400 instead.
 */
export function answerOutsideRoutes(app: FastifyInstance): void {
  app.server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    lingerAfterAnswer(app.server, req);
    const err = new EarshotError('API_MALFORMED_HTTP');
    const body = errorBody(err);
    res.writeHead(err.httpStatus, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
  });
  app.server.on('connect', (_req: http.IncomingMessage, socket: Socket) => {
    socket.on('error', () => {});
    writeRawError(socket, 'API_MALFORMED_HTTP');
    // what follows the head is read and thrown away (bounded) so that the answer is not lost to a reset
    lingerThenClose(app.server, socket);
  });
}

/** Fastify's `frameworkErrors`: failures of routing itself (no route, hence no error handler, exists yet). */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const e =
    err.code === 'FST_ERR_BAD_URL'
      ? new EarshotError('API_BAD_URL')
      : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new EarshotError('API_NAME_TOO_LONG', { max: MAX_PARAM_LENGTH })
        : new EarshotError('API_MALFORMED_HTTP');
  reply
    .code(e.httpStatus)
    .type('application/json; charset=UTF-8')
    .serializer((b: string) => b)
    .send(errorBody(e));
}

/** One info line per request, when it ends: method, redacted URL, status and time. */
export function logRequests(app: FastifyInstance): void {
  app.addHook('onResponse', (req, reply, done) => {
    req.log.info({ method: req.method, url: redactUrl(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });
}

/** Install the slow-body rule (see MIN_BODY_BYTES). */
export function dropSlowBodies(app: FastifyInstance, windowMs = BODY_WINDOW_MS, minBytes = MIN_BODY_BYTES): void {
  app.addHook('onRequest', (req, reply, done) => {
    const raw = req.raw;
    if (raw.complete || !hasBody(raw)) return done();
    const socket = raw.socket;
    let last = socket.bytesRead;
    const timer = setInterval(() => {
      if (raw.complete || socket.destroyed) return clearInterval(timer);
      const now = socket.bytesRead;
      if (now - last >= minBytes) {
        last = now;
        return;
      }
      clearInterval(timer);
      req.log.info({ url: redactUrl(req.url), received: now }, 'request body too slow; connection dropped');
      const res = reply.raw;
      if (res.headersSent) return void socket.destroy();
      const body = errorBody(new EarshotError('API_BODY_TOO_SLOW', { minBytes, windowSec: windowMs / 1000 }));
      res.writeHead(408, {
        'content-type': 'application/json; charset=UTF-8',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      });
      res.end(body, () => socket.destroy());
    }, windowMs);
    timer.unref();
    raw.once('close', () => clearInterval(timer));
    reply.raw.once('close', () => clearInterval(timer));
    done();
  });
}
