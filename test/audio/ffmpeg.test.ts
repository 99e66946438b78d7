// locateFfmpeg: the npm-shipped binaries always work after `npm install`; the system ones are used
// when present; a bad configured path fails with advice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { locateFfmpeg } from '../../src/audio/ffmpeg.js';
import { REPO_ROOT } from '../helpers.js';

function systemFfmpegRuns(): boolean {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('npm binaries (what a fresh machine has after npm install) are found and run', () => {
  const b = locateFfmpeg({ prefer: 'npm', strict: true });
  assert.equal(b.source, 'npm');
  assert.equal(b.ffprobeSource, 'npm');
  for (const bin of [b.ffmpeg, b.ffprobe]) {
    assert.ok(path.isAbsolute(bin));
    assert.ok(bin.startsWith(path.join(REPO_ROOT, 'node_modules')), bin);
  }
  assert.match(execFileSync(b.ffmpeg, ['-version'], { encoding: 'utf8' }), /^ffmpeg version/);
  assert.match(execFileSync(b.ffprobe, ['-version'], { encoding: 'utf8' }), /^ffprobe version/);
  assert.match(b.ffmpegVersion, /^ffmpeg version /);
  assert.equal(typeof b.soxr, 'boolean');
});

test('system binaries are used when present', { skip: systemFfmpegRuns() ? false : 'no ffmpeg on PATH' }, () => {
  const b = locateFfmpeg({ prefer: 'system', strict: true });
  assert.deepEqual([b.ffmpeg, b.ffprobe, b.source, b.ffprobeSource], ['ffmpeg', 'ffprobe', 'system', 'system']);
  // auto: ffmpeg from the system (newer codecs), ffprobe from npm (static build, fast start)
  const auto = locateFfmpeg();
  assert.equal(auto.source, 'system');
  assert.equal(auto.ffprobeSource, 'npm');
});

test('a configured path that does not run fails with advice', () => {
  assert.throws(
    () => locateFfmpeg({ ffmpegPath: '/nonexistent/ffmpeg' }),
    /configured ffmpeg binary "\/nonexistent\/ffmpeg" does not run .*fix the path/,
  );
  // a configured working path is taken as given
  const npm = locateFfmpeg({ prefer: 'npm', strict: true });
  const b = locateFfmpeg({ ffmpegPath: npm.ffmpeg, ffprobePath: npm.ffprobe });
  assert.equal(b.ffmpeg, npm.ffmpeg);
  assert.equal(b.source, 'npm');
});

test('results are cached (no re-spawn on every call)', () => {
  assert.equal(locateFfmpeg({ prefer: 'npm' }), locateFfmpeg({ prefer: 'npm' }));
});
