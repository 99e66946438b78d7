// Issue 13 #9 and #10: what a client can learn or steer about the server. Upload URLs and File.uri never
// follow an arbitrary Host header (config publicUrl, else allowedHosts, else the address actually reached),
// and no error message reveals a file-system path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, type Running } from './harness.js';

let server: Running;
before(async () => {
  server = await startServer({ offline: true });
});
after(async () => server.close());

/** Start a resumable upload with a forged Host header (fetch cannot set Host, hence node:http). */
function startUpload(host: string): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        method: 'POST',
        path: '/upload/v1beta/files',
        headers: {
          host,
          'x-goog-api-key': 'host',
          'x-goog-upload-protocol': 'resumable',
          'x-goog-upload-command': 'start',
          'x-goog-upload-header-content-type': 'text/plain',
          'content-type': 'application/json',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.headers['x-goog-upload-url'])));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

function getFile(name: string, host: string): Promise<{ uri: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path: `/v1beta/${name}`, headers: { host, 'x-goog-api-key': 'host' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body) as { uri: string }));
      })
      .on('error', reject);
  });
}

test('a forged Host header steers neither the upload URL nor File.uri', async () => {
  const uploadUrl = await startUpload('attacker.example');
  assert.ok(uploadUrl.startsWith(`${server.url}/upload/v1beta/files?upload_id=`), uploadUrl);
  const done = await fetch(uploadUrl, {
    method: 'POST',
    headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' },
    body: 'some text',
  });
  const { file } = (await done.json()) as { file: { name: string; uri: string } };
  assert.ok(file.uri.startsWith(server.url), file.uri);
  const seen = await getFile(file.name, 'attacker.example:8080');
  assert.ok(seen.uri.startsWith(`${server.url}/v1beta/files/`), seen.uri);
});

test('a Host in allowedHosts is honoured; publicUrl wins over everything', async () => {
  const config = server.app.config as { allowedHosts?: string[]; publicUrl?: string };
  const before = { allowedHosts: config.allowedHosts, publicUrl: config.publicUrl };
  try {
    config.allowedHosts = ['audio.internal'];
    assert.ok((await startUpload('audio.internal:9000')).startsWith('http://audio.internal:9000/upload/'));
    assert.ok((await startUpload('evil.internal:9000')).startsWith(`${server.url}/upload/`));
    config.publicUrl = 'https://earshot.example.com/';
    assert.ok((await startUpload('audio.internal:9000')).startsWith('https://earshot.example.com/upload/v1beta/files?upload_id='));
  } finally {
    config.allowedHosts = before.allowedHosts;
    config.publicUrl = before.publicUrl;
  }
});

test('an undecodable inline clip is refused without naming any server path', async () => {
  const junk = Buffer.alloc(4096, 7).toString('base64');
  for (const method of ['countTokens', 'generateContent']) {
    const res = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:${method}`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'host', 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ inline_data: { mime_type: 'audio/wav', data: junk } }, { text: 'what is this?' }] }] }),
    });
    const body = (await res.json()) as { error: { code: number; message: string } };
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.ok(!body.error.message.includes(server.dataDir), body.error.message);
    assert.ok(!/file:|\/tmp\/|\/home\/|\/work\/|\/var\//.test(body.error.message), body.error.message);
  }
});
