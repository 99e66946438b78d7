// POST /v1/audio/transcriptions and /v1/audio/translations, as OpenAI's API and the self-hosted Whisper servers
// speak them: multipart/form-data in, any of OpenAI's response formats out, OpenAI's error shape. The audio goes
// through the same content-addressed analysis as Gemini's inline audio, so a file already analysed for this
// project is answered from the stored analysis without being analysed again; `language`, `prompt` and translation
// are hints, answered from the analysis made with them (computed once, its speech alone re-run).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { ApiContext } from '../context.js';
import { respondOptions } from '../respond.js';
import { EarshotError } from '../../domain/errors.js';
import { isAudioError } from '../../audio/errors.js';
import { readAudioForm, OPENAI_MAX_FILE_BYTES, type AudioTask } from './form.js';
import { buildAnswer, formHints, formNotices, streamEvents } from './answers.js';
import { openaiErrorHandler, openaiProjectOf, toOpenAiError } from './wire-errors.js';

async function answer(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply, task: AudioTask): Promise<unknown> {
  const form = await readAudioForm(req, task);
  const hints = formHints(form, task);
  let analysis: Awaited<ReturnType<ApiContext['media']['inline']>>['analysis'];
  try {
    ({ analysis } = await ctx.media.inline(form.file.bytes, form.file.mimeType, req.project, hints));
  } catch (err) {
    if (isAudioError(err))
      throw new EarshotError('OPENAI_FILE_UNREADABLE', { reason: err.message }, { cause: err, facts: { param: 'file' } });
    throw err;
  }
  const notices = formNotices(analysis, form);
  if (notices.length) reply.header('x-earshot-notice', notices.join(' '));
  if (form.stream) {
    // built before the response starts, so a refusal is still an HTTP error
    const events = streamEvents(analysis, form, task);
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-request-id': String(req.id),
      ...(notices.length ? { 'x-earshot-notice': notices.join(' ') } : {}),
    });
    for (const e of events) reply.raw.write(`data: ${JSON.stringify(e)}\n\n`);
    reply.raw.end();
    return reply;
  }
  const out = buildAnswer(analysis, form, task);
  reply.type(out.contentType);
  if (typeof out.body === 'string') return reply.serializer((b: string) => b).send(out.body);
  return reply.serializer(JSON.stringify).send(out.body);
}

/** The plugin, mounted at /v1/audio beside (not inside) the Gemini API versions, with its own auth and errors. */
export async function openaiAudioRoutes(app: FastifyInstance, opts: { ctx: ApiContext }): Promise<void> {
  const { ctx } = opts;
  const errorOptions = () => ({ ...respondOptions(ctx), maxFileBytes: OPENAI_MAX_FILE_BYTES });
  app.setErrorHandler(openaiErrorHandler(errorOptions));
  app.setNotFoundHandler((req, reply) => {
    const out = toOpenAiError(
      new EarshotError('API_NO_ROUTE', { method: req.method, path: req.url.split('?')[0]!.slice(0, 200) }),
      errorOptions(),
    );
    reply.code(out.httpStatus).type('application/json; charset=utf-8').serializer(JSON.stringify).send(out.body);
  });
  // the key is checked before the body is read, as on the Gemini routes
  app.addHook('onRequest', (req, _reply, done) => {
    try {
      req.project = openaiProjectOf(req, ctx.config.apiKeys);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  await app.register(multipart, {
    limits: { fileSize: OPENAI_MAX_FILE_BYTES, files: 4, fields: 32, parts: 40, fieldSize: 1024 * 1024 },
    throwFileSizeLimit: true,
  });
  app.post('/transcriptions', async (req, reply) => answer(ctx, req, reply, 'transcribe'));
  app.post('/translations', async (req, reply) => answer(ctx, req, reply, 'translate'));
}
