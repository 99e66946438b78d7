// A small OpenAI-compatible transcription server for tests. It stands in for speaches / vLLM serving Whisper /
// LocalAI, none of which can run here (no model hub, no GPU). It is a real HTTP server: it parses the real
// multipart/form-data body (with undici's own parser), checks the fields the OpenAI API defines, reads the WAV,
// and answers in the verbose_json shape. It recognises no words: its "words" are the bursts of sound it finds
// in the audio it was sent (w1, w2, …, with their times in that audio), so a test can check where they land.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  path: string;
  authorization?: string;
  model: string;
  responseFormat: string;
  granularities: string[];
  language?: string;
  prompt?: string;
  fileName: string;
  fileType: string;
  sampleRate: number;
  seconds: number;
}

export type Behaviour =
  /** answer with words and segments */
  | 'words'
  /** answer with segments only (a server without word timestamps) */
  | 'segments'
  /** a status code with an OpenAI error body */
  | { status: number; message?: string }
  /** accept and never answer */
  | 'hang';

export interface TranscriptionServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  /** what the next requests get: shift() per request, the last one repeats */
  plan: Behaviour[];
  close(): Promise<void>;
}

/**
 * Bursts of sound: stretches between quiet runs (|x| < 0.002, about -54 dBFS) of at least 25 ms, bursts under
 * 50 ms dropped. Decided sample by sample, so the same sound gives the same burst whatever window it arrives in.
 */
export function bursts(pcm: Float32Array, sampleRate = 16_000): { start: number; end: number }[] {
  const minGap = Math.round(sampleRate * 0.025);
  const out: { start: number; end: number }[] = [];
  let burstStart = -1;
  let lastLoud = -1;
  for (let i = 0; i < pcm.length; i++) {
    if (Math.abs(pcm[i]) < 0.002) {
      if (burstStart >= 0 && i - lastLoud >= minGap) {
        out.push({ start: burstStart / sampleRate, end: (lastLoud + 1) / sampleRate });
        burstStart = -1;
      }
      continue;
    }
    if (burstStart < 0) burstStart = i;
    lastLoud = i;
  }
  if (burstStart >= 0) out.push({ start: burstStart / sampleRate, end: (lastLoud + 1) / sampleRate });
  return out.filter((b) => b.end - b.start >= 0.05).map((b) => ({ start: round(b.start), end: round(b.end) }));
}

const round = (t: number) => Math.round(t * 1000) / 1000;

/** Parse a 16-bit PCM mono WAV (the canonical 44-byte header encodeWav16 writes, chunks walked properly). */
function readWav(buf: Buffer): { sampleRate: number; pcm: Float32Array } {
  if (buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let at = 12;
  let sampleRate = 0;
  let channels = 0;
  let bits = 0;
  while (at + 8 <= buf.length) {
    const id = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(at + 10);
      sampleRate = buf.readUInt32LE(at + 12);
      bits = buf.readUInt16LE(at + 22);
    } else if (id === 'data') {
      if (channels !== 1 || bits !== 16) throw new Error(`expected 16-bit mono, got ${channels} ch ${bits} bit`);
      const n = Math.floor(size / 2);
      const pcm = new Float32Array(n);
      for (let i = 0; i < n; i++) pcm[i] = buf.readInt16LE(at + 8 + i * 2) / 32768;
      return { sampleRate, pcm };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

export async function startTranscriptionServer(plan: Behaviour[] = ['words'], port = 0): Promise<TranscriptionServer> {
  const seen: SeenRequest[] = [];
  const state = { plan };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void answer(req, Buffer.concat(chunks), res).catch((err: Error) => {
        if (!res.headersSent)
          res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: err.message, type: 'invalid_request_error' } }));
      });
    });
  });

  async function answer(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !req.url?.endsWith('/audio/transcriptions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const form = await new Request('http://stand-in/', {
      method: 'POST',
      headers: { 'content-type': String(req.headers['content-type']) },
      body: new Uint8Array(body),
    }).formData();
    const file = form.get('file');
    if (!(file instanceof File)) throw new Error('`file` must be a file part');
    const { sampleRate, pcm } = readWav(Buffer.from(await file.arrayBuffer()));
    const text = (k: string) => (typeof form.get(k) === 'string' ? (form.get(k) as string) : undefined);
    const model = text('model');
    if (!model) throw new Error('`model` is required');
    const request: SeenRequest = {
      path: req.url,
      authorization: req.headers.authorization,
      model,
      responseFormat: text('response_format') ?? 'json',
      granularities: form.getAll('timestamp_granularities[]').map(String),
      language: text('language'),
      prompt: text('prompt'),
      fileName: file.name,
      fileType: file.type,
      sampleRate,
      seconds: pcm.length / sampleRate,
    };
    seen.push(request);
    const behaviour = state.plan.length > 1 ? state.plan.shift()! : state.plan[0];
    if (behaviour === 'hang') return; // never answers; the client must give up
    if (typeof behaviour === 'object') {
      res.writeHead(behaviour.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: behaviour.message ?? `status ${behaviour.status}`, type: 'server_error' } }));
      return;
    }
    if (request.responseFormat !== 'verbose_json') throw new Error('this stand-in answers verbose_json only');
    const found = bursts(pcm, sampleRate);
    const words = found.map((b, i) => ({ word: ` w${i + 1}`, start: b.start, end: b.end, probability: 0.9 }));
    // one segment per run of bursts closer than 0.6 s, as Whisper cuts at pauses
    const segments: { id: number; start: number; end: number; text: string }[] = [];
    let from = 0;
    for (let i = 1; i <= words.length; i++) {
      if (i === words.length || words[i].start - words[i - 1].end > 0.6) {
        const part = words.slice(from, i);
        segments.push({
          id: segments.length,
          start: part[0].start,
          end: part[part.length - 1].end,
          text: part.map((w) => w.word).join(''),
        });
        from = i;
      }
    }
    const wantWords = behaviour === 'words' && request.granularities.includes('word');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        task: 'transcribe',
        language: request.language === 'de' ? 'german' : 'english',
        duration: request.seconds,
        text: words
          .map((w) => w.word)
          .join('')
          .trim(),
        segments,
        ...(wantWords ? { words } : {}),
      }),
    );
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/v1`,
    port: actual,
    seen,
    get plan() {
      return state.plan;
    },
    set plan(p: Behaviour[]) {
      state.plan = p;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
