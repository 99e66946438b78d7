// A busy upload session (another request holds its lock) answers 503 UNAVAILABLE, which @google/genai retries
// when retries are on (its DEFAULT_RETRY_HTTP_STATUS_CODES: 408, 429, 5xx — not 400, not 409): the real SDK's
// upload meets a busy session, retries, and the file arrives whole. Real server, real SDK; the only thing
// added is the fetch the SDK is given, which makes the session busy just before the SDK's first chunk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { GoogleGenAI } from '@google/genai';
import { startServer, type Running } from '../e2e/harness.js';
import { tinyWav } from '../e2e/fuzz/tiny-wav.js';

const KEY = 'busy-key';
let server: Running;

before(async () => {
  server = await startServer({ offline: true, apiKeys: [KEY], engines: { speech: 'none', sounds: 'none', vad: 'none' } });
});
after(async () => server?.close());

/** Hold the session's lock: an upload chunk whose head is sent and whose body never comes (until released). */
async function holdSession(sessionUrl: string, size: number): Promise<() => void> {
  const u = new URL(sessionUrl);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.on('error', () => {});
  socket.on('data', () => {});
  socket.write(
    `POST ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nX-Goog-Upload-Command: upload, finalize\r\n` +
      `X-Goog-Upload-Offset: 0\r\nContent-Length: ${size}\r\n\r\n`,
  );
  // wait until the server has taken the lock: an empty chunk, accepted (200) on an idle session, is then refused
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const probe = await fetch(sessionUrl, {
      method: 'POST',
      headers: { 'x-goog-upload-command': 'upload', 'x-goog-upload-offset': '0' },
      body: new Uint8Array(0),
    });
    await probe.arrayBuffer();
    if (probe.status !== 200) return () => socket.destroy();
    await new Promise((r) => setTimeout(r, 50));
  }
  socket.destroy();
  throw new Error('the held chunk never took the session lock');
}

test('a chunk refused as busy is retried by @google/genai and the upload completes', async () => {
  const wav = tinyWav(0.5);
  const statuses: number[] = [];
  let release: (() => void) | undefined;
  const busyFirst: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const command = new Headers(init?.headers).get('x-goog-upload-command') ?? '';
    if (url.includes('upload_id=') && command.startsWith('upload') && statuses.length === 0) release = await holdSession(url, wav.length);
    const res = await fetch(input, init);
    if (url.includes('upload_id=')) {
      statuses.push(res.status);
      // the other writer finishes (here: gives up) while the SDK waits to retry
      release?.();
    }
    return res;
  };
  const ai = new GoogleGenAI({
    apiKey: KEY,
    httpOptions: { baseUrl: server.url, retryOptions: { attempts: 3, initialDelay: 0.3 }, fetch: busyFirst },
  });
  const file = await ai.files.upload({ file: new Blob([new Uint8Array(wav)], { type: 'audio/wav' }), config: { displayName: 'busy' } });
  assert.equal(statuses[0], 503, `first chunk answers: ${statuses.join(', ')}`);
  assert.equal(statuses.at(-1), 200, `statuses: ${statuses.join(', ')}`);
  assert.equal(file.sizeBytes, String(wav.length));
  assert.equal(Buffer.from(file.sha256Hash!, 'base64').toString('ascii'), createHash('sha256').update(wav).digest('hex'));
});
