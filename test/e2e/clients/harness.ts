// Running the seeds' own client code (Python and Go, test/e2e/clients/) as child processes against a real
// Earshot server: where the pinned clients live, the media the seeds name, and the `FACT {json}` lines
// the scripts print, checked against what the server's analysis holds.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { REPO_ROOT, SPEECH_DIR } from '../../helpers.js';
import { speechAtOffset } from '../../fixtures/speech.js';
import type { AudioAnalysis } from '../../../src/domain/analysis.js';
import { audioTokens } from '../../../src/domain/audio.js';

const run = promisify(execFile);

export const CLIENTS_DIR = path.join(REPO_ROOT, 'test/e2e/clients');
export const VENV_PYTHON = path.join(REPO_ROOT, '.venv-clients/bin/python');
export const GO_DIR = path.join(CLIENTS_DIR, 'go');
/** GOPATH, module cache and build cache inside the repo (ignored), so a bare CI machine needs nothing else */
export const GO_ENV = {
  GOPATH: path.join(REPO_ROOT, '.cache/go'),
  GOMODCACHE: path.join(REPO_ROOT, '.cache/go/mod'),
  GOCACHE: path.join(REPO_ROOT, '.cache/go/build'),
  GOFLAGS: '-modcacherw',
};

/** Fails (never skips) with the command that installs what is missing. */
export function requireInstalled(what: string, present: boolean, install: string): void {
  assert.ok(present, `${what} is not installed. Run from the repository root:\n  ${install}\n(.ci/run does this on CI.)`);
}

/** The sentence the long sample holds, and where: inside the seeds' "02:30 to 03:29" range. */
export const SENTENCE = 'The quick brown fox jumps over the lazy dog near the river bank';
export const SENTENCE_AT = 160;

/**
 * The files the seeds name, in `dir`: sample.mp3 (200 s: silence, the sentence at 02:40, silence),
 * samplesmall.mp3 and small-sample.mp3 (jfk), poem.txt.
 */
export function seedMedia(dir: string): void {
  const wav = speechAtOffset(dir, 'sample-src', SENTENCE, SENTENCE_AT, 36);
  execFileSync('sox', [wav, path.join(dir, 'sample.mp3')], { stdio: 'ignore' }); // mp3 through libsox-fmt-mp3
  copyFileSync(path.join(SPEECH_DIR, 'jfk.mp3'), path.join(dir, 'samplesmall.mp3'));
  copyFileSync(path.join(SPEECH_DIR, 'jfk.mp3'), path.join(dir, 'small-sample.mp3'));
  writeFileSync(path.join(dir, 'poem.txt'), 'Roses are red,\nviolets are blue,\nthis poem is plain text\nand so are you.\n');
}

export type Facts = Record<string, Record<string, unknown>>;

/** Runs a client; rejects with its whole output when it exits non-zero. Returns the FACT lines by step. */
export async function runClient(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<{ facts: Facts; output: string }> {
  let stdout = '';
  let stderr = '';
  try {
    ({ stdout, stderr } = await run(cmd, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, PYTHONWARNINGS: 'ignore', ...env },
      timeout: opts.timeoutMs ?? 300_000,
      maxBuffer: 16 << 20,
    }));
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string; code?: number };
    throw new Error(
      `${path.basename(cmd)} ${args.join(' ')} failed (${err.code ?? err.message}):\n${err.stdout ?? ''}\n${err.stderr ?? ''}`,
    );
  }
  const facts: Facts = {};
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('FACT ')) continue;
    const f = JSON.parse(line.slice(5)) as Record<string, unknown>;
    facts[f.step as string] = f;
  }
  return { facts, output: stdout + stderr };
}

export async function analysisOf(serverUrl: string, apiKey: string, name: string): Promise<AudioAnalysis> {
  const res = await fetch(`${serverUrl}/v1beta/${name}:analysis`, { headers: { 'x-goog-api-key': apiKey } });
  assert.equal(res.status, 200, `analysis of ${name}: ${res.status}`);
  return ((await res.json()) as { analysis: AudioAnalysis }).analysis;
}

const lower = (s: unknown) => String(s ?? '').toLowerCase();

/**
 * The checks every client's answers must pass, against what the engine (PocketSphinx in tests) heard:
 * the transcript holds every heard word; the 02:30–03:29 answer holds every word heard in that range;
 * count_tokens is 32 per second of the file; the inline jfk answer holds "country" like the engine heard.
 */
export async function checkAudioFacts(facts: Facts, serverUrl: string, apiKey: string): Promise<void> {
  for (const step of ['describe', 'inline', 'transcript', 'range', 'count'])
    assert.ok(facts[step], `the client printed no "${step}" result`);
  assert.equal(facts.describe.mime_type, 'audio/mpeg', 'the client inferred the mp3 MIME type');

  const long = await analysisOf(serverUrl, apiKey, facts.transcript.name as string);
  const words = long.segments.flatMap((s) => s.words);
  assert.ok(words.length >= 3, `the engine heard words in the long sample (${words.length})`);
  assert.ok(
    words[0].start >= SENTENCE_AT - 0.4 && words[0].start <= SENTENCE_AT + 1,
    `first word at ${words[0].start} s, the sentence starts at ${SENTENCE_AT} s`,
  );

  const describe = lower(facts.describe.text);
  assert.ok(describe.length > 0, 'describe answered');
  assert.ok(
    words.some((w) => describe.includes(w.text.toLowerCase())),
    `the description names something heard: ${describe}`,
  );

  const transcript = lower(facts.transcript.text);
  for (const w of words) assert.ok(transcript.includes(w.text.toLowerCase()), `transcript lacks "${w.text}": ${transcript}`);

  const range = lower(facts.range.text);
  const inside = words.filter((w) => (w.start + w.end) / 2 >= 150 && (w.start + w.end) / 2 <= 209);
  assert.equal(inside.length, words.length, 'every heard word lies inside 02:30–03:29');
  for (const w of inside) assert.ok(range.includes(w.text.toLowerCase()), `the 02:30–03:29 answer lacks "${w.text}": ${range}`);

  assert.equal(facts.count.name, facts.transcript.name);
  assert.equal(facts.count.total_tokens, audioTokens(long.durationSec), `32 tokens per second of ${long.durationSec} s`);
  assert.ok(long.durationSec > 199 && long.durationSec < 202, `the sample is ~200 s (${long.durationSec})`);

  assert.match(lower(facts.inline.text), /country/, 'the inline jfk answer holds what the engine hears ("country")');
}
