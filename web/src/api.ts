// The playground's client for Earshot's public HTTP API (the Gemini REST surface plus the :analysis extension),
// used exactly as any other client would: API key header, resumable uploads, SSE streaming.

export type FileState = 'STATE_UNSPECIFIED' | 'PROCESSING' | 'ACTIVE' | 'FAILED';

export interface RemoteFile {
  name: string;
  displayName?: string;
  mimeType?: string;
  sizeBytes?: string;
  createTime?: string;
  updateTime?: string;
  expirationTime?: string;
  sha256Hash?: string;
  uri?: string;
  state?: FileState;
  error?: { code?: number; message?: string };
}

// The analysis shapes are the server's own (type-only import: nothing of src/ is bundled).
export type { AudioAnalysis, SoundEvent, TranscriptSegment, Word } from '../../src/domain/analysis';
import type { AudioAnalysis } from '../../src/domain/analysis';

export interface AnalysisStatus {
  name: string;
  state: FileState;
  progress?: { stage: string; fraction: number };
  analysis?: AudioAnalysis;
}

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
      const res = await this.json<{ files?: RemoteFile[]; nextPageToken?: string }>(`/v1beta/files?${q}`);
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
  async ask(
    model: string,
    file: RemoteFile,
    question: string,
    onText: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const res = await fetch(`${this.base}/v1beta/models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      signal,
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({
        contents: [
          {
            role: 'user',
            parts: [{ fileData: { fileUri: file.uri, mimeType: file.mimeType } }, { text: question }],
          },
        ],
      }),
    });
    if (!res.ok) throw await errorFrom(res);
    if (!res.body) throw new ApiError('The answer stream had no body.', res.status);

    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const handleEvent = (event: string) => {
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!data || data === '[DONE]') return;
      const chunk = JSON.parse(data) as {
        candidates?: { content?: { parts?: { text?: string; thought?: boolean }[] } }[];
        error?: { message?: string };
      };
      if (chunk.error) throw new ApiError(chunk.error.message ?? 'The server reported an error mid-stream.', 500);
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (part.text && !part.thought) onText(part.text);
      }
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let at: number;
      while ((at = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const event = buffer.slice(0, at);
        buffer = buffer.slice(at).replace(/^\r?\n\r?\n/, '');
        handleEvent(event);
      }
    }
    if (buffer.trim()) handleEvent(buffer);
  }
}
