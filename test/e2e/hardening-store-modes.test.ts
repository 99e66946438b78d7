// Issue 13 #13: data readable by other local users. The data dir (and its folders) must be 0700, the
// database (with its -wal/-shm) and every blob 0600, whatever the umask, and an older 0755 data dir is tightened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { startServer } from './harness.js';
import { tempDir } from '../helpers.js';

const mode = (p: string) => statSync(p).mode & 0o777;

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) walk(p, out);
  }
  return out;
}

test('data dir 0700, database and blobs 0600 under a permissive umask', async () => {
  const old = process.umask(0o022);
  const tmp = tempDir('earshot-modes-');
  const dataDir = path.join(tmp.dir, 'data');
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o755); // as an older version left it
  const server = await startServer({ offline: true, dataDir, engines: { speech: 'none', sounds: 'none', vad: 'none' } });
  try {
    const start = await fetch(`${server.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        'x-goog-api-key': 'modes',
        'x-goog-upload-protocol': 'resumable',
        'x-goog-upload-command': 'start',
        'x-goog-upload-header-content-type': 'text/plain',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ file: { displayName: 'secret notes' } }),
    });
    assert.equal(start.status, 200);
    const url = start.headers.get('x-goog-upload-url')!;
    // a first chunk (leaves a part file), then the rest
    let res = await fetch(url, {
      method: 'POST',
      headers: { 'x-goog-upload-command': 'upload', 'x-goog-upload-offset': '0' },
      body: 'private ',
    });
    assert.equal(res.status, 200);
    const part = readdirSync(path.join(dataDir, 'uploads'));
    assert.equal(part.length, 1);
    assert.equal(mode(path.join(dataDir, 'uploads', part[0]!)), 0o600, 'the part file');
    res = await fetch(url, {
      method: 'POST',
      headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '8' },
      body: 'words',
    });
    assert.equal(res.status, 200);

    assert.equal(mode(dataDir), 0o700, 'the data dir');
    const entries = walk(dataDir).filter((p) => !p.startsWith(path.join(dataDir, 'models')));
    const blobs = entries.filter((p) => p.includes(`${path.sep}blobs${path.sep}`) && statSync(p).isFile());
    assert.equal(blobs.length, 1, 'the uploaded blob exists');
    for (const p of entries) {
      const st = statSync(p);
      assert.equal(st.mode & 0o077, 0, `${path.relative(dataDir, p)} is ${(st.mode & 0o777).toString(8)}: others or the group can read it`);
    }
    for (const f of ['earshot.sqlite', 'earshot.sqlite-wal', 'earshot.sqlite-shm']) {
      if (entries.includes(path.join(dataDir, f))) assert.equal(mode(path.join(dataDir, f)), 0o600, f);
    }
  } finally {
    await server.close();
    process.umask(old);
    tmp.cleanup();
  }
});
