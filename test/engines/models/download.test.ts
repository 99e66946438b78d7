// The model downloader against a real HTTP server on 127.0.0.1: it stands in for huggingface.co / GitHub, which this
// machine cannot reach. Everything else is real: sockets, Range requests, interrupted transfers, files, hashes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pullModel, verifyModel, listModels, ModelError, type PullProgress } from '../../../src/engines/models/download.js';
import { findModel, LLM_MODELS, SPEAKER_MODELS, WHISPER_MODELS, type ModelEntry } from '../../../src/engines/models/catalogue.js';
import { tinyWhisperModelPath } from '../../fixtures/tiny-whisper.js';
import { tempDir, YAMNET_DIR } from '../../helpers.js';

const payload = randomBytes(3 * 1024 * 1024 + 123);
const sha256 = createHash('sha256').update(payload).digest('hex');
const whisperBytes = readFileSync(tinyWhisperModelPath({ seed: 3, audioCtx: 375 }));
const requests: { url: string; range?: string }[] = [];
let cutNext = false;
let server: http.Server;
let base: string;
const tmp = tempDir('earshot-models-');

before(async () => {
  server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', range: req.headers.range });
    const body = req.url === '/model.bin' ? payload : req.url === '/ggml-tiny-test.bin' ? whisperBytes : undefined;
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416).end();
        return;
      }
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    if (cutNext) {
      // send about half, then drop the connection as a flaky network would
      cutNext = false;
      res.write(body.subarray(start, start + Math.floor((body.length - start) / 2)), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  tmp.cleanup();
});

function entry(over: Partial<ModelEntry> = {}): ModelEntry {
  return {
    name: 'test-model',
    kind: 'llm',
    file: 'model.bin',
    url: `${base}/model.bin`,
    sha256,
    approxBytes: payload.length,
    description: 'test',
    ...over,
  };
}

test('downloads with progress, verifies, renames into place, and does not download twice', async () => {
  const dir = path.join(tmp.dir, 'a');
  const progress: PullProgress[] = [];
  const before = requests.length;
  const file = await pullModel(entry(), { modelsDir: dir, onProgress: (p) => progress.push(p) });
  assert.equal(file, path.join(dir, 'model.bin'));
  assert.ok(readFileSync(file).equals(payload));
  assert.equal(existsSync(`${file}.part`), false);
  assert.equal(requests.length, before + 1);
  assert.equal(progress.at(-1)?.received, payload.length);
  assert.equal(progress.at(-1)?.total, payload.length);
  assert.ok(progress.every((p, i) => i === 0 || p.received >= progress[i - 1].received));
  await pullModel(entry(), { modelsDir: dir });
  assert.equal(requests.length, before + 1, 'an installed, verified model is not fetched again');
});

test('an interrupted download leaves a .part file and the next pull resumes it with a Range request', async () => {
  const dir = path.join(tmp.dir, 'b');
  cutNext = true;
  await assert.rejects(pullModel(entry(), { modelsDir: dir }), (e: Error) => e instanceof ModelError && /again to resume/.test(e.message));
  const partSize = statSync(path.join(dir, 'model.bin.part')).size;
  assert.ok(partSize > 0 && partSize < payload.length, `partial ${partSize}`);
  const progress: PullProgress[] = [];
  const file = await pullModel(entry(), { modelsDir: dir, onProgress: (p) => progress.push(p) });
  assert.equal(requests.at(-1)?.range, `bytes=${partSize}-`);
  assert.equal(progress[0].resumedFrom, partSize);
  assert.ok(readFileSync(file).equals(payload), 'resumed file is byte-identical');
  assert.equal(existsSync(`${file}.part`), false);
});

test('a checksum mismatch is reported and nothing is left installed', async () => {
  const dir = path.join(tmp.dir, 'c');
  const bad = entry({ sha256: 'ab'.repeat(32) });
  await assert.rejects(pullModel(bad, { modelsDir: dir }), /does not verify \(sha256 [0-9a-f]{64}, expected abab/);
  assert.equal(existsSync(path.join(dir, 'model.bin')), false);
  assert.equal(existsSync(path.join(dir, 'model.bin.part')), false);
});

test('404, unreachable host and --offline give errors that say what to do', async () => {
  const dir = path.join(tmp.dir, 'd');
  await assert.rejects(pullModel(entry({ url: `${base}/gone.bin` }), { modelsDir: dir }), /not found \(HTTP 404\).*place it at/);
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await assert.rejects(
    pullModel(entry({ url: `http://127.0.0.1:${port}/model.bin` }), { modelsDir: dir }),
    (e: Error) =>
      e instanceof ModelError &&
      e.message.includes(`cannot reach 127.0.0.1:${port}`) &&
      /offline\?/.test(e.message) &&
      e.message.includes(path.join(dir, 'model.bin')),
  );
  await assert.rejects(pullModel(entry(), { modelsDir: dir, offline: true }), /--offline forbids downloading.*place model\.bin/);
});

test('whisper models are also checked for structure; listModels tells installed from available', async () => {
  const dir = path.join(tmp.dir, 'e');
  const w: ModelEntry = {
    name: 'whisper-test',
    kind: 'whisper',
    file: 'ggml-tiny-test.bin',
    url: `${base}/ggml-tiny-test.bin`,
    bytes: whisperBytes.length,
    approxBytes: whisperBytes.length,
    description: 'test',
  };
  const file = await pullModel(w, { modelsDir: dir });
  assert.deepEqual(await verifyModel(w, file), { ok: true, checks: ['size', 'structure'] });
  const cut = path.join(dir, 'cut.bin');
  writeFileSync(cut, whisperBytes.subarray(0, whisperBytes.length - 1000));
  const v = await verifyModel({ ...w, bytes: undefined }, cut);
  assert.equal(v.ok, false);
  assert.match(v.problem ?? '', /truncated/);

  const base_en = findModel('base.en');
  assert.equal(base_en.name, 'whisper-base.en');
  writeFileSync(path.join(dir, base_en.file), 'x');
  writeFileSync(path.join(dir, 'ggml-tiny.bin.part'), Buffer.alloc(10));
  const listed = await listModels(dir);
  assert.equal(listed.length, WHISPER_MODELS.length + 1 /* yamnet */ + SPEAKER_MODELS.length + LLM_MODELS.length);
  assert.equal(listed.find((m) => m.entry.name === 'whisper-base.en')?.installed, true);
  assert.equal(listed.find((m) => m.entry.name === 'whisper-tiny')?.installed, false);
  assert.equal(listed.find((m) => m.entry.name === 'whisper-tiny')?.partialBytes, 10);
  assert.equal(listed.find((m) => m.entry.name === 'yamnet')?.installed, false);
});

test('the catalogue is consistent: unique names and files, https URLs, checksums well-formed', () => {
  const all = [...WHISPER_MODELS, findModel('yamnet')];
  assert.equal(new Set(all.map((m) => m.name)).size, all.length);
  assert.equal(new Set(all.map((m) => m.file)).size, all.length);
  for (const m of all) {
    assert.match(m.url, /^https:\/\//);
    if (m.sha1) assert.match(m.sha1, /^[0-9a-f]{40}$/);
    if (m.sha256) assert.match(m.sha256, /^[0-9a-f]{64}$/);
    assert.ok(m.approxBytes > 1e6);
  }
  assert.throws(() => findModel('whisper-huge'), /unknown model "whisper-huge"; known models: whisper-tiny/);
});

test('the shipped YAMNet file matches its catalogue entry', async () => {
  const y = findModel('yamnet');
  assert.deepEqual(await verifyModel(y, path.join(YAMNET_DIR, 'yamnet.tflite')), { ok: true, checks: ['size', 'sha256'] });
});
