// The seeds' Python code, run as real client processes against a real Earshot server: the newest seed's
// google-genai client (pointed here by GOOGLE_GEMINI_BASE_URL alone) and the two older seeds' legacy
// google-generativeai client (configured with transport="rest", api_endpoint and the discovery URL).
// Clients come pinned from test/e2e/clients/requirements.txt in .venv-clients/ (.ci/run installs them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { startServer, type Running } from './harness.js';
import { tempDir } from '../helpers.js';
import { CLIENTS_DIR, VENV_PYTHON, analysisOf, checkAudioFacts, requireInstalled, runClient, seedMedia } from './clients/harness.js';

const INSTALL = 'python3 -m venv .venv-clients && .venv-clients/bin/pip install -r test/e2e/clients/requirements.txt';
let server: Running;
const tmp = tempDir('earshot-clients-py-');

before(async () => {
  server = await startServer({ offline: true });
  seedMedia(tmp.dir);
});
after(async () => {
  await server.close();
  tmp.cleanup();
});

test('google-genai (newest seed): upload, describe, inline, transcript, 02:30–03:29, count_tokens', async () => {
  requireInstalled('The pinned google-genai client', existsSync(VENV_PYTHON), INSTALL);
  const { facts } = await runClient(VENV_PYTHON, [path.join(CLIENTS_DIR, 'genai_seed.py'), tmp.dir], {
    GOOGLE_GEMINI_BASE_URL: server.url,
    GEMINI_API_KEY: 'py-genai',
  });
  await checkAudioFacts(facts, server.url, 'py-genai');
});

test('google-generativeai (older seeds): upload, get, list, delete → 403, inline dict, transcript, range, count_tokens', async () => {
  requireInstalled('The pinned google-generativeai client', existsSync(VENV_PYTHON), INSTALL);
  const { facts } = await runClient(VENV_PYTHON, [path.join(CLIENTS_DIR, 'legacy_seed.py'), tmp.dir], {
    EARSHOT_URL: server.url,
    API_KEY: 'py-legacy',
  });
  await checkAudioFacts(facts, server.url, 'py-legacy');

  // get_file returns the uploaded text file's metadata
  assert.equal(facts.get.got, facts.get.name);
  assert.equal(facts.get.mime_type, 'text/plain');
  assert.equal(Number(facts.get.size_bytes), statSync(path.join(tmp.dir, 'poem.txt')).size);
  // list_files walks this key's files: both uploads so far
  const listed = facts.list.names as string[];
  assert.ok(listed.includes(facts.get.name as string) && listed.includes(facts.describe.name as string), `listed ${listed.join(', ')}`);
  // delete, then generate_content on the deleted file: Google's 403 PERMISSION_DENIED. Over REST,
  // google-api-core raises Forbidden (PermissionDenied's base class) for any 403; see README.
  assert.equal(facts.delete.raised, 'Forbidden:PERMISSION_DENIED');
  const gone = await fetch(`${server.url}/v1beta/${facts.delete.name}`, { headers: { 'x-goog-api-key': 'py-legacy' } });
  assert.equal(gone.status, 403, 'the deleted file is gone');
  // the upload went through the discovery document's URL and googleapiclient's resumable protocol
  assert.equal((await analysisOf(server.url, 'py-legacy', facts.describe.name as string)).durationSec > 0, true);
});

test("the discovery document names this server as root; an unknown version is a 404 in Google's shape", async () => {
  const doc = (await (await fetch(`${server.url}/$discovery/rest?version=v1beta&key=any`)).json()) as {
    rootUrl: string;
    resources: { media: { methods: { upload: { path: string } } } };
  };
  assert.equal(doc.rootUrl, `${server.url}/`);
  assert.equal(doc.resources.media.methods.upload.path, 'v1beta/files');
  const bad = await fetch(`${server.url}/$discovery/rest?version=v9`);
  assert.equal(bad.status, 404);
  assert.equal(((await bad.json()) as { error: { status: string } }).error.status, 'NOT_FOUND');
});
