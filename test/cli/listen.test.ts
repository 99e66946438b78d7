// `earshot ask` / `describe` answer through the same answering service as the server: the configured text engine
// is honoured (a missing language model is the catalogued error, before any analysis), and the built-in composer's
// grounding comes back with --json. Runs the CLI from its TypeScript sources in a child process, on real audio.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, SPEECH_DIR, tempDir } from '../helpers.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const earshot = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, EARSHOT_MODELS_DIR: path.join(tmp.dir, 'models'), ...env },
    timeout: 180_000,
  });

test('ask honours EARSHOT_TEXT_ENGINE: a llama model that is not installed fails at once, in one catalogued line', () => {
  const r = earshot(['ask', path.join(SPEECH_DIR, 'jfk.wav'), 'What is said?', '--offline'], {
    EARSHOT_TEXT_ENGINE: 'llama',
    EARSHOT_LLAMA_MODEL: 'no-such-model',
  });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    /^earshot: The language model no-such-model is not installed \(looked for .*no-such-model\.gguf\); run `earshot models pull no-such-model`\.$/m,
  );
});

test('ask --json with the built-in composer gives the answer, its grounding and its structure', () => {
  const r = earshot(['ask', path.join(SPEECH_DIR, 'jfk.wav'), 'How long is the audio?', '--json', '--offline'], {
    EARSHOT_TEXT_ENGINE: 'composer',
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.data.kind, 'duration');
  assert.match(out.answer, /^The audio is 0:11 \(11 s\) long\.$/);
  assert.ok(Array.isArray(out.grounding));
  assert.equal(out.data.clips[0].durationSec, 11);
});
