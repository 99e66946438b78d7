// Reading an OpenAI audio request off its multipart/form-data body (@fastify/multipart): the audio `file` into
// memory (bounded by OpenAI's 25 MB), the scalar fields checked with OpenAI's parameter names, and the
// `timestamp_granularities[]` list as the openai clients repeat it.

import type { FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { EarshotError, isEarshotError } from '../../domain/errors.js';

/** OpenAI's upload limit for /v1/audio/* (25 MB); the bytes are held in memory while they are probed. */
export const OPENAI_MAX_FILE_BYTES = 25 * 1024 * 1024;

export const TRANSCRIPTION_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt', 'diarized_json'] as const;
export const TRANSLATION_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
export type ResponseFormat = (typeof TRANSCRIPTION_FORMATS)[number];
export type Granularity = 'word' | 'segment';

export interface AudioForm {
  file: { bytes: Buffer; filename: string; mimeType: string };
  model: string;
  language?: string;
  prompt?: string;
  responseFormat: ResponseFormat;
  /** as asked; empty when the field was not sent */
  granularities: Set<Granularity>;
  temperature?: number;
  stream: boolean;
}

export type AudioTask = 'transcribe' | 'translate';

/** OpenAI's file types by extension, for clients that send application/octet-stream (the bytes still decide). */
const EXTENSION_MIME: Record<string, string> = {
  flac: 'audio/flac',
  mp3: 'audio/mp3',
  mpga: 'audio/mp3',
  mpeg: 'audio/mp3',
  mp4: 'audio/mp4',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  webm: 'audio/webm',
  aac: 'audio/aac',
  aiff: 'audio/aiff',
};

function mimeOf(filename: string, declared: string): string {
  const bare = declared.split(';', 1)[0]!.trim().toLowerCase();
  if (bare && bare !== 'application/octet-stream') return bare;
  const ext = /\.([a-z0-9]{2,5})$/i.exec(filename)?.[1]?.toLowerCase();
  return (ext && EXTENSION_MIME[ext]) || 'application/octet-stream';
}

const bad = (field: string, value: string, allowed: readonly string[]) =>
  new EarshotError('OPENAI_BAD_VALUE', { field, value: value.slice(0, 64), allowed: allowed.join(', ') }, { facts: { param: field } });

const SCALARS = new Set(['model', 'language', 'prompt', 'response_format', 'temperature', 'stream']);
const LISTS = new Set(['timestamp_granularities[]', 'timestamp_granularities']);

/** Read and check the form; `task` decides which fields and formats apply (translations take no language). */
export async function readAudioForm(req: FastifyRequest, task: AudioTask): Promise<AudioForm> {
  if (!req.isMultipart()) throw new EarshotError('OPENAI_NOT_MULTIPART', { type: String(req.headers['content-type'] ?? '').slice(0, 100) });
  const fields = new Map<string, string>();
  const lists: string[] = [];
  let file: AudioForm['file'] | undefined;
  try {
    for await (const part of req.parts() as AsyncIterable<Multipart>) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          await part.toBuffer(); // drained, ignored: OpenAI takes one file field
          continue;
        }
        if (file) throw new EarshotError('OPENAI_FIELD_TWICE', { field: 'file' }, { facts: { param: 'file' } });
        file = { bytes: await part.toBuffer(), filename: part.filename, mimeType: mimeOf(part.filename, part.mimetype) };
        continue;
      }
      const value = typeof part.value === 'string' ? part.value : String(part.value);
      if (LISTS.has(part.fieldname))
        lists.push(
          ...value
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean),
        );
      else if (SCALARS.has(part.fieldname)) {
        if (fields.has(part.fieldname))
          throw new EarshotError('OPENAI_FIELD_TWICE', { field: part.fieldname }, { facts: { param: part.fieldname } });
        fields.set(part.fieldname, value);
      } else if (part.fieldname === 'file') throw new EarshotError('OPENAI_FIELD_MISSING', { field: 'file' }, { facts: { param: 'file' } });
    }
  } catch (err) {
    if (isEarshotError(err) || (err as { code?: string }).code?.startsWith('FST_')) throw err;
    // busboy's own complaints about the body's framing
    throw new EarshotError('OPENAI_FORM_MALFORMED', { reason: String((err as Error).message ?? err).slice(0, 200) }, { cause: err });
  }

  if (!file) throw new EarshotError('OPENAI_FIELD_MISSING', { field: 'file' }, { facts: { param: 'file' } });
  const model = fields.get('model')?.trim();
  if (!model) throw new EarshotError('OPENAI_FIELD_MISSING', { field: 'model' }, { facts: { param: 'model' } });

  const formats: readonly string[] = task === 'translate' ? TRANSLATION_FORMATS : TRANSCRIPTION_FORMATS;
  const responseFormat = (fields.get('response_format') || 'json') as ResponseFormat;
  if (!formats.includes(responseFormat)) throw bad('response_format', responseFormat, formats);

  const granularities = new Set<Granularity>();
  for (const g of lists) {
    if (task === 'translate') break;
    if (g !== 'word' && g !== 'segment') throw bad('timestamp_granularities', g, ['word', 'segment']);
    granularities.add(g);
  }
  if (granularities.size && responseFormat !== 'verbose_json') {
    throw new EarshotError(
      'OPENAI_GRANULARITIES_NEED_VERBOSE',
      { format: responseFormat },
      { facts: { param: 'timestamp_granularities' } },
    );
  }

  let temperature: number | undefined;
  const t = fields.get('temperature');
  if (t !== undefined && t !== '') {
    temperature = Number(t);
    if (!Number.isFinite(temperature) || temperature < 0 || temperature > 1) {
      throw new EarshotError(
        'OPENAI_BAD_NUMBER',
        { field: 'temperature', value: t.slice(0, 32), min: 0, max: 1 },
        { facts: { param: 'temperature' } },
      );
    }
  }

  const language = task === 'transcribe' ? fields.get('language')?.trim() || undefined : undefined;
  if (language && !/^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$/i.test(language))
    throw bad('language', language, ['an ISO-639-1 code such as en, es, de']);

  const s = fields.get('stream')?.trim().toLowerCase();
  if (s !== undefined && s !== '' && s !== 'true' && s !== 'false') throw bad('stream', s, ['true', 'false']);
  const stream = s === 'true';
  if (stream && !['json', 'text', 'diarized_json'].includes(responseFormat)) {
    throw new EarshotError('OPENAI_STREAM_FORMAT', { format: responseFormat }, { facts: { param: 'stream' } });
  }

  return { file, model, language, prompt: fields.get('prompt') || undefined, responseFormat, granularities, temperature, stream };
}
