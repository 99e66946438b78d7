// The `earshot` command as a user runs it: a real child process on real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, SPEECH_DIR, tempDir } from '../helpers.js';
import { parseSrt } from '../../src/cli/subtitles.js';

const tmp = tempDir();
const earshot = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/earshot.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, EARSHOT_MODELS_DIR: path.join(tmp.dir, 'models'), ...env },
    timeout: 180_000,
  });

test('transcribe --format srt on jfk.wav gives valid SRT with its words', () => {
  const r = earshot(['transcribe', path.join(SPEECH_DIR, 'jfk.wav'), '--format', 'srt', '--offline']);
  assert.equal(r.status, 0, r.stderr);
  const cues = parseSrt(r.stdout);
  assert.ok(cues.length >= 1);
  assert.match(r.stdout, /country/);
  for (const c of cues) assert.ok(c.start >= 0 && c.end <= 11.1 && c.start <= c.end);
});

test('transcribe --range cuts exactly and --json is machine-readable', () => {
  const r = earshot(['transcribe', path.join(SPEECH_DIR, 'jfk.wav'), '--range', '00:05-00:11', '--json', '--offline']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.range, { start: 5, end: 11 });
  for (const s of out.segments) assert.ok(s.start >= 4.5, `segment at ${s.start} starts before the range`);
});

test('tokens says what countTokens would: 32 per second', () => {
  const r = earshot(['tokens', path.join(SPEECH_DIR, 'jfk.wav'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).totalTokens, 352);
});

test('errors are one clear line with a meaningful exit code', () => {
  const notAudio = path.join(tmp.dir, 'notes.txt');
  writeFileSync(notAudio, 'hello, these are not audio bytes\n');
  const r = earshot(['tokens', notAudio]);
  assert.equal(r.status, 3);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^earshot: /);
  const missing = earshot(['tokens', path.join(tmp.dir, 'nope.wav')]);
  assert.notEqual(missing.status, 0);
  const usage = earshot(['transcribe', path.join(SPEECH_DIR, 'jfk.wav'), '--format', 'docx']);
  assert.equal(usage.status, 2);
});

test('serve --print-config shows the effective configuration with secrets masked, flags over env', () => {
  const r = earshot(['serve', '--print-config', '--port', '9999'], {
    EARSHOT_PORT: '7777',
    EARSHOT_API_KEYS: 'supersecretkey=alpha',
    EARSHOT_OPENAI_API_KEY: 'sk-verysecret',
  });
  assert.equal(r.status, 0, r.stderr);
  const cfg = JSON.parse(r.stdout);
  assert.equal(cfg.port, 9999);
  assert.ok(!r.stdout.includes('supersecretkey'));
  assert.ok(!r.stdout.includes('sk-verysecret'));
  assert.deepEqual(Object.values(cfg.apiKeys), ['alpha']);
});

test('models list shows the catalogue', () => {
  const r = earshot(['models', 'list', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const names = JSON.parse(r.stdout).models.map((m: { entry: { name: string } }) => m.entry.name);
  assert.ok(names.includes('whisper-base.en') && names.includes('yamnet'));
});
