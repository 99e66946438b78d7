// Diarization scoring in the eval, without engines: speaker counts, DER from known turns, pooled totals, the
// speakers/turns.tsv loader, and the table's diarization section and summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  formatEvalTable,
  loadEvalSet,
  scoreSpeakers,
  totalSpeakers,
  type DiarizationRow,
  type EvalResult,
  type LabelledSpan,
} from '../../src/eval/index.js';
import { tempDir } from '../helpers.js';

const truth: LabelledSpan[] = [
  { start: 0, end: 4, speaker: 'ref_1' },
  { start: 5, end: 9, speaker: 'ref_2' },
];

test('scoreSpeakers: the count against the truth, and DER only where turns are known', () => {
  const single = scoreSpeakers({ speakers: 1 }, [
    { start: 0, end: 2, speaker: 'spk_1' },
    { start: 3, end: 4, speaker: 'spk_2' },
  ]);
  assert.deepEqual(single, { trueSpeakers: 1, foundSpeakers: 2, countCorrect: false });
  assert.equal(scoreSpeakers({ speakers: 1 }, []).foundSpeakers, 0, 'no speech found is no speaker');

  // labels are matched one-to-one whatever their names: a perfect answer under other names scores 0
  const perfect = scoreSpeakers({ speakers: 2, turns: truth }, [
    { start: 0, end: 4, speaker: 'spk_2' },
    { start: 5, end: 9, speaker: 'spk_1' },
  ]);
  assert.equal(perfect.countCorrect, true);
  assert.equal(perfect.der, 0);

  // the second turn given to the first speaker: all of it (outside the collars) is confusion
  const merged = scoreSpeakers({ speakers: 2, turns: truth }, [
    { start: 0, end: 4, speaker: 'spk_1' },
    { start: 5, end: 9, speaker: 'spk_1' },
  ]);
  assert.equal(merged.foundSpeakers, 1);
  assert.equal(merged.countCorrect, false);
  // scored: each 4 s turn less 0.25 s collars at both ends = 3.5 s; confusion 3.5 s of 7 s
  assert.ok(Math.abs((merged.scored ?? 0) - 7) < 0.02, `scored ${merged.scored}`);
  assert.ok(Math.abs((merged.confusion ?? 0) - 3.5) < 0.02, `confusion ${merged.confusion}`);
  assert.ok(Math.abs((merged.der ?? 0) - 0.5) < 0.01);

  // half of the second turn missed
  const missed = scoreSpeakers({ speakers: 2, turns: truth }, [
    { start: 0, end: 4, speaker: 'spk_1' },
    { start: 5, end: 7, speaker: 'spk_2' },
  ]);
  assert.ok(Math.abs((missed.missed ?? 0) - 1.75) < 0.02, `missed ${missed.missed}`);
  assert.equal(missed.confusion, 0);
});

test('totalSpeakers: count accuracy over every clip, DER pooled by scored time over clips with turns', () => {
  const row = (over: Partial<DiarizationRow>): DiarizationRow => ({
    file: 'x',
    source: 'single-speaker clip',
    durationSec: 10,
    trueSpeakers: 1,
    foundSpeakers: 1,
    countCorrect: true,
    seconds: 1,
    ...over,
  });
  const rows = [
    row({}),
    row({ foundSpeakers: 2, countCorrect: false }),
    row({ source: 'synthetic conversation', der: 0.5, missed: 1, falseAlarm: 0, confusion: 1, scored: 4 }),
    row({ source: 'synthetic conversation', der: 0, missed: 0, falseAlarm: 0, confusion: 0, scored: 16 }),
    row({ error: 'cannot decode', countCorrect: false, foundSpeakers: 0, durationSec: 0, seconds: 0 }),
  ];
  const t = totalSpeakers(rows);
  assert.equal(t.countCorrect, 3);
  assert.equal(t.count, 5);
  assert.equal(t.countAccuracy, 0.6);
  assert.equal(t.derFiles, 2);
  assert.ok(Math.abs((t.der ?? -1) - 2 / 20) < 1e-9, 'pooled, not the mean of 50% and 0%');
  assert.equal(t.audioSec, 40);
  assert.equal(t.xRealtime, 10);
  assert.equal(totalSpeakers([row({})]).der, undefined, 'no DER without turns');
});

test('loadEvalSet reads speakers/turns.tsv: turns per file, bad rows skipped', () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(path.join(dir, 'speakers'));
    writeFileSync(
      path.join(dir, 'speakers', 'turns.tsv'),
      'file\tstart\tend\tspeaker\nmeeting.wav\t0.5\t3.2\talice\nmeeting.wav\t3.6\t7\tbob\nmeeting.wav\t8\tx\tbob\n' +
        'meeting.wav\t9\t8\tbob\ncall.wav\t0\t2\tcarol\n',
    );
    const set = loadEvalSet(dir);
    assert.equal(set.speakers.length, 2);
    const meeting = set.speakers.find((s) => s.file === 'meeting.wav');
    assert.deepEqual(meeting?.turns, [
      { start: 0.5, end: 3.2, speaker: 'alice' },
      { start: 3.6, end: 7, speaker: 'bob' },
    ]);
    assert.equal(meeting?.path, path.join(dir, 'speakers', 'meeting.wav'));
  } finally {
    cleanup();
  }
});

test('the table shows the diarization section per clip and the summary gives count accuracy and DER', () => {
  const rows: DiarizationRow[] = [
    {
      file: 'jfk.wav',
      source: 'single-speaker clip',
      durationSec: 11,
      trueSpeakers: 1,
      foundSpeakers: 1,
      countCorrect: true,
      seconds: 0.5,
    },
    {
      file: 'synthetic 3 voices',
      source: 'synthetic conversation',
      durationSec: 40,
      trueSpeakers: 3,
      foundSpeakers: 2,
      countCorrect: false,
      der: 0.25,
      missed: 1,
      falseAlarm: 0.5,
      confusion: 6,
      scored: 30,
      seconds: 1,
    },
  ];
  const result: EvalResult = { dir: '/x', speakers: { engine: 'silero + resemblyzer-ge2e', rows, total: totalSpeakers(rows) } };
  const table = formatEvalTable(result);
  assert.match(table, /## Diarization \(silero \+ resemblyzer-ge2e/);
  assert.match(table, /\| jfk\.wav \| single-speaker clip \| 1 \/ 1 \| yes \| — \|/);
  assert.match(table, /\| synthetic 3 voices \| synthetic conversation \| 3 \/ 2 \| no \| 25\.0% \| 1\.00 \| 0\.50 \| 6\.00 \| 40\.0× \|/);
  assert.match(table, /\*\*1\/2 \(50\.0%\)\*\* \| \*\*25\.0%\*\* \(1 file\)/);
  assert.match(table, /- speaker count right: 1\/2 \(50\.0%\); DER: 25\.0% over 1 file/);
});
