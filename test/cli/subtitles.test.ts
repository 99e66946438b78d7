import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSrt, toSrt, toVtt } from '../../src/cli/subtitles.js';
import type { TranscriptSegment } from '../../src/domain/analysis.js';

const segs: TranscriptSegment[] = [
  { start: 0.28, end: 2.09, text: 'and so my fellow americans', words: [] },
  { start: 3.5, end: 3661.0049, text: 'ask not --> what\n\nyour country', words: [] },
  { start: 5, end: 6, text: '   ', words: [] },
];

test('SRT: numbered cues, comma milliseconds, parses back exactly', () => {
  const srt = toSrt(segs);
  const cues = parseSrt(srt);
  assert.equal(cues.length, 2, 'blank segments are skipped');
  assert.deepEqual(
    cues.map((c) => c.index),
    [1, 2],
  );
  assert.equal(cues[0].start, 0.28);
  assert.equal(cues[0].end, 2.09);
  assert.equal(cues[1].end, 3661.005);
  assert.match(srt, /^1\n00:00:00,280 --> 00:00:02,090\nand so my fellow americans\n\n2\n00:00:03,500 --> 01:01:01,005\n/);
  assert.ok(!/\n\n(?!\d+\n)/.test(srt.trimEnd()), 'no blank line inside a cue');
});

test('VTT: header, dot milliseconds, no arrow inside cue text', () => {
  const vtt = toVtt(segs);
  assert.ok(vtt.startsWith('WEBVTT\n\n'));
  const lines = vtt.split('\n');
  const timings = lines.filter((l) => l.includes('-->'));
  assert.equal(timings.length, 2);
  for (const t of timings) assert.match(t, /^\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d$/);
  assert.equal(timings[1], '00:00:03.500 --> 01:01:01.005');
});

test('speaker labels when asked: a voice span in VTT, a [spk_N] prefix in SRT and text; none otherwise', async () => {
  const { toText } = await import('../../src/cli/subtitles.js');
  const said: TranscriptSegment[] = [
    { start: 0, end: 1.5, text: 'Good morning.', words: [], speaker: 'spk_1' },
    { start: 2, end: 3, text: 'Hola & <bienvenidos>.', words: [], speaker: 'spk_2' },
    { start: 4, end: 5, text: 'Unlabelled.', words: [] },
  ];
  const vtt = toVtt(said, { speakers: true });
  assert.match(vtt, /00:00:00\.000 --> 00:00:01\.500\n<v spk_1>Good morning\.\n/);
  assert.match(vtt, /\n<v spk_2>Hola &amp; &lt;bienvenidos>\.\n/);
  assert.match(vtt, /\nUnlabelled\.\n/);
  const cues = parseSrt(toSrt(said, { speakers: true }));
  assert.deepEqual(
    cues.map((c) => c.text),
    ['[spk_1] Good morning.', '[spk_2] Hola & <bienvenidos>.', 'Unlabelled.'],
  );
  assert.equal(toText(said, { speakers: true }), '[spk_1] Good morning.\n[spk_2] Hola & <bienvenidos>.\nUnlabelled.\n');
  // not asked: no labels anywhere
  assert.doesNotMatch(toVtt(said) + toSrt(said) + toText(said), /spk_|<v /);
});
