// What route plugins receive: the configuration and the services they call. Built once by the app.

import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { FileStore } from '../store/files.js';
import type { UploadStore } from '../store/uploads.js';
import type { Media } from '../analysis/media.js';
import type { Metrics } from './ops.js';

export interface ApiContext {
  config: Config;
  files: FileStore;
  uploads: UploadStore;
  media: Media;
  metrics?: Metrics;
}

/**
 * The base URL clients reach this server by, for File.uri and upload URLs. Never an arbitrary Host header
 * (a forged `Host: attacker.example` would otherwise send the caller's next upload elsewhere):
 * 1. `publicUrl` when configured — the setting to use behind a reverse proxy or load balancer
 *    (EARSHOT_PUBLIC_URL=https://audio.example.com): the proxy's address is what clients must use;
 * 2. else the request's Host when it is in `allowedHosts` (host or host:port, case-insensitive), for a
 *    server reached under several names without a proxy;
 * 3. else the address the connection actually reached (the socket's local address and port; `localhost`
 *    with that port is kept as the client wrote it).
 */
export function baseUrlOf(req: FastifyRequest, config: Config): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const allowed = (config as { allowedHosts?: readonly string[] }).allowedHosts;
  const host = (req.headers.host ?? '').toLowerCase();
  if (host && allowed?.some((h) => h.toLowerCase() === host || h.toLowerCase() === host.replace(/:\d+$/, ''))) {
    return `${req.protocol}://${host}`;
  }
  const socket = req.raw.socket;
  if (host === `localhost:${socket.localPort}`) return `${req.protocol}://${host}`;
  const address = socket.localAddress ?? config.host;
  const shown = address.startsWith('::ffff:') ? address.slice(7) : address;
  return `${req.protocol}://${shown.includes(':') ? `[${shown}]` : shown}:${socket.localPort ?? config.port}`;
}
