// Lingering close (nginx's lingering_close): after an answer sent before its request body was read to the end
// (bad key, unknown route, over-limit upload), read and discard the rest, within bounds, before closing.

import type { IncomingMessage } from 'node:http';
import { type Server, Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/*
 * Why: closing a socket whose receive buffer still holds unread bytes makes the kernel send a TCP reset, and a
 * client that writes its whole body before reading (Python's http.client and requests, many SDKs) then sees ECONNRESET or
 * EPIPE instead of the Google-shaped error already written to it. So an early answer carries
 * `Connection: close`, its FIN goes out after it, and the server keeps reading (and throwing away) what the
 * client is still sending until the body ends, then closes cleanly. The reading is bounded, like nginx's
 * lingering_time / lingering_timeout, so that a client that never stops sending (or stalls) is cut off:
 *
 * - LINGER_MAX_BYTES: 64 MiB more at most. Covers refusing any request the API takes in one piece (JSON bodies
 *   stop at 20 MB, a resumable chunk is typically 8–16 MiB) and a good part of a refused one-shot upload; a
 *   client sending more than that before reading gets the reset it would have got anyway.
 * - LINGER_MAX_MS: 30 s in all (nginx's lingering_time).
 * - LINGER_IDLE_MS: 5 s without a byte (nginx's lingering_timeout).
 *
 * These are transport constants, not settings: nobody tunes them per deployment (nginx users rarely touch
 * theirs), and a proxy in front of Earshot applies its own.
 */
export const LINGER_MAX_BYTES = 64 * 1024 * 1024;
export const LINGER_MAX_MS = 30_000;
export const LINGER_IDLE_MS = 5_000;

export interface LingerLimits {
  maxBytes: number;
  maxMs: number;
  idleMs: number;
}

const DEFAULT_LIMITS: LingerLimits = { maxBytes: LINGER_MAX_BYTES, maxMs: LINGER_MAX_MS, idleMs: LINGER_IDLE_MS };

/** how often a lingering socket's bounds are checked */
const WATCH_MS = 10;

interface Lingerer {
  limits: LingerLimits;
  /** the request with a body each socket is serving (one at a time: no pipelining past a body) */
  current: WeakMap<Socket, IncomingMessage>;
  lingering: Set<Socket>;
  destroySoon: (this: Socket) => void;
}

const lingerers = new WeakMap<Server, Lingerer>();
const lingeringSockets = new WeakSet<Socket>();
/** sockets on which the client sent more than its request (seen by the parser as data after Connection: close) */
const moreInput = new WeakSet<Socket>();

/** Whether a request declares a body (a length other than 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/** Install the lingering close on a Fastify app's HTTP server. */
export function lingerOnEarlyAnswers(app: FastifyInstance, limits: LingerLimits = DEFAULT_LIMITS): void {
  const l: Lingerer = {
    limits,
    current: new WeakMap(),
    lingering: new Set(),
    // Node's HTTP server ends a `Connection: close` exchange with socket.destroySoon() once the answer is
    // written. On a socket whose request body is unread, that becomes: answer, FIN, read and discard, close.
    destroySoon(this: Socket): void {
      const req = l.current.get(this);
      // nothing to drain: no body, all of it read (and nothing after it), or the client's FIN is in
      const unread = req !== undefined && (!req.complete || moreInput.has(this));
      if (!unread || req.destroyed || this.destroyed || this.readableEnded || l.lingering.has(this))
        Socket.prototype.destroySoon.call(this);
      else linger(l, this, req);
    },
  };
  lingerers.set(app.server, l);
  app.server.on('request', (req: IncomingMessage) => lingerAfterAnswer(app.server, req));

  // An answer given while its request body is still arriving closes the connection (the body is then
  // drained, bounded, rather than read to its end however long it is, as a kept-alive connection would need).
  app.addHook('onSend', (req, reply, payload, done) => {
    if (hasBody(req.raw) && !req.raw.complete) reply.header('connection', 'close');
    done(null, payload);
  });
  // Shutdown does not wait for clients still sending bodies nobody will read.
  app.addHook('preClose', (done) => {
    for (const socket of l.lingering) socket.destroy();
    l.lingering.clear();
    done();
  });
}

/**
 * Let the closing of `req`'s connection linger if its body is unread when the answer is written (every request
 * the server emits is watched; answers written outside the routes, such as to an odd Expect, call this).
 */
export function lingerAfterAnswer(server: Server, req: IncomingMessage): void {
  const l = lingerers.get(server);
  if (!l || !hasBody(req)) return;
  const socket = req.socket;
  l.current.set(socket, req);
  if (socket.destroySoon !== l.destroySoon) socket.destroySoon = l.destroySoon;
}

/** End a socket taken from the HTTP parser (CONNECT) after its answer: discard what follows, within bounds. */
export function lingerThenClose(server: Server, socket: Socket): void {
  const l = lingerers.get(server);
  if (!l || socket.destroyed) return void socket.destroySoon();
  linger(l, socket, undefined);
  socket.resume();
}

/**
 * Answer sent: FIN, then read and discard until the client closes its side or a bound is reached, then close.
 * As nginx does, the end of the declared body is not the end: a client that sent more than it declared (or a
 * next request) is still writing, and closing on it would reset the connection just the same.
 */
function linger(l: Lingerer, socket: Socket, req: IncomingMessage | undefined): void {
  const { limits } = l;
  l.lingering.add(socket);
  lingeringSockets.add(socket);
  const start = Date.now();
  const startBytes = socket.bytesRead;
  let seenBytes = startBytes;
  let lastByteAt = start;
  const close = () => {
    clearInterval(watch);
    l.lingering.delete(socket);
    socket.destroy();
  };
  // Node's parser drops a dumped body's bytes without a 'data' event, so the bounds watch the socket's
  // byte count every 10 ms; a fast sender may get that long's worth past maxBytes (~1 MB at 1 Gbit/s).
  const watch = setInterval(
    () => {
      const now = Date.now();
      const bytes = socket.bytesRead;
      if (bytes !== seenBytes) {
        seenBytes = bytes;
        lastByteAt = now;
      }
      if (bytes - startBytes > limits.maxBytes || now - start >= limits.maxMs || now - lastByteAt >= limits.idleMs) close();
    },
    Math.min(WATCH_MS, limits.idleMs / 4),
  );
  watch.unref();
  socket.once('end', close); // the client has read the answer (or given up): nothing more will come
  socket.once('close', () => {
    clearInterval(watch);
    l.lingering.delete(socket);
  });
  if (req) {
    // Whoever read part of the body has answered and left: the rest goes nowhere, as in Node's own dump.
    req.unpipe();
    req.removeAllListeners('data');
    req.resume();
  } else socket.on('data', () => {});
  socket.end();
}

/** The client is sending past its request: when the answer is written, drain that too before closing. */
export function expectMoreInput(socket: Socket): void {
  moreInput.add(socket);
}

/** Whether a socket is draining after its answer (then a parse error in what follows is no reason to reset it). */
export function isLingering(socket: Socket): boolean {
  return lingeringSockets.has(socket);
}
