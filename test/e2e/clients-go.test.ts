// The Chinese seed's Go code (google.golang.org/genai, pinned by test/e2e/clients/go/go.sum), built and run
// as a real client process against a real Earshot server, pointed here by GOOGLE_GEMINI_BASE_URL and
// GEMINI_API_KEY alone. The module cache lives in .cache/go (.ci/run fills it with `go mod download`).
import { test, before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, type Running } from './harness.js';
import { REPO_ROOT, tempDir } from '../helpers.js';
import { GO_DIR, GO_ENV, checkAudioFacts, requireInstalled, runClient, seedMedia } from './clients/harness.js';

const INSTALL =
  '(export GOPATH=$PWD/.cache/go GOMODCACHE=$PWD/.cache/go/mod GOCACHE=$PWD/.cache/go/build GOFLAGS=-modcacherw; cd test/e2e/clients/go && go mod download)';
let server: Running;
const tmp = tempDir('earshot-clients-go-');

before(async () => {
  server = await startServer({ offline: true });
  seedMedia(tmp.dir);
});
after(async () => {
  await server.close();
  tmp.cleanup();
});

function goAvailable(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('google.golang.org/genai: UploadFromPath, GenerateContent with NewPartFromURI and inline, the range, CountTokens', {
  timeout: 900_000,
}, async () => {
  requireInstalled('Go', goAvailable(), 'apt-get install golang-go (or install Go ≥ 1.24)');
  const pinned = /google\.golang\.org\/genai (v\S+)/.exec(readFileSync(path.join(GO_DIR, 'go.mod'), 'utf8'))![1];
  requireInstalled(
    `The pinned Go genai module (${pinned})`,
    existsSync(path.join(GO_ENV.GOMODCACHE, `google.golang.org/genai@${pinned}`)),
    INSTALL,
  );
  const bin = path.join(REPO_ROOT, '.cache/go/bin/earshot-seed-client');
  // everything comes from the module cache (-mod=readonly: go.sum decides); the build cache makes a second run quick
  await runClient('go', ['build', '-mod=readonly', '-o', bin, '.'], GO_ENV, { cwd: GO_DIR, timeoutMs: 840_000 });
  const { facts } = await runClient(bin, [tmp.dir], { GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: 'go-genai' });
  await checkAudioFacts(facts, server.url, 'go-genai');
});
