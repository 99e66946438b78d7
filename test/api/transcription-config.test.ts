// Gemini's audioTranscriptionConfig read and answered from an analysis (src/api/audio-transcription.ts) and the SMART
// mode's clean-up (src/api/smart-transcript.ts): Duration strings, the SMART refusals, speaker labels only from
// diarization, words only when asked, fillers and stutters removed without rewording anything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationString, readTranscriptionConfig, transcriptionAnswer, transcriptionHints } from '../../src/api/audio-transcription.js';
import { formatSentences, removeDisfluencies, smartParagraphs } from '../../src/api/smart-transcript.js';
import { isEarshotError } from '../../src/domain/errors.js';
import { toWireError } from '../../src/api/errors.js';
import type { AudioAnalysis, TranscriptSegment } from '../../src/domain/analysis.js';
import type { Conversation } from '../../src/understanding/types.js';

function seg(start: number, end: number, text: string, extra: Partial<TranscriptSegment> = {}): TranscriptSegment {
  const ws = text.split(' ');
  const step = (end - start) / ws.length;
  return { start, end, text, words: ws.map((w, i) => ({ text: w, start: start + i * step, end: start + (i + 1) * step })), ...extra };
}

function analysis(segments: TranscriptSegment[], speakers = true): AudioAnalysis {
  return {
    sha256: 'x'.repeat(64),
    durationSec: 20,
    speechRegions: segments.map((s) => ({ start: s.start, end: s.end })),
    segments,
    soundEvents: [],
    ...(speakers ? { speakers: segments.map((s) => ({ start: s.start, end: s.end, speaker: s.speaker ?? 'spk_1' })) } : {}),
    loudnessDb: -20,
    engines: { speech: 'whisper', vad: 'silero', ...(speakers ? { speakers: 'resemblyzer' } : {}) },
    warnings: speakers ? [] : ['Speakers were not told apart: no speaker model is installed (earshot models pull resemblyzer).'],
  };
}

const convo = (a: AudioAnalysis): Conversation => ({
  turns: [{ role: 'user', parts: [{ kind: 'audio', index: 0, analysis: a, mimeType: 'audio/wav' }] }],
});

test('Duration strings as protobuf JSON writes them', () => {
  assert.equal(durationString(1.25), '1.250s');
  assert.equal(durationString(2), '2s');
  assert.equal(durationString(0.0004), '0s');
  assert.equal(durationString(61.0456), '61.046s');
});

test('the config: absent is undefined, deprecated spellings fold in, SMART with timestamps or diarization is a 400', () => {
  assert.equal(readTranscriptionConfig(undefined), undefined);
  const c = readTranscriptionConfig({ languageHints: { languageCodes: ['es-ES'] }, adaptationPhrases: ['Zyx'], mode: 2 })!;
  assert.deepEqual(c.languageCodes, ['es-ES']);
  assert.deepEqual(c.customVocabulary, ['Zyx']);
  assert.equal(c.mode, 'SMART');
  for (const [bad, fields] of [
    [{ mode: 'SMART', wordTimestamp: true }, 'word_timestamp'],
    [{ mode: 'SMART', diarization: true }, 'diarization'],
    [{ mode: 'SMART', diarization: true, wordTimestamp: true }, 'word_timestamp and diarization'],
  ] as const) {
    assert.throws(
      () => readTranscriptionConfig(bad),
      (e) => {
        assert.ok(isEarshotError(e, 'API_TRANSCRIPTION_SMART_CONFLICT'));
        const wire = toWireError(e);
        assert.equal(wire.httpStatus, 400);
        assert.equal(wire.body.error.status, 'INVALID_ARGUMENT');
        assert.ok(wire.body.error.message.includes(`${fields} cannot be used with mode SMART`), wire.body.error.message);
        return true;
      },
    );
  }
  assert.equal(readTranscriptionConfig({ mode: 'VERBATIM', diarization: true, wordTimestamp: true })!.mode, 'VERBATIM');
});

test('VERBATIM: a part per segment with offsets; speaker labels and words only when asked', () => {
  const a = analysis([
    seg(0.5, 2.25, 'Hello there.', { speaker: 'spk_1', language: 'en' }),
    seg(3, 4.5, 'Hola amigo.', { speaker: 'spk_2', language: 'es' }),
  ]);
  const plain = transcriptionAnswer(convo(a), readTranscriptionConfig({})!);
  assert.equal(plain.parts.length, 2);
  const t0 = plain.parts[0]!.audioTranscription!;
  assert.deepEqual(t0, { text: 'Hello there.', languageCode: 'en', startOffset: '0.500s', endOffset: '2.250s' });
  assert.equal(plain.parts.map((p) => p.text).join(''), 'Hello there.\nHola amigo.');
  const full = transcriptionAnswer(convo(a), readTranscriptionConfig({ diarization: true, wordTimestamp: true })!);
  assert.deepEqual(
    full.parts.map((p) => p.audioTranscription!.speakerLabel),
    ['spk_1', 'spk_2'],
  );
  assert.deepEqual(full.parts[1]!.audioTranscription!.words, [
    { word: 'Hola', startOffset: '3s', endOffset: '3.750s' },
    { word: 'amigo.', startOffset: '3.750s', endOffset: '4.500s' },
  ]);
  assert.deepEqual(full.notices, []);
});

test('diarization asked of an analysis made without a speaker model: FAILED_PRECONDITION saying how to get one', () => {
  const a = analysis([seg(0, 1, 'Hello.')], false);
  assert.throws(
    () => transcriptionAnswer(convo(a), readTranscriptionConfig({ diarization: true })!),
    (e) => {
      assert.ok(isEarshotError(e, 'API_DIARIZATION_UNAVAILABLE'));
      const w = toWireError(e);
      assert.equal(w.body.error.status, 'FAILED_PRECONDITION');
      assert.match(w.body.error.message, /earshot models pull resemblyzer/);
      return true;
    },
  );
  // without diarization the same analysis answers, with no speaker labels at all
  const ok = transcriptionAnswer(convo(a), readTranscriptionConfig({})!);
  assert.equal(ok.parts[0]!.audioTranscription!.speakerLabel, undefined);
});

test('no audio in the prompt, and audio whose speech was not transcribed, are refused', () => {
  assert.throws(
    () => transcriptionAnswer({ turns: [{ role: 'user', parts: [{ kind: 'text', text: 'hi' }] }] }, readTranscriptionConfig({})!),
    (e) => isEarshotError(e, 'API_TRANSCRIPTION_NO_AUDIO'),
  );
  const none = {
    ...analysis([]),
    engines: { vad: 'silero' },
    warnings: ['No speech engine is installed: run earshot models pull whisper-base.'],
  };
  assert.throws(
    () => transcriptionAnswer(convo(none), readTranscriptionConfig({})!),
    (e) => isEarshotError(e, 'API_TRANSCRIPTION_NOT_ANALYSED') && /earshot models pull whisper-base/.test((e as Error).message),
  );
});

test('hints the analysis was not made with (the engine cannot use them) are reported, never claimed', () => {
  // the base analysis (no `hints`): neither hint shaped it
  const a = analysis([seg(0, 1, 'Hola amigo.', { language: 'es' })]);
  const asked = transcriptionAnswer(convo(a), readTranscriptionConfig({ languageCodes: ['en-US'], customVocabulary: ['Zyxlander'] })!);
  assert.equal(asked.notices.length, 2);
  assert.match(asked.notices.join(' '), /customVocabulary was not applied: the speech engine \(whisper\) takes no vocabulary/);
  assert.match(asked.notices.join(' '), /languageCodes were not applied/);
  // a hinted analysis that used both: nothing to report
  const hinted = { ...a, hints: { languageCodes: ['en-US'], vocabulary: ['Zyxlander'] } };
  assert.deepEqual(
    transcriptionAnswer(convo(hinted), readTranscriptionConfig({ languageCodes: ['en-US'], customVocabulary: ['Zyxlander'] })!).notices,
    [],
  );
  // one that could use the vocabulary only (an English-only model): the languages are reported
  const vocabOnly = { ...a, hints: { vocabulary: ['Zyxlander'] } };
  const partly = transcriptionAnswer(
    convo(vocabOnly),
    readTranscriptionConfig({ languageCodes: ['en-US'], customVocabulary: ['Zyxlander'] })!,
  );
  assert.deepEqual(partly.notices.length, 1);
  assert.match(partly.notices[0]!, /^languageCodes were not applied/);
});

test('a language no recogniser knows is a 400 before any audio is queued', () => {
  assert.throws(
    () => transcriptionHints(readTranscriptionConfig({ languageCodes: ['xx-YY'] })!),
    (e) => isEarshotError(e, 'SPEECH_LANGUAGE_UNSUPPORTED') && toWireError(e).httpStatus === 400,
  );
  assert.deepEqual(transcriptionHints(readTranscriptionConfig({ languageCodes: ['es_mx', 'es-MX'], customVocabulary: ['b', ' a '] })!), {
    languageCodes: ['es-MX'],
    vocabulary: ['a', 'b'],
  });
});

test('SMART: fillers and stutters go, words and their order stay, sentences are formatted, pauses make paragraphs', () => {
  assert.equal(removeDisfluencies('so, um, we we went uh to the the market'), 'so, we went to the market');
  assert.equal(removeDisfluencies('I know that that is true and she had had enough'), 'I know that that is true and she had had enough');
  assert.equal(removeDisfluencies('it was fine, um.'), 'it was fine.');
  assert.equal(formatSentences('well i think so . and then we left'), 'Well I think so. And then we left.');
  assert.equal(formatSentences("i'm sure, i've seen it"), "I'm sure, I've seen it.");
  const a = analysis([seg(0, 2, 'um so i i think'), seg(2.3, 4, 'we should uh go'), seg(7, 9, 'erm okay then')]);
  const paras = smartParagraphs(a.segments);
  assert.deepEqual(
    paras.map((p) => p.text),
    ['So I think we should go.', 'Okay then.'],
  );
  const answer = transcriptionAnswer(convo(a), readTranscriptionConfig({ mode: 'SMART' })!);
  assert.deepEqual(
    answer.parts.map((p) => p.audioTranscription),
    [{ text: 'So I think we should go.' }, { text: 'Okay then.' }],
  );
  assert.equal(answer.parts.map((p) => p.text).join(''), 'So I think we should go.\n\nOkay then.');
});
