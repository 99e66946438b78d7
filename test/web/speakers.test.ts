// The playground's speaker and language view model (web/src/speakers.ts), run under Node with hand-built analyses
// (a diarized one is not yet produced end to end): colours by first appearance, the legend, coloured waveform
// regions, and segment badges; nothing speaker-related when diarization did not run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SPEAKER_COLOURS, languageBadge, segmentSpeaker, speakerLegend, transcriptLanguages, waveRegions } from '../../web/src/speakers.js';
import { conversation, undiarized } from '../understanding/fixtures.js';

test('a diarized analysis: a legend row and a colour per speaker, regions in those colours', () => {
  const a = conversation();
  const legend = speakerLegend(a);
  assert.deepEqual(
    legend.map((r) => [r.label, r.name, r.colour]),
    [
      ['spk_1', 'Speaker 1', SPEAKER_COLOURS[0]],
      ['spk_2', 'Speaker 2', SPEAKER_COLOURS[1]],
    ],
  );
  assert.equal(Math.round(legend[0].seconds * 10) / 10, 5.3);
  const regions = waveRegions(a);
  assert.equal(regions.length, a.speakers!.length);
  assert.deepEqual(
    regions.map((r) => r.colour),
    [SPEAKER_COLOURS[0], SPEAKER_COLOURS[1], SPEAKER_COLOURS[0], SPEAKER_COLOURS[1]],
  );
  assert.equal(segmentSpeaker(a, { ...a.segments[1], speaker: undefined }), 'spk_2', 'from the overlapping turn');
  assert.deepEqual(languageBadge(a.segments[1]), { code: 'es', name: 'Spanish' });
  assert.deepEqual(transcriptLanguages(a), ['en', 'es']);
});

test('without diarization or language ID: no legend, plain speech regions, no badges', () => {
  const a = undiarized();
  assert.deepEqual(speakerLegend(a), []);
  assert.ok(waveRegions(a).every((r) => r.colour === undefined && r.speaker === undefined));
  assert.equal(waveRegions(a).length, a.speechRegions.length);
  assert.equal(segmentSpeaker(a, a.segments[0]), undefined);
  assert.equal(languageBadge(a.segments[0]), undefined);
  assert.deepEqual(transcriptLanguages(a), []);
});
