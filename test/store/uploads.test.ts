// UploadStore and FileStore on a real SQLite database and disk: races between requests on one upload,
// and between committing bytes and deleting the last file that used the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { openDatabase } from '../../src/store/database.js';
import { BlobStore } from '../../src/store/blobs.js';
import { FileStore } from '../../src/store/files.js';
import { UploadStore } from '../../src/store/uploads.js';
import { defaultConfig } from '../../src/config.js';
import { isEarshotError } from '../../src/domain/errors.js';
import { AnalysisStore } from '../../src/store/analyses.js';
import { tempDir } from '../helpers.js';

async function stores() {
  const tmp = tempDir('earshot-store-');
  const db = openDatabase(tmp.dir);
  const blobs = new BlobStore(tmp.dir);
  await blobs.init();
  const files = new FileStore(db, blobs, new AnalysisStore(db, { shareAcrossProjects: false }));
  const uploads = new UploadStore(db, blobs, files, defaultConfig().limits);
  return { blobs, files, uploads, done: () => void db.close().then(() => tmp.cleanup()) };
}

const body = (s: string) => Readable.from([Buffer.from(s)]);

test('two finalizes racing on one upload: one file, one clear refusal', async () => {
  const { uploads, files, done } = await stores();
  try {
    const s = await uploads.start('p', { mimeType: 'text/plain', declaredSize: 5 });
    const written = await uploads.writeChunk(s, 0, body('hello'));
    const results = await Promise.allSettled([uploads.finalize(written), uploads.finalize(written)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 1);
    assert.equal(refused.length, 1);
    // the loser finds the session busy (a retryable 503) or, if it ran second, already final (400)
    const reason = refused[0].reason;
    assert.ok(isEarshotError(reason, 'UPLOAD_BUSY') || isEarshotError(reason, 'UPLOAD_FINALIZED'), String(reason));
    assert.equal((await files.list('p', 10)).files.length, 1);
    // and once final, a late finalize with the stale session is refused too
    await assert.rejects(uploads.finalize(written), /already been finalized/);
  } finally {
    done();
  }
});

test('deleting the last file while the same bytes are committed keeps the bytes for the new file', async () => {
  const { uploads, files, blobs, done } = await stores();
  try {
    const content = 'shared content';
    const sha = createHash('sha256').update(content).digest('hex');
    for (let round = 0; round < 20; round++) {
      const a = await uploads.start('p', { mimeType: 'text/plain' });
      const first = await uploads.finalize(await uploads.writeChunk(a, 0, body(content)));
      const b = await uploads.start('p', { mimeType: 'text/plain' });
      const bw = await uploads.writeChunk(b, 0, body(content));
      // vary which starts first, and how far the commit gets before the delete begins
      const delay = () => new Promise<void>((r) => (round % 3 === 0 ? r() : round % 3 === 1 ? setImmediate(r) : setTimeout(r, 1)));
      const [second] = await Promise.all([uploads.finalize(bw), delay().then(() => files.remove('p', first.id))]);
      assert.ok(existsSync(blobs.blobPath(sha)), `round ${round}: the new file's bytes exist`);
      await files.remove('p', second.id);
      assert.ok(!existsSync(blobs.blobPath(sha)), `round ${round}: gone with the last file`);
    }
  } finally {
    done();
  }
});

test('cancel removes the part; later writes are refused', async () => {
  const { uploads, blobs, done } = await stores();
  try {
    const s = await uploads.start('p', { mimeType: 'text/plain', declaredSize: 10 });
    await uploads.writeChunk(s, 0, body('12345'));
    assert.ok(existsSync(blobs.partPath(s.id)));
    await uploads.cancel(s);
    assert.ok(!existsSync(blobs.partPath(s.id)));
    await assert.rejects(uploads.writeChunk(s, 5, body('67890')), /cancelled/);
  } finally {
    done();
  }
});
