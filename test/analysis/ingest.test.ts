// The ingest service and the queue against a full disk (issue 13 #1), on real stores, a real worker and
// real audio. The disk-full condition is injected at the one write that fails (SQLite's SQLITE_FULL, as
// better-sqlite3 raises it): a real full disk cannot be aimed at one statement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { openDatabase } from '../../src/store/database.js';
import { BlobStore } from '../../src/store/blobs.js';
import { FileStore } from '../../src/store/files.js';
import { AnalysisStore } from '../../src/store/analyses.js';
import { UploadStore } from '../../src/store/uploads.js';
import { resolveConfig } from '../../src/config.js';
import { createMedia } from '../../src/analysis/media.js';
import { Readable } from 'node:stream';
import { SPEECH_DIR, tempDir } from '../helpers.js';

const sqliteFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

async function setup() {
  const tmp = tempDir('earshot-ingest-');
  const config = resolveConfig({
    dataDir: tmp.dir,
    offline: true,
    modelsDir: path.join(tmp.dir, 'models'),
    engines: { speech: 'none', sounds: 'none', vad: 'none' },
  });
  const db = openDatabase(tmp.dir);
  const blobs = new BlobStore(tmp.dir);
  await blobs.init();
  const analyses = new AnalysisStore(db, { shareAcrossProjects: false });
  const files = new FileStore(db, blobs, analyses);
  const uploads = new UploadStore(db, blobs, files, config.limits);
  const media = createMedia({ config, files, blobs, analyses, logger: pino({ level: 'silent' }), retryMs: 50 });
  const upload = async (bytes: Buffer, mimeType: string) => {
    const s = await uploads.start('p', { mimeType });
    return uploads.finalize(await uploads.writeChunk(s, 0, Readable.from([bytes])));
  };
  const done = async () => {
    await media.close();
    db.close();
    tmp.cleanup();
  };
  return { files, analyses, media, upload, done };
}

function watchUnhandled() {
  const seen: unknown[] = [];
  const on = (e: unknown) => seen.push(e);
  process.on('unhandledRejection', on);
  return { seen, stop: () => process.off('unhandledRejection', on) };
}

test('a file settling while the database is full stays PROCESSING, then settles once space is freed', async () => {
  const { files, media, upload, done } = await setup();
  const unhandled = watchUnhandled();
  try {
    const realSetState = files.setState.bind(files);
    let refusals = 0;
    files.setState = (...args) => {
      if (refusals < 3) {
        refusals++;
        throw sqliteFull();
      }
      return realSetState(...args);
    };
    const rec = await upload(Buffer.from('plain text, settles at once'), 'text/plain');
    media.fileCreated(rec);
    const settled = await media.settled(rec, 10_000);
    assert.equal(refusals, 3, 'the state write met the full disk three times');
    assert.equal(settled.state, 'ACTIVE', 'and succeeded once it had room');
    assert.deepEqual(unhandled.seen, []);
  } finally {
    unhandled.stop();
    await done();
  }
});

test("the queue's result write failing (full disk) neither throws in the worker's message handler nor loses the answer", async () => {
  const { analyses, media, upload, done } = await setup();
  const unhandled = watchUnhandled();
  try {
    let refused = 0;
    analyses.complete = () => {
      refused++;
      throw sqliteFull();
    };
    const bytes = readFileSync(path.join(SPEECH_DIR, 'jfk.wav'));
    const rec = await upload(bytes, 'audio/wav');
    media.fileCreated(rec);
    const settled = await media.settled(rec, 60_000);
    assert.equal(refused, 1);
    assert.equal(settled.state, 'ACTIVE');
    const analysis = await media.analysisOf(settled);
    assert.ok(analysis.durationSec > 10, 'the analysis is served from memory');
    assert.equal(rec.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual(unhandled.seen, []);
  } finally {
    unhandled.stop();
    await done();
  }
});
