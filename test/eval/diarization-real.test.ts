// The eval's diarization part with the real engines (Silero VAD, Resemblyzer's published weights from
// `npm run test-models`): a shared single-speaker clip, a labelled 3-voice conversation file built by the eval's own
// espeak-ng synthesiser, and a 2-voice conversation passed in as an extra clip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildConversation, espeakSynthesise, formatEvalTable, runEval } from '../../src/eval/index.js';
import { encodeWav16 } from '../../src/audio/decode.js';
import { createSileroVad } from '../../src/engines/vad/silero.js';
import { loadResemblyzer } from '../../src/engines/speakers/resemblyzer.js';
import { SPEECH_DIR, tempDir } from '../helpers.js';
import { testModel } from '../models/paths.js';
import { soxDecode } from '../engines/sox-decode.js';
import { conversation } from '../engines/speakers/conversation.js';

test('eval diarization: speaker counts and DER on real and synthetic speech with the real encoder', async () => {
  const { dir, cleanup } = tempDir();
  const vad = await createSileroVad();
  const speakers = await loadResemblyzer({ modelPath: testModel('resemblyzer') });
  try {
    mkdirSync(path.join(dir, 'speech'));
    symlinkSync(path.join(SPEECH_DIR, 'jfk.wav'), path.join(dir, 'speech', 'jfk.wav'));
    writeFileSync(path.join(dir, 'speech', 'transcripts.tsv'), 'file\ttranscript\njfk.wav\tand so my fellow americans\n');

    // the eval's synthesiser (espeak-ng → ffmpeg): a labelled file on disk, read back through turns.tsv
    const three = buildConversation(3, espeakSynthesise);
    assert.equal(three.turns.length, 9);
    assert.ok(three.turns.every((t, i) => t.speaker === `ref_${(i % 3) + 1}` && t.end > t.start + 1));
    mkdirSync(path.join(dir, 'speakers'));
    writeFileSync(path.join(dir, 'speakers', 'three.wav'), encodeWav16(three.pcm));
    writeFileSync(
      path.join(dir, 'speakers', 'turns.tsv'),
      `file\tstart\tend\tspeaker\n${three.turns.map((t) => `three.wav\t${t.start}\t${t.end}\t${t.speaker}`).join('\n')}\n`,
    );
    const two = conversation(2);

    const result = await runEval(dir, { vad, speakers }, async (p) => soxDecode(p), {
      conversations: [{ file: 'two voices', pcm: two.pcm, turns: two.turns }],
    });
    const rows = result.speakers?.rows ?? [];
    assert.deepEqual(
      rows.map((r) => [r.file, r.source, r.trueSpeakers]),
      [
        ['jfk.wav', 'single-speaker clip', 1],
        ['three.wav', 'labelled turns', 3],
        ['two voices', 'synthetic conversation', 2],
      ],
    );
    assert.ok(rows.every((r) => !r.error));
    assert.equal(rows[0]?.foundSpeakers, 1, 'one man speaking is one speaker');
    assert.equal(rows[0]?.der, undefined, 'no turns, no DER');
    for (const r of rows.slice(1)) {
      assert.equal(r.foundSpeakers, r.trueSpeakers, `${r.file}: ${r.foundSpeakers} speakers`);
      assert.ok((r.der ?? 1) < 0.1, `${r.file}: DER ${r.der}`);
      assert.ok((r.scored ?? 0) > 15, `${r.file}: ${r.scored} s scored`);
    }
    const total = result.speakers?.total;
    assert.equal(total?.derFiles, 2);
    assert.ok((total?.xRealtime ?? 0) > 3, `diarization ${total?.xRealtime}× real time`);
    assert.match(formatEvalTable(result), /- speaker count right: 3\/3 \(100\.0%\); DER: \d+\.\d% over 2 files/);
  } finally {
    await vad.close();
    await speakers.close();
    cleanup();
  }
});
