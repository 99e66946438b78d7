// POST /upload/v1beta/files: Google's upload protocols. Resumable (start → upload chunks at offsets →
// finalize, with query and cancel), multipart/related (metadata + media in one body) and plain media.
// Bodies are streamed straight to disk: this plugin registers no body parser.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { baseUrlOf, type ApiContext } from './context.js';
import { EarshotError } from '../domain/errors.js';
import { requireKey } from './auth.js';
import { parseLenientJson, toWireFile } from './wire.js';
import { boundaryOf, readRelated } from './multipart-related.js';
import type { UploadSession } from '../store/uploads.js';
import type { FileRecord } from '../store/files.js';

const CHUNK_GRANULARITY = 8 * 1024 * 1024;
const MAX_METADATA_BYTES = 1 << 20;

type Query = Record<string, string | undefined>;

export async function uploadRoutes(app: FastifyInstance, opts: { ctx: ApiContext }): Promise<void> {
  const { ctx } = opts;
  // a session URL (upload_id) is its own capability; everything else needs a key
  app.addHook(
    'onRequest',
    requireKey(
      () => ctx.config.apiKeys,
      (req) => Boolean((req.query as Query).upload_id),
    ),
  );
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  app.post('/files', async (req, reply) => {
    try {
      return await handleUpload(ctx, req, reply);
    } catch (err) {
      // Refused before the body was read to its end (too large, wrong offset, bad metadata): answer and
      // close the connection rather than read, and throw away, the rest of a possibly huge body.
      if (!req.raw.complete) reply.header('connection', 'close');
      throw err;
    }
  });
  // Google's classic resumable protocol (googleapiclient, used by the legacy google-generativeai
  // client): PUT the bytes to the session URL with Content-Range.
  app.put('/files', async (req, reply) => classicChunk(ctx, req, reply, (req.query as Query).upload_id ?? ''));
}

async function handleUpload(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const q = req.query as Query;
  if (q.upload_id) return continueSession(ctx, req, reply, q.upload_id);
  const project = req.project;
  const protocol = (header(req, 'x-goog-upload-protocol') ?? firstOf(q.uploadType ?? q.upload_type) ?? '').toLowerCase();
  const boundary = boundaryOf(req.headers['content-type']);
  if (protocol === 'resumable') return startSession(ctx, req, reply, project);
  if (protocol === 'multipart' || boundary) {
    if (!boundary) throw new EarshotError('API_UPLOAD_NEEDS_BOUNDARY');
    const parts = await readRelated(req.raw, boundary, MAX_METADATA_BYTES);
    const meta = readMetadata(parts.metadata.body);
    const session = await ctx.uploads.start(project, { ...meta, mimeType: meta.mimeType ?? parts.media.contentType });
    return finishWhole(ctx, req, reply, session, parts.media.stream);
  }
  if (protocol === '' || protocol === 'media' || protocol === 'raw') {
    const [mediaType = ''] = (req.headers['content-type'] ?? 'application/octet-stream').split(';'); // split yields at least one part
    const mimeType = mediaType.trim();
    const declared = contentLength(req);
    const session = await ctx.uploads.start(project, { mimeType, declaredSize: declared, displayName: null });
    return finishWhole(ctx, req, reply, session, req.raw);
  }
  throw new EarshotError('API_UPLOAD_UNKNOWN_PROTOCOL', { protocol: protocol.slice(0, 40) });
}

/** A query parameter given twice arrives as an array: the first one counts. */
function firstOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v.trim() : undefined;
}

function contentLength(req: FastifyRequest): number | null {
  const v = req.headers['content-length'];
  return v === undefined ? null : Number(v);
}

function parseSize(value: string | undefined, what: string): number | null {
  if (value === undefined || value === '') return null;
  if (!/^\d{1,16}$/.test(value)) throw new EarshotError('API_UPLOAD_BAD_SIZE', { what, value: value.slice(0, 40) });
  return Number(value);
}

async function readSmallBody(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new EarshotError('API_UPLOAD_METADATA_TOO_LARGE', { limit });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

interface UploadMetadata {
  fileId?: string;
  displayName?: string | null;
  mimeType?: string;
}

/** `{file: {name?, displayName|display_name?, mimeType?}}`, in strict or Google-lenient JSON; empty is fine. */
function readMetadata(raw: Buffer): UploadMetadata {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = parseLenientJson(text);
  } catch (e) {
    throw new EarshotError('API_UPLOAD_METADATA_JSON', { reason: (e as Error).message });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new EarshotError('API_UPLOAD_METADATA_NOT_OBJECT');
  const file = (parsed as Record<string, unknown>).file ?? {};
  if (typeof file !== 'object' || file === null) throw new EarshotError('API_UPLOAD_METADATA_FILE_NOT_OBJECT');
  const f = file as Record<string, unknown>;
  const str = (v: unknown, what: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new EarshotError('API_UPLOAD_METADATA_FIELD_TYPE', { field: what });
    return v;
  };
  const name = str(f.name, 'name');
  return {
    fileId: name ? name.replace(/^files\//, '') : undefined,
    displayName: str(f.displayName ?? f.display_name, 'displayName'),
    mimeType: str(f.mimeType ?? f.mime_type, 'mimeType'),
  };
}

function uploadUrl(req: FastifyRequest, ctx: ApiContext, id: string): string {
  return `${baseUrlOf(req, ctx.config)}/upload/v1beta/files?upload_id=${id}&upload_protocol=resumable`;
}

async function startSession(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply, project: string) {
  // the classic protocol (?uploadType=resumable, X-Upload-Content-*) starts without X-Goog headers
  const classic = !header(req, 'x-goog-upload-protocol') && !header(req, 'x-goog-upload-command');
  const command = classic ? 'start' : (header(req, 'x-goog-upload-command') ?? '').toLowerCase();
  if (command !== 'start') {
    throw new EarshotError('API_UPLOAD_START_COMMAND', { command: command.slice(0, 40) });
  }
  const meta = readMetadata(await readSmallBody(req.raw, MAX_METADATA_BYTES));
  const declared = parseSize(
    header(req, 'x-goog-upload-header-content-length') ?? header(req, 'x-upload-content-length'),
    'X-Goog-Upload-Header-Content-Length',
  );
  const mimeType =
    header(req, 'x-goog-upload-header-content-type') || header(req, 'x-upload-content-type') || meta.mimeType || 'application/octet-stream';
  const session = await ctx.uploads.start(project, { ...meta, mimeType, declaredSize: declared });
  const url = uploadUrl(req, ctx, session.id);
  reply.headers({
    location: url,
    'x-goog-upload-url': url,
    'x-goog-upload-control-url': url,
    'x-goog-upload-status': 'active',
    'x-goog-upload-chunk-granularity': String(CHUNK_GRANULARITY),
  });
  return reply.send('');
}

async function continueSession(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply, uploadId: string) {
  const session = /^[A-Za-z0-9_-]{1,64}$/.test(uploadId) ? await ctx.uploads.get(uploadId) : undefined;
  if (!session) throw new EarshotError('API_UPLOAD_SESSION_UNKNOWN', { id: uploadId.slice(0, 64) });
  const commands = new Set(
    (header(req, 'x-goog-upload-command') ?? '')
      .toLowerCase()
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const known = ['upload', 'finalize', 'query', 'cancel'];
  const unknown = [...commands].filter((c) => !known.includes(c));
  if (commands.size === 0 || unknown.length) {
    throw new EarshotError('API_UPLOAD_UNKNOWN_COMMAND', { commands: [...commands].join(', ').slice(0, 60) });
  }

  if (session.status !== 'active') {
    const headers = { 'x-goog-upload-status': session.status, 'x-goog-upload-size-received': String(session.received) };
    if (commands.has('query') && session.status === 'final') {
      reply.headers(headers);
      const rec = await ctx.files.getAny(session.project, session.fileId);
      return rec ? { file: toWireFile(rec, baseUrlOf(req, ctx.config)) } : '';
    }
    const facts = { uploadStatus: session.status, uploadSizeReceived: session.received };
    throw session.status === 'final'
      ? new EarshotError('API_UPLOAD_FINALIZED', undefined, { facts })
      : new EarshotError('API_UPLOAD_CANCELLED', undefined, { facts });
  }

  if (commands.has('query')) {
    await drain(req.raw);
    reply.headers({ 'x-goog-upload-status': 'active', 'x-goog-upload-size-received': String(session.received) });
    return reply.send('');
  }
  if (commands.has('cancel')) {
    await drain(req.raw);
    await ctx.uploads.cancel(session);
    reply.headers({ 'x-goog-upload-status': 'cancelled' });
    return reply.send('');
  }
  let current: UploadSession = session;
  if (commands.has('upload')) {
    const offset = parseSize(header(req, 'x-goog-upload-offset'), 'X-Goog-Upload-Offset');
    if (offset === null) throw new EarshotError('API_UPLOAD_NEEDS_OFFSET');
    current = await ctx.uploads.writeChunk(session, offset, req.raw);
    ctx.metrics?.uploadBytes.inc(current.received - offset);
  } else {
    await drain(req.raw);
  }
  if (commands.has('finalize')) {
    const rec = await ctx.uploads.finalize(current);
    return sendFinal(ctx, req, reply, rec);
  }
  reply.headers({ 'x-goog-upload-status': 'active', 'x-goog-upload-size-received': String(current.received) });
  return reply.send('');
}

/** A classic-protocol PUT: `Content-Range: bytes a-b/total` writes at a (finalizing at total), `bytes *\/total` asks. */
async function classicChunk(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply, uploadId: string) {
  const session = /^[A-Za-z0-9_-]{1,64}$/.test(uploadId) ? await ctx.uploads.get(uploadId) : undefined;
  if (!session || session.status !== 'active') throw new EarshotError('API_UPLOAD_SESSION_INACTIVE', { id: uploadId.slice(0, 64) });
  const range = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(header(req, 'content-range') ?? `bytes 0-0/${contentLength(req) ?? 0}`);
  if (!range) throw new EarshotError('API_UPLOAD_NEEDS_RANGE');
  let current = session;
  if (range[1] !== undefined) {
    current = await ctx.uploads.writeChunk(session, Number(range[1]), req.raw);
    ctx.metrics?.uploadBytes.inc(current.received - Number(range[1]));
  } else await drain(req.raw);
  if (range[3] !== '*' && current.received === Number(range[3])) return sendFinal(ctx, req, reply, await ctx.uploads.finalize(current));
  if (current.received > 0) reply.header('range', `bytes=0-${current.received - 1}`);
  return reply.code(308).send('');
}

async function finishWhole(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply, session: UploadSession, body: Readable) {
  try {
    const written = await ctx.uploads.writeChunk(session, 0, body);
    ctx.metrics?.uploadBytes.inc(written.received);
    const rec = await ctx.uploads.finalize(written);
    return sendFinal(ctx, req, reply, rec);
  } catch (err) {
    await ctx.uploads.cancel(session).catch(() => {});
    throw err;
  }
}

function sendFinal(ctx: ApiContext, req: FastifyRequest, reply: FastifyReply, rec: FileRecord) {
  ctx.media.fileCreated(rec);
  reply.headers({ 'x-goog-upload-status': 'final', 'x-goog-upload-size-received': String(rec.sizeBytes) });
  return { file: toWireFile(rec, baseUrlOf(req, ctx.config)) };
}

async function drain(body: Readable): Promise<void> {
  for await (const _ of body) {
    /* discard */
  }
}
