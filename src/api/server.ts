// The HTTP server: Fastify with Google's error shape for every failure, the API resources mounted
// under each API version Gemini clients use, and the upload endpoints beside them.

import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ApiContext } from './context.js';
import { ApiError, invalidArgument } from './errors.js';
import { filesRoutes, splitMethod } from './files.js';
import { uploadRoutes } from './upload.js';
import { getModel, modelsRoutes } from './models.js';
import { projectOf } from './auth.js';
import { observeRequests, type Metrics } from './ops.js';

/** Handlers of POST /models/{model}:{method} (generateContent, streamGenerateContent, countTokens). */
export type ModelMethods = Record<string, (args: { model: string; req: import('fastify').FastifyRequest; reply: import('fastify').FastifyReply; project: string }) => Promise<unknown>>;

export interface ServerOptions {
  ctx: ApiContext;
  logger: Logger;
  modelMethods: ModelMethods;
  metrics?: Metrics;
  /** extra plugins mounted at the root (playground, metrics, health) */
  extras?: ((app: FastifyInstance) => Promise<void>)[];
}

export const API_VERSIONS = ['v1beta', 'v1', 'v1alpha'] as const;

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { ctx } = opts;
  const app: FastifyInstance = Fastify({
    loggerInstance: opts.logger as unknown as import('fastify').FastifyBaseLogger,
    bodyLimit: ctx.config.limits.maxRequestBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    trustProxy: false,
    // long ids reach our handlers (which answer in Google's shape) instead of the router's own 414
    routerOptions: { maxParamLength: 4096 },
    // on close: idle keep-alive sockets go at once, requests in flight (an upload chunk) may finish
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });

  if (opts.metrics) observeRequests(app, opts.metrics);
  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    const apiErr = toApiError(err, ctx.config.limits.maxRequestBytes);
    if (apiErr.httpCode >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ status: apiErr.status, message: apiErr.message }, 'request refused');
    if (apiErr.headers) reply.headers(apiErr.headers);
    reply.code(apiErr.httpCode).type('application/json; charset=UTF-8').serializer(JSON.stringify).send(apiErr.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(new ApiError('NOT_FOUND', `No route for ${req.method} ${req.url.split('?')[0]}.`).toJSON());
  });

  for (const version of API_VERSIONS) {
    await app.register(
      async (api) => {
        await api.register(filesRoutes, { ctx });
        await api.register(modelsRoutes, { ctx });
        api.get<{ Params: { name: string } }>('/models/:name', async (req) => {
          projectOf(req, ctx.config.apiKeys);
          return getModel(req.params.name, ctx);
        });
        api.post<{ Params: { name: string } }>('/models/:name', async (req, reply) => {
          const project = projectOf(req, ctx.config.apiKeys);
          const [model, method] = splitMethod(req.params.name);
          const handler = method ? opts.modelMethods[method] : undefined;
          if (!handler) throw new ApiError('NOT_FOUND', `Unknown method "${method ?? ''}" on models/${model}: use generateContent, streamGenerateContent or countTokens.`);
          return handler({ model, req, reply, project });
        });
      },
      { prefix: `/${version}` },
    );
    await app.register(uploadRoutes, { prefix: `/upload/${version}`, ctx });
  }
  for (const extra of opts.extras ?? []) await app.register(extra);
  return app;
}

function toApiError(err: FastifyError | ApiError, maxRequestBytes: number): ApiError {
  if (err instanceof ApiError) return err;
  const code = (err as FastifyError).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return invalidArgument(
      `Request payload size exceeds the limit: ${maxRequestBytes} bytes. Upload large audio with the Files API (POST /upload/v1beta/files) and refer to it with fileData instead of sending it inline.`,
    );
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return invalidArgument(`Unsupported Content-Type: send the request body as application/json.`);
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return invalidArgument('The request body is empty; send a JSON object.');
  if (err instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return invalidArgument(`Invalid JSON payload received. ${err.message}`);
  }
  if ((err as FastifyError).validation) return invalidArgument(`Invalid request: ${err.message}`);
  const status = (err as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) return invalidArgument(err.message);
  return new ApiError('INTERNAL', 'Internal error encountered.');
}
