// The HTTP server: Fastify with Google's error shape for every failure, the API resources mounted
// under each API version Gemini clients use (authenticated by one hook), and the upload endpoints beside them.

import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ApiContext } from './context.js';
import { filesRoutes, splitMethod } from './files.js';
import { uploadRoutes } from './upload.js';
import { discoveryRoutes } from './discovery.js';
import { getModel, modelsRoutes } from './models.js';
import { projectOf, requireKey } from './auth.js';
import { observeRequests, type Metrics } from './ops.js';
import { respondOptions, toWire } from './respond.js';
import { MAX_PARAM_LENGTH, answerOutsideRoutes, clientErrorHandler, dropSlowBodies, frameworkErrors, logRequests } from './transport.js';
import { lingerOnEarlyAnswers } from './linger.js';
import { EarshotError } from '../domain/errors.js';
import { ajvOptions, geminiSchemaError, modelMethodBody, nameParams } from './schemas.js';
import { camelizeRequest } from './wire.js';
import { openaiAudioRoutes } from './openai/routes.js';

/** Handlers of POST /models/{model}:{method} (generateContent, streamGenerateContent, countTokens). */
export type ModelMethods = Record<
  string,
  (args: { model: string; req: FastifyRequest; reply: FastifyReply; project: string }) => Promise<unknown>
>;

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
    // one line per request, written by logRequests with secrets redacted
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.limits.maxRequestBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    trustProxy: false,
    // long ids reach our handlers (which answer in Google's shape); longer ones get API_NAME_TOO_LONG
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
    // route schemas are checked by Fastify's Ajv and their failures worded as Gemini words them
    ajv: ajvOptions,
    schemaErrorFormatter: geminiSchemaError,
    // on close: idle keep-alive sockets go at once, requests in flight (an upload chunk) may finish
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  app.decorateRequest('project', '');

  logRequests(app);
  dropSlowBodies(app);
  // an early answer (a 4xx before the body was read) reaches a client that writes its whole body first
  lingerOnEarlyAnswers(app);
  answerOutsideRoutes(app);
  if (opts.metrics) observeRequests(app, opts.metrics);
  const respond = respondOptions(ctx);
  app.setErrorHandler((err, req, reply) => {
    const wire = toWire(err, respond);
    if (wire.unexpected || wire.httpStatus >= 500) req.log.error({ err }, 'request failed');
    else req.log.debug({ status: wire.body.error.status, message: wire.body.error.message }, 'request refused');
    reply.headers(wire.headers);
    reply.code(wire.httpStatus).type('application/json; charset=UTF-8').serializer(JSON.stringify).send(wire.body);
  });
  app.setNotFoundHandler((req) => {
    throw new EarshotError('API_NO_ROUTE', { method: req.method, path: req.url.split('?')[0]!.slice(0, 200) });
  });
  // /metrics is open unless metricsRequireKey is set (then any accepted key may read it): the figures are
  // aggregate counts, but a deployment exposed beyond its operators may want them closed.
  const metricsRequireKey = () => (ctx.config as { metricsRequireKey?: boolean }).metricsRequireKey === true;
  app.addHook('onRequest', (req, _reply, done) => {
    if (!metricsRequireKey() || req.url.split('?')[0] !== '/metrics') return done();
    try {
      projectOf(req, ctx.config.apiKeys);
      done();
    } catch (err) {
      done(err as Error);
    }
  });

  // An empty body on a body-less method is no body, not bad JSON: the legacy google-generativeai client sends
  // DELETE with Content-Type: application/json and nothing after it.
  app.addHook('onRequest', (req, _reply, done) => {
    if (
      (req.method === 'DELETE' || req.method === 'GET') &&
      (req.headers['content-length'] ?? '0') === '0' &&
      !req.headers['transfer-encoding']
    ) {
      delete req.headers['content-type'];
    }
    done();
  });

  const authenticate = requireKey(() => ctx.config.apiKeys);
  for (const version of API_VERSIONS) {
    await app.register(
      async (api) => {
        api.addHook('onRequest', authenticate);
        await api.register(filesRoutes, { ctx });
        await api.register(modelsRoutes, { ctx });
        api.get<{ Params: { name: string } }>('/models/:name', { schema: { params: nameParams } }, async (req) =>
          getModel(req.params.name, ctx),
        );
        const methodRoute = {
          schema: { params: nameParams, body: modelMethodBody },
          // one spelling (camelCase) for the schema and the readers; refuses over-deep bodies first
          preValidation: (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
            try {
              req.body = camelizeRequest(req.body);
              done();
            } catch (err) {
              done(err as Error);
            }
          },
        };
        api.post<{ Params: { name: string } }>('/models/:name', methodRoute, async (req, reply) => {
          const [model, method] = splitMethod(req.params.name);
          const handler = method ? opts.modelMethods[method] : undefined;
          if (!handler) throw new EarshotError('API_UNKNOWN_MODEL_METHOD', { method: method ?? '', model });
          return handler({ model, req, reply, project: req.project });
        });
      },
      { prefix: `/${version}` },
    );
    await app.register(uploadRoutes, { prefix: `/upload/${version}`, ctx });
  }
  // OpenAI's /v1/audio/transcriptions and /translations: own auth (Bearer), multipart parser and error shape
  await app.register(openaiAudioRoutes, { prefix: '/v1/audio', ctx });
  await app.register(discoveryRoutes, { ctx });
  for (const extra of opts.extras ?? []) await app.register(extra);
  return app;
}
