// The composer's streamed answers: several chunks (by line / segment and sentence), whose concatenation is exactly
// the non-streamed answer, for prose, speaker-labelled transcripts and JSON alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composerAnswerer, type AnswerRequest } from '../../src/understanding/answer.js';
import { composeAnswer } from '../../src/understanding/composer.js';
import { splitForStreaming } from '../../src/understanding/stream.js';
import { ask, audio, conversation, jfk, longTalk, siren } from './fixtures.js';

async function stream(
  prompt: string,
  a: Parameters<typeof audio>[0],
  req: AnswerRequest = {},
): Promise<{ chunks: string[]; text: string }> {
  const it = composerAnswerer(undefined, [], 'configure a model').answer(ask(prompt, audio(a)), req);
  const chunks: string[] = [];
  for (;;) {
    const step = await it.next();
    if (step.done) return { chunks, text: step.value.text };
    chunks.push(step.value);
  }
}

test('streamed answers come in several chunks that join to the non-streamed answer', async () => {
  const cases: [string, Parameters<typeof audio>[0], AnswerRequest?][] = [
    ['Generate a transcript with speaker labels', conversation()],
    ['Who is speaking?', conversation()],
    ['Describe this audio clip', siren()],
    ['Summarize the talk', longTalk(60)],
    ['Transcribe it with timestamps', longTalk(30)],
    ['Translate this into English', conversation()],
    ['Process the audio and transcribe it', conversation(), { responseMimeType: 'application/json' }],
  ];
  for (const [prompt, a, req] of cases) {
    const { chunks, text } = await stream(prompt, a, req);
    const whole = composeAnswer(ask(prompt, audio(a)), { ...req, llmHint: 'configure a model' }).text;
    assert.ok(chunks.length >= 2, `${prompt}: ${chunks.length} chunk(s)`);
    assert.ok(
      chunks.every((c) => c.length > 0),
      prompt,
    );
    assert.equal(chunks.join(''), whole, prompt);
    assert.equal(text, whole, prompt);
  }
  // a speaker-labelled transcript streams one segment per chunk
  const { chunks } = await stream('Generate a transcript with speaker labels', conversation());
  assert.deepEqual(
    chunks.map((c) => c.slice(0, 20)),
    ['[00:00] Speaker 1: G', '[00:03] Speaker 2: H', '[00:07] Speaker 1: T', '[00:10] Speaker 2: I'],
  );
  // one short sentence is one chunk
  assert.deepEqual(splitForStreaming('Hello.'), ['Hello.']);
  assert.equal((await stream('How long is the audio?', jfk())).chunks.length, 1);
});

test('splitting never loses or adds a character, whatever the text', () => {
  const texts = [
    '',
    'a',
    'One. Two! Three? Four…',
    'line\n\nline\n',
    'x'.repeat(1000),
    `${'word '.repeat(300)}end.`,
    'Dr. Smith said "hi." Then left.',
  ];
  for (const t of texts) {
    const chunks = splitForStreaming(t, { maxChunkChars: 50 });
    assert.equal(chunks.join(''), t);
    assert.ok(
      chunks.every((c) => c.length > 0 && c.length <= 50),
      JSON.stringify(chunks.slice(0, 3)),
    );
  }
});
