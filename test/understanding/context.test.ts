import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderGroundedContext } from '../../src/understanding/context.js';
import { splitForStreaming } from '../../src/understanding/stream.js';
import { composeAnswer } from '../../src/understanding/composer.js';
import { ask, audio, jfk, longTalk, siren, untranscribed } from './fixtures.js';
import type { Conversation } from '../../src/understanding/types.js';

test('grounded context: system instruction, transcript with [MM:SS-MM:SS], sound events with times', () => {
  const c = ask('Describe both', audio(jfk(), 0, 'jfk.wav'), audio(siren(), 1, 'firetruck.ogg'));
  c.system = 'Answer in one sentence.';
  const m = renderGroundedContext(c);
  assert.equal(m[0].role, 'system');
  assert.match(m[0].content, /only from this analysis/);
  assert.match(m[0].content, /Answer in one sentence\./);
  assert.equal(m[1].role, 'user');
  assert.match(m[1].content, /Audio 1 \(jfk\.wav, 0:11 long, language: English\):/);
  assert.match(m[1].content, /\[00:00-00:10\] And so my fellow Americans/);
  assert.match(m[1].content, /Audio 2 \(firetruck\.ogg, 0:07 long\):/);
  assert.match(m[1].content, /\[00:00-00:07\] Siren \(peak 0\.81\)/);
  assert.ok(m[1].content.endsWith('Describe both'));
});

test('grounded context is cut to the requested range', () => {
  const a = longTalk();
  const m = renderGroundedContext(ask('Summarize from 10:00 to 11:00', audio(a)));
  const lines = m[1].content.split('\n').filter((l) => /^\[\d\d:\d\d-\d\d:\d\d\] Part/.test(l) || /^\[\d\d:\d\d-\d\d:\d\d\] /.test(l));
  assert.ok(lines.length >= 15 && lines.length <= 18, `${lines.length}`);
  assert.match(m[1].content, /Only the requested part is shown: 10:00–11:00/);
  assert.doesNotMatch(m[1].content, /Part 1:|Part 500:/);
});

test('grounded context says when speech was not analysed, and keeps roles of a multi-turn chat', () => {
  const c: Conversation = {
    turns: [
      { role: 'user', parts: [audio(untranscribed()), { kind: 'text', text: 'Transcribe it' }] },
      { role: 'model', parts: [{ kind: 'text', text: 'Speech was not analysed.' }] },
      { role: 'user', parts: [{ kind: 'text', text: 'What sounds are there then?' }] },
    ],
  };
  const m = renderGroundedContext(c);
  assert.deepEqual(
    m.map((x) => x.role),
    ['system', 'user', 'assistant', 'user'],
  );
  assert.match(m[1].content, /Transcript: \(not available: Speech was not transcribed: no speech engine is installed/);
  assert.match(m[1].content, /Music/);
});

test('stream chunks concatenate to the whole answer, split at sentences and lines', () => {
  const texts = [
    composeAnswer(ask('Describe both', audio(jfk(), 0), audio(siren(), 1))).text,
    composeAnswer(ask('Transcribe with timestamps', audio(longTalk(30)))).text,
    composeAnswer(ask('Summarize', audio(longTalk()))).text,
    'one',
    '',
    'No punctuation here but it is long '.repeat(40),
  ];
  for (const t of texts) {
    const chunks = splitForStreaming(t, { maxChunkChars: 120 });
    assert.equal(chunks.join(''), t);
    assert.ok(chunks.every((c) => c.length > 0 && c.length <= 120));
    if (t.length > 200) assert.ok(chunks.length > 1);
  }
  const lines = splitForStreaming('[00:00] A.\n[00:05] B.\n');
  assert.deepEqual(lines, ['[00:00] A.\n', '[00:05] B.\n']);
});

test('a language model sees speaker labels and languages where the analysis has them, and is told when it has not', async () => {
  const { conversation, undiarized } = await import('./fixtures.js');
  const text = (a: ReturnType<typeof conversation>) =>
    renderGroundedContext(ask('Who said what?', audio(a)))
      .map((m) => m.content)
      .join('\n');
  const with_ = text(conversation());
  assert.match(with_, /Speakers \(diarization\): spk_1, spk_2/);
  assert.match(with_, /\[00:03-00:06\] spk_2 \(es\): Hola, gracias/);
  const without = text(undiarized());
  assert.match(without, /Speakers: not identified \(no diarization\)\./);
  assert.match(without, /\[00:03-00:06\] Hola, gracias/);
  assert.doesNotMatch(without, /\] spk_\d/);
});
