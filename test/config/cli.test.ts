// The configuration as a user meets it: `earshot serve` and `earshot config` run as real child processes from
// the sources (not dist/, which may be stale in a checkout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { configTable } from '../../src/config.js';
import { REPO_ROOT } from '../helpers.js';

const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EARSHOT_')));
const earshot = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...clean, ...env },
    timeout: 60_000,
  });

test('serve refuses an unknown engine before starting: one line, exit 2, the allowed values', () => {
  const r = earshot(['serve', '--port', '0'], { EARSHOT_SPEECH_ENGINE: 'wisper' });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '', 'nothing started');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0] as string,
    /^earshot: invalid setting engines\.speech="wisper" from environment variable EARSHOT_SPEECH_ENGINE; allowed: one of auto, whisper, pocketsphinx, openai, none$/,
  );
});

test('serve --print-config: flags over env, secrets masked, the new settings shown', () => {
  const r = earshot(['serve', '--print-config', '--port', '9999', '--role', 'api', '--database-url', 'postgres://u:dbsecretpass@db/e'], {
    EARSHOT_PORT: '7777',
    EARSHOT_API_KEYS: 'supersecretkey=alpha',
    EARSHOT_OPENAI_API_KEY: 'sk-verysecret',
  });
  assert.equal(r.status, 0, r.stderr);
  const cfg = JSON.parse(r.stdout);
  assert.equal(cfg.port, 9999);
  assert.equal(cfg.role, 'api');
  assert.equal(cfg.databaseUrl, 'postgres://u:****@db/e');
  for (const secret of ['supersecretkey', 'sk-verysecret', 'dbsecretpass']) assert.ok(!r.stdout.includes(secret), `${secret} printed`);
  assert.deepEqual(Object.values(cfg.apiKeys), ['alpha']);
});

test('serve --help lists a flag for every setting the schema gives one', () => {
  const r = earshot(['serve', '--help']);
  assert.equal(r.status, 0, r.stderr);
  for (const flag of ['--database-url', '--blob-store', '--role', '--public-url', '--log-level', '--config'])
    assert.match(r.stdout, new RegExp(`${flag}\\b`));
});

test('config --env-table prints the generated table', () => {
  const r = earshot(['config', '--env-table']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${configTable()}\n`);
});
