// The Gemini docs' REST upload sequence (seeds/003, the REST block) run as a real bash script with real
// curl, jq and file against a real Earshot server; then files get/list/delete with curl, and the
// error shape for a request without a key. Needs the Debian packages curl, jq and file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, type Running } from './harness.js';
import { SPEECH_DIR, tempDir } from '../helpers.js';

const JFK = path.join(SPEECH_DIR, 'jfk.mp3');
const missing = ['curl', 'jq', 'file'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);

let server: Running;
let tmp: { dir: string; cleanup: () => void };

before(async () => {
  server = await startServer();
  tmp = tempDir('earshot-curl-');
});
after(async () => {
  await server.close();
  tmp.cleanup();
});

/** Run a bash script in the temp dir with BASE_URL and GEMINI_API_KEY set; resolves with stdout. (Async: the server runs in this process.) */
async function bash(script: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', script], {
    cwd: tmp.dir,
    env: { ...process.env, BASE_URL: server.url, GEMINI_API_KEY: 'curl-key', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return stdout;
}

// The seed's REST block, with only the host replaced and the generateContent step left out.
const SEED_UPLOAD = String.raw`
AUDIO_PATH="${JFK}"
MIME_TYPE=$(file -b --mime-type "$AUDIO_PATH")
NUM_BYTES=$(wc -c < "$AUDIO_PATH")
DISPLAY_NAME=AUDIO
tmp_header_file=upload-header.tmp
curl "$BASE_URL/upload/v1beta/files" \
  -H "x-goog-api-key: $GEMINI_API_KEY" \
  -D upload-header.tmp \
  -H "X-Goog-Upload-Protocol: resumable" \
  -H "X-Goog-Upload-Command: start" \
  -H "X-Goog-Upload-Header-Content-Length: $NUM_BYTES" \
  -H "X-Goog-Upload-Header-Content-Type: $MIME_TYPE" \
  -H "Content-Type: application/json" \
  -d "{'file': {'display_name': '$DISPLAY_NAME'}}" 2> /dev/null
upload_url=$(grep -i "x-goog-upload-url: " "$tmp_header_file" | cut -d" " -f2 | tr -d "\r")
rm "$tmp_header_file"
curl "$upload_url" \
  -H "Content-Length: $NUM_BYTES" \
  -H "X-Goog-Upload-Offset: 0" \
  -H "X-Goog-Upload-Command: upload, finalize" \
  --data-binary "@$AUDIO_PATH" 2> /dev/null > file_info.json
file_uri=$(jq ".file.uri" file_info.json)
echo file_uri=$file_uri
echo mime=$MIME_TYPE
`;

test('the docs REST sequence uploads with curl and jq', { skip: missing.length ? `missing ${missing.join(', ')}` : false }, async () => {
  const out = await bash(SEED_UPLOAD);
  const uri = /file_uri="([^"]+)"/.exec(out)?.[1];
  assert.ok(uri, out);
  assert.match(uri, new RegExp(`^${server.url}/v1beta/files/[a-z0-9-]+$`));
  const mime = /mime=(\S+)/.exec(out)![1];
  const info = JSON.parse(readFileSync(path.join(tmp.dir, 'file_info.json'), 'utf8'));
  const bytes = readFileSync(JFK);
  assert.equal(info.file.displayName, 'AUDIO', 'single-quoted metadata is read leniently');
  assert.equal(info.file.mimeType, mime);
  assert.equal(info.file.sizeBytes, String(bytes.length));
  assert.equal(Buffer.from(info.file.sha256Hash, 'base64').toString(), createHash('sha256').update(bytes).digest('hex'));

  // get, list, delete with curl
  const name = info.file.name as string;
  const got = JSON.parse(await bash(`curl -sS --fail-with-body "$BASE_URL/v1beta/${name}" -H "x-goog-api-key: $GEMINI_API_KEY"`));
  assert.equal(got.name, name);
  assert.equal(got.uri, uri);
  const viaQueryKey = JSON.parse(await bash(`curl -sS --fail-with-body "$BASE_URL/v1beta/${name}?key=$GEMINI_API_KEY"`));
  assert.equal(viaQueryKey.name, name, 'the key may also come as ?key=');
  const listed = await bash(
    `curl -sS --fail-with-body "$BASE_URL/v1beta/files?pageSize=10" -H "x-goog-api-key: $GEMINI_API_KEY" | jq -r '.files[].name'`,
  );
  assert.deepEqual(listed.trim().split('\n'), [name]);
  const del = await bash(`curl -sS -X DELETE -w '\\n%{http_code}' "$BASE_URL/v1beta/${name}" -H "x-goog-api-key: $GEMINI_API_KEY"`);
  assert.deepEqual(del.trim().split('\n'), ['{}', '200']);
  const gone = await bash(
    `curl -sS -o body.json -w '%{http_code}' "$BASE_URL/v1beta/${name}" -H "x-goog-api-key: $GEMINI_API_KEY"; echo; jq -r '.error.status' body.json`,
  );
  assert.deepEqual(gone.trim().split('\n'), ['403', 'PERMISSION_DENIED']);
  const empty = await bash(`curl -sS "$BASE_URL/v1beta/files" -H "x-goog-api-key: $GEMINI_API_KEY"`);
  assert.deepEqual(JSON.parse(empty), {});
});

test('no key → 403 in Google error shape, for files and uploads', {
  skip: missing.length ? `missing ${missing.join(', ')}` : false,
}, async () => {
  for (const req of [
    `"$BASE_URL/v1beta/files"`,
    `"$BASE_URL/v1beta/files/abc"`,
    `-X DELETE "$BASE_URL/v1beta/files/abc"`,
    `-X POST "$BASE_URL/upload/v1beta/files" -H "X-Goog-Upload-Protocol: resumable" -H "X-Goog-Upload-Command: start" -d '{}'`,
  ]) {
    const out = await bash(
      `curl -sS -D headers.txt -o body.json -w '%{http_code}' ${req}; echo; grep -i '^content-type' headers.txt; cat body.json`,
    );
    const [code, ctype, ...rest] = out.split('\n');
    assert.equal(code, '403', req);
    assert.match(ctype, /application\/json/i);
    const body = JSON.parse(rest.join('\n'));
    assert.deepEqual(Object.keys(body), ['error']);
    assert.equal(body.error.code, 403);
    assert.equal(body.error.status, 'PERMISSION_DENIED');
    assert.match(body.error.message, /API Key/);
  }
});
