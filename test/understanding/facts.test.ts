// Speakers, languages, translation and emotion in answers (issue 11), from hand-built analyses: the Gemini audio
// guide's structured example with its exact schema, filled from facts only; plain prompts about speakers, language
// and translation; fields Earshot has no fact for left empty, defaulted as documented, or refused with a 400.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeAnswer } from '../../src/understanding/composer.js';
import { geminiSchemaToJsonSchema } from '../../src/understanding/schema.js';
import { isEarshotError } from '../../src/domain/errors.js';
import { emotionEvidence, speakerLabels, withFacts } from '../../src/understanding/facts.js';
import { ask, audio, conversation, jfk, undiarized } from './fixtures.js';

/** The guide's structured transcription example: its prompt and its responseSchema, as the REST API carries it. */
const SEED_PROMPT = `Process the audio file and generate a detailed transcription.

Requirements:
1. Identify distinct speakers (e.g., Speaker 1, Speaker 2, or names if context allows).
2. Provide accurate timestamps for each segment (Format: MM:SS).
3. Detect the primary language of each segment.
4. If the segment is in a language different than English, also provide the English translation.
5. Identify the primary emotion of the speaker in this segment. You MUST choose exactly one of the following: Happy, Sad, Angry, Neutral.
6. Provide a brief summary of the entire audio at the beginning.`;

const SEED_SCHEMA = {
  type: 'OBJECT',
  properties: {
    summary: { type: 'STRING', description: 'A concise summary of the audio content.' },
    segments: {
      type: 'ARRAY',
      description: 'List of transcribed segments with speaker and timestamp.',
      items: {
        type: 'OBJECT',
        properties: {
          speaker: { type: 'STRING' },
          timestamp: { type: 'STRING' },
          content: { type: 'STRING' },
          language: { type: 'STRING' },
          language_code: { type: 'STRING' },
          translation: { type: 'STRING' },
          emotion: { type: 'STRING', enum: ['happy', 'sad', 'angry', 'neutral'] },
        },
        required: ['speaker', 'timestamp', 'content', 'language', 'language_code', 'emotion'],
      },
    },
  },
  required: ['summary', 'segments'],
};

function seedAnswer(a: ReturnType<typeof conversation>): { summary: string; segments: Record<string, string>[] } {
  const r = composeAnswer(ask(SEED_PROMPT, audio(a)), {
    responseMimeType: 'application/json',
    responseSchema: geminiSchemaToJsonSchema(SEED_SCHEMA),
  });
  return JSON.parse(r.text);
}

test('the guide example: speakers, MM:SS, languages, translation and emotion come from the analysis', () => {
  const a = conversation();
  const v = seedAnswer(a);
  assert.equal(v.segments.length, a.segments.length);
  assert.deepEqual(
    v.segments.map((s) => s.speaker),
    ['Speaker 1', 'Speaker 2', 'Speaker 1', 'Speaker 2'],
  );
  assert.deepEqual(
    v.segments.map((s) => s.timestamp),
    ['00:00', '00:03', '00:07', '00:10'],
  );
  assert.deepEqual(
    v.segments.map((s) => s.content),
    a.segments.map((s) => s.text),
  );
  assert.deepEqual(
    v.segments.map((s) => s.language),
    ['English', 'Spanish', 'English', 'English'],
  );
  assert.deepEqual(
    v.segments.map((s) => s.language_code),
    ['en', 'es', 'en', 'en'],
  );
  // English segments are their own translation; the Spanish one has no translation fact, so it stays empty
  assert.equal(v.segments[0].translation, a.segments[0].text);
  assert.equal(v.segments[1].translation, '');
  // laughter over the third segment, a shout over the fourth; no vocal evidence elsewhere → the neutral default
  assert.deepEqual(
    v.segments.map((s) => s.emotion),
    ['neutral', 'neutral', 'happy', 'angry'],
  );
  assert.match(v.summary, /welcome to the show/);
  assert.ok(!v.summary.includes('What the analysis holds'), v.summary);
});

test('the guide example without diarization or language ID: empty facts, never invented ones', () => {
  const a = undiarized();
  const v = seedAnswer(a);
  for (const s of v.segments) {
    assert.equal(s.speaker, '');
    assert.equal(s.language, '');
    assert.equal(s.language_code, '');
    assert.equal(s.translation, '');
  }
  // the emotion comes from sound events, which do not need diarization
  assert.deepEqual(
    v.segments.map((s) => s.emotion),
    ['neutral', 'neutral', 'happy', 'angry'],
  );
});

test('a translation the analysis carries fills the field; a whole-file description never does', () => {
  const a = conversation();
  (a.segments[1] as unknown as { translation: string }).translation = 'Hello, thanks for having me on the show.';
  const v = seedAnswer(a);
  assert.equal(v.segments[1].translation, 'Hello, thanks for having me on the show.');
  const plain = seedAnswer(jfk());
  assert.equal(plain.segments[0].translation, '', 'jfk has no language per segment, so no translation fact');
  assert.ok(!/recording|heard/.test(plain.segments[0].translation));
});

test('a schema that demands a fact the analysis lacks is a 400 naming the field; optional ones are left out', () => {
  const demand = (field: object, required: boolean) => ({
    type: 'object',
    properties: {
      segments: {
        type: 'array',
        items: {
          type: 'object',
          properties: { text: { type: 'string' }, speaker: field },
          required: required ? ['text', 'speaker'] : ['text'],
        },
      },
    },
    required: ['segments'],
  });
  const strict = { type: 'string', minLength: 1 };
  assert.throws(
    () =>
      composeAnswer(ask('Transcribe', audio(undiarized())), { responseMimeType: 'application/json', responseSchema: demand(strict, true) }),
    (e: unknown) => isEarshotError(e, 'SCHEMA_NO_FACT') && /"speaker".*speaker label/.test((e as Error).message),
  );
  const optional = JSON.parse(
    composeAnswer(ask('Transcribe', audio(undiarized())), { responseMimeType: 'application/json', responseSchema: demand(strict, false) })
      .text,
  );
  assert.ok(optional.segments.every((s: object) => !('speaker' in s)));
  const diarized = JSON.parse(
    composeAnswer(ask('Transcribe', audio(conversation())), { responseMimeType: 'application/json', responseSchema: demand(strict, true) })
      .text,
  );
  assert.equal(diarized.segments[1].speaker, 'Speaker 2');
  // an emotion enum without a neutral value, for a segment with no vocal evidence
  const emotionSchema = {
    type: 'object',
    properties: {
      segments: {
        type: 'array',
        items: { type: 'object', properties: { emotion: { type: 'string', enum: ['Happy', 'Angry'] } }, required: ['emotion'] },
      },
    },
  };
  assert.throws(
    () => composeAnswer(ask('Transcribe', audio(conversation())), { responseMimeType: 'application/json', responseSchema: emotionSchema }),
    (e: unknown) => isEarshotError(e, 'SCHEMA_NO_FACT'),
  );
  // a speaker count is diarization's, never a guess
  const count = { type: 'object', properties: { speakers: { type: 'integer' } }, required: ['speakers'] };
  assert.equal(
    JSON.parse(
      composeAnswer(ask('How many speakers?', audio(conversation())), { responseMimeType: 'application/json', responseSchema: count }).text,
    ).speakers,
    2,
  );
  assert.throws(
    () => composeAnswer(ask('How many speakers?', audio(undiarized())), { responseMimeType: 'application/json', responseSchema: count }),
    (e: unknown) => isEarshotError(e, 'SCHEMA_NO_FACT'),
  );
});

test('facts: speaker labels in order of first appearance, emotion only from overlapping vocal sounds', () => {
  const a = conversation();
  assert.deepEqual(speakerLabels(a), ['spk_1', 'spk_2']);
  assert.deepEqual(speakerLabels(undiarized()), []);
  assert.equal(emotionEvidence(a, { start: 0, end: 7 }), undefined);
  assert.deepEqual(emotionEvidence(a, { start: 7.2, end: 10 })?.evidence.label, 'Laughter');
  // a segment cut from a turn gets the turn's speaker even when the segment itself carries no label
  const [cut] = withFacts({ ...a, segments: a.segments.map(({ speaker: _s, ...s }) => s) }, [{ start: 3.5, end: 5, text: 'gracias' }]);
  assert.equal(cut.speaker, 'spk_2');
  assert.equal(cut.language, 'es');
});

test('plain prompts: who speaks, how many, what the second said, with labels, which language', () => {
  const a = conversation();
  const say = (p: string, x = a) => composeAnswer(ask(p, audio(x))).text;
  assert.match(say('Who is speaking?'), /2 speakers.*Speaker 1 \(spk_1\).*Speaker 2 \(spk_2\)/s);
  assert.match(say('How many speakers are there?'), /^Diarization found 2 speakers/);
  const second = say('What did the second speaker say?');
  assert.match(second, /Speaker 2/);
  assert.match(second, /\[00:03\] Hola, gracias/);
  assert.match(second, /\[00:10\] I am still angry/);
  assert.doesNotMatch(second, /Good morning/);
  assert.match(say('What did the third speaker say?'), /found 2 speakers.*no third speaker/);
  const labelled = say('Generate a transcript with speaker labels').split('\n');
  assert.deepEqual(
    labelled.map((l) => /^\[(\d\d:\d\d)\] (Speaker \d): /.exec(l)?.slice(1)),
    [
      ['00:00', 'Speaker 1'],
      ['00:03', 'Speaker 2'],
      ['00:07', 'Speaker 1'],
      ['00:10', 'Speaker 2'],
    ],
  );
  assert.match(say('What language is this?'), /English \(en\).*Spanish \(es\)/s);
});

test('plain prompts without diarization say why, and never guess a speaker', () => {
  const a = undiarized();
  const say = (p: string) => composeAnswer(ask(p, audio(a))).text;
  for (const p of ['Who is speaking?', 'How many speakers are there?', 'What did the second speaker say?']) {
    const t = say(p);
    assert.match(t, /diarization is unavailable/i);
    assert.match(t, /no speaker model is installed/, 'the analysis warning says why');
    assert.doesNotMatch(t, /Speaker \d/);
  }
  const labelled = say('Generate a transcript with speaker labels');
  assert.match(labelled, /^Speaker diarization is unavailable/);
  assert.match(labelled, /\[00:03\] Hola, gracias/);
  assert.doesNotMatch(labelled, /Speaker \d:/);
  assert.match(say('What language is this?'), /did not identify the language/);
});

test('translation: from translation facts only; otherwise what it needs', () => {
  const a = conversation();
  const none = composeAnswer(ask('Translate this into English', audio(a)), { llmHint: 'start earshot with --llm <model.gguf>' }).text;
  assert.match(none, /needs a multilingual Whisper model/);
  assert.match(none, /--llm <model\.gguf>/);
  assert.match(none, /\(Spanish, not translated\) Hola/);
  (a.segments[1] as unknown as { translation: string }).translation = 'Hello, thanks for having me on the show.';
  const done = composeAnswer(ask('Translate this into English', audio(a))).text;
  assert.match(done, /^English translation from the speech engine/);
  assert.match(done, /\[00:03\] Hello, thanks for having me/);
  assert.doesNotMatch(done, /needs/);
  assert.match(composeAnswer(ask('Translate this into French', audio(a))).text, /into French needs a configured language model/);
});
