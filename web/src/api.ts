// The playground's client for Earshot's public HTTP API (the Gemini REST surface plus the :analysis extension),
// used exactly as any other client would: API key header, resumable uploads, SSE streaming.
// Gemini's wire types come from @google/genai and the analysis shapes from the server (type-only imports:
// nothing of either is bundled).
import type { Content, FileState, File as GeminiFile, GenerateContentResponse, ListFilesResponse } from '@google/genai';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { AudioAnalysis } from '../../src/domain/analysis';

export type { AudioAnalysis, SoundEvent, TranscriptSegment, Word } from '../../src/domain/analysis';

/** A file's state as JSON carries it (the SDK's FileState enum, by value). */
export type FileStateName = `${FileState}`;

/** A Gemini File as the server answers it: always named, its state as a plain string. */
export type RemoteFile = Omit<GeminiFile, 'name' | 'state'> & { name: string; state?: FileStateName };

export interface AnalysisStatus {
  name: string;
  state: FileStateName;
  progress?: { stage: string; fraction: number };
  analysis?: AudioAnalysis;
}

/** One chunk of the streamGenerateContent SSE stream (a GenerateContentResponse's data, or an error). */
type StreamChunk = Pick<GenerateContentResponse, 'candidates'> & { error?: { message?: string } };

/** An error answered by the server, carrying its message (Gemini error envelope) and HTTP status. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const CHUNK_BYTES = 8 * 1024 * 1024;

const EXT_TYPES: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  webm: 'audio/webm',
  aiff: 'audio/aiff',
  aif: 'audio/aiff',
};

/** The MIME type to declare for a local file: the browser's guess, else one from the extension. */
export function mimeTypeOf(file: File): string {
  if (file.type) return file.type;
  const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
  return EXT_TYPES[ext] ?? 'application/octet-stream';
}

/** "files/abc" → "abc" */
export function fileId(name: string): string {
  return name.startsWith('files/') ? name.slice('files/'.length) : name;
}

async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  return new ApiError(messageFrom(text, res.status, res.statusText), res.status);
}

function messageFrom(body: string, status: number, statusText: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } };
    if (parsed.error?.message) return hint(parsed.error.message, status);
  } catch {
    /* not JSON */
  }
  const text = body.trim().slice(0, 300);
  return hint(text || `HTTP ${status} ${statusText}`.trim(), status);
}

function hint(message: string, status: number): string {
  if (status === 401 || status === 403) return `${message} — check the API key at the top of the page.`;
  return message;
}

export class EarshotClient {
  constructor(
    private readonly getKey: () => string,
    private readonly base = '',
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const key = this.getKey();
    return key ? { 'x-goog-api-key': key, ...extra } : extra;
  }

  private async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const res = await fetch(this.base + path, { ...init, headers: this.headers(init.headers as Record<string, string>) });
    if (!res.ok) throw await errorFrom(res);
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  getFile(name: string): Promise<RemoteFile> {
    return this.json<RemoteFile>(`/v1beta/files/${encodeURIComponent(fileId(name))}`);
  }

  getAnalysis(name: string): Promise<AnalysisStatus> {
    return this.json<AnalysisStatus>(`/v1beta/files/${encodeURIComponent(fileId(name))}:analysis`);
  }

  async deleteFile(name: string): Promise<void> {
    await this.json<unknown>(`/v1beta/files/${encodeURIComponent(fileId(name))}`, { method: 'DELETE' });
  }

  /** Every file in the project, following nextPageToken (at most `maxPages` pages of 100). */
  async listFiles(maxPages = 20): Promise<RemoteFile[]> {
    const all: RemoteFile[] = [];
    let token = '';
    for (let page = 0; page < maxPages; page++) {
      const q = new URLSearchParams({ pageSize: '100' });
      if (token) q.set('pageToken', token);
      const res = await this.json<Pick<ListFilesResponse, 'nextPageToken'> & { files?: RemoteFile[] }>(`/v1beta/files?${q}`);
      all.push(...(res.files ?? []));
      token = res.nextPageToken ?? '';
      if (!token) break;
    }
    return all;
  }

  /**
   * Uploads with the resumable protocol the Gemini SDKs use: a `start` request that returns the upload URL,
   * then 8 MiB chunks, the last one with `upload, finalize`. `onProgress` gets bytes sent so far.
   */
  async upload(file: File, onProgress: (sent: number, total: number) => void, signal?: AbortSignal): Promise<RemoteFile> {
    const mimeType = mimeTypeOf(file);
    const start = await fetch(this.base + '/upload/v1beta/files', {
      method: 'POST',
      signal,
      headers: this.headers({
        'content-type': 'application/json',
        'x-goog-upload-protocol': 'resumable',
        'x-goog-upload-command': 'start',
        'x-goog-upload-header-content-length': String(file.size),
        'x-goog-upload-header-content-type': mimeType,
      }),
      body: JSON.stringify({ file: { displayName: file.name } }),
    });
    if (!start.ok) throw await errorFrom(start);
    const url = start.headers.get('x-goog-upload-url');
    if (!url) throw new ApiError('The server did not return an upload URL (X-Goog-Upload-URL header).', start.status);

    const total = file.size;
    let offset = 0;
    onProgress(0, total);
    for (;;) {
      const end = Math.min(offset + CHUNK_BYTES, total);
      const last = end >= total;
      const body = await this.sendChunk(url, file.slice(offset, end), offset, last, (loaded) => onProgress(offset + loaded, total), signal);
      offset = end;
      onProgress(offset, total);
      if (last) {
        const parsed = JSON.parse(body) as { file?: RemoteFile };
        if (!parsed.file) throw new ApiError('The finalize response had no file in it.', 200);
        return parsed.file;
      }
    }
  }

  private sendChunk(
    url: string,
    chunk: Blob,
    offset: number,
    last: boolean,
    onLoaded: (loaded: number) => void,
    signal?: AbortSignal,
  ): Promise<string> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      for (const [k, v] of Object.entries(
        this.headers({
          'x-goog-upload-command': last ? 'upload, finalize' : 'upload',
          'x-goog-upload-offset': String(offset),
        }),
      )) {
        xhr.setRequestHeader(k, v);
      }
      xhr.upload.onprogress = (e) => onLoaded(e.loaded);
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.responseText);
        else reject(new ApiError(messageFrom(xhr.responseText, xhr.status, xhr.statusText), xhr.status));
      };
      xhr.onerror = () => reject(new ApiError('The upload connection failed. Is the server still running?', 0));
      xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(chunk);
    });
  }

  /**
   * Asks a question about a file with streamGenerateContent over SSE; `onText` gets each piece of text
   * as it arrives. Resolves when the stream ends.
   */
  async ask(model: string, file: RemoteFile, question: string, onText: (text: string) => void, signal?: AbortSignal): Promise<void> {
    const res = await fetch(`${this.base}/v1beta/models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      signal,
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ contents: [userTurn(file, question)] }),
    });
    if (!res.ok) throw await errorFrom(res);
    if (!res.body) throw new ApiError('The answer stream had no body.', res.status);

    // Each SSE event's data is one JSON chunk; eventsource-parser does the framing (CRLF, multi-line data, comments).
    let failure: unknown;
    const parser = createParser({
      onEvent: (event: EventSourceMessage) => {
        if (failure !== undefined || !event.data || event.data === '[DONE]') return;
        try {
          handleChunk(JSON.parse(event.data) as StreamChunk, onText);
        } catch (err) {
          failure = err;
        }
      },
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
      if (failure !== undefined) {
        await reader.cancel().catch(() => undefined);
        throw failure;
      }
    }
    parser.reset({ consume: true });
    if (failure !== undefined) throw failure;
  }
}

/** The user turn asking `question` about `file`. */
function userTurn(file: RemoteFile, question: string): Content {
  return { role: 'user', parts: [{ fileData: { fileUri: file.uri, mimeType: file.mimeType } }, { text: question }] };
}

/** Passes a chunk's answer text (not thoughts) to `onText`; an error chunk becomes an ApiError. */
function handleChunk(chunk: StreamChunk, onText: (text: string) => void): void {
  if (chunk.error) throw new ApiError(chunk.error.message ?? 'The server reported an error mid-stream.', 500);
  for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
    if (part.text && !part.thought) onText(part.text);
  }
}
