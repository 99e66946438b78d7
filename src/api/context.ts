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

/** The base URL clients reach this server by: the configured public URL, else the request's own host. */
export function baseUrlOf(req: FastifyRequest, config: Config): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.host}`;
}
