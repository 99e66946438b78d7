import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { composeAnswer } from '../../src/understanding/composer.js';
import { geminiSchemaToJsonSchema } from '../../src/understanding/schema.js';
import { ask, audio, dogs, jfk, longTalk, siren, untranscribed } from './fixtures.js';

const ajv = new Ajv({ strict: false, allErrors: true });

/** compose in JSON mode and check the output with an independent ajv instance */
function jsonAnswer(prompt: string, schema: object | undefined, ...parts: Parameters<typeof ask>[1][]) {
  const r = composeAnswer(ask(prompt, ...parts), { responseMimeType: 'application/json', responseSchema: schema });
  const value = JSON.parse(r.text);
  if (schema) {
    const ok = ajv.validate(schema, value);
    assert.ok(ok, `${prompt}: ${JSON.stringify(ajv.errors)} for ${r.text.slice(0, 300)}`);
  }
  return value;
}

const GEMINI_TRANSCRIPT = {
  type: 'OBJECT',
  properties: {
    segments: {
      type: 'ARRAY',
      items: {
        type: 'OBJECT',
        properties: {
          timestamp: { type: 'STRING' },
          speaker: { type: 'STRING' },
          text: { type: 'STRING' },
          language: { type: 'STRING', nullable: true },
        },
        required: ['timestamp', 'text'],
        propertyOrdering: ['timestamp', 'speaker', 'text', 'language'],
      },
    },
    summary: { type: 'STRING' },
  },
  required: ['segments', 'summary'],
};

test('geminiSchemaToJsonSchema converts types, nullable, ordering, enum, formats', () => {
  const js = geminiSchemaToJsonSchema({
    type: 'OBJECT',
    properties: {
      b: { type: 'INTEGER', format: 'int32', minimum: 0 },
      a: { type: 'STRING', nullable: true, enum: ['x', 'y'], format: 'enum' },
      c: { type: 'ARRAY', items: { type: 'NUMBER' }, minItems: '1', maxItems: '3' },
      d: { anyOf: [{ type: 'STRING' }, { type: 'BOOLEAN' }] },
      e: { type: 'string', format: 'date-time' },
    },
    required: ['a'],
    propertyOrdering: ['a', 'b'],
  }) as any;
  assert.deepEqual(Object.keys(js.properties), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(js.properties.a, { type: ['string', 'null'], enum: ['x', 'y', null] });
  assert.deepEqual(js.properties.b, { type: 'integer', minimum: 0 });
  assert.deepEqual(js.properties.c, { type: 'array', items: { type: 'number' }, minItems: 1, maxItems: 3 });
  assert.deepEqual(js.properties.d, { anyOf: [{ type: 'string' }, { type: 'boolean' }] });
  assert.equal(js.properties.e.format, 'date-time');
  assert.equal(js.propertyOrdering, undefined);
  assert.ok(ajv.validateSchema(js));
});

test('Gemini-style transcript schema: segments with timestamps filled from the analysis', () => {
  const schema = geminiSchemaToJsonSchema(GEMINI_TRANSCRIPT);
  const v = jsonAnswer('Transcribe this with timestamps', schema, audio(longTalk(12)));
  assert.equal(v.segments.length, 12);
  assert.equal(v.segments[1].timestamp, '05:00');
  assert.match(v.segments[1].text, /^Part 2:/);
  assert.ok(v.summary.length > 0);
  const j = jsonAnswer('Transcribe from 0:03 to 0:07', schema, audio(jfk()));
  assert.deepEqual(
    j.segments.map((s: any) => s.text),
    ['ask not what your country can do for'],
  );
});

test('plain JSON Schemas of several shapes always validate', () => {
  const schemas: [string, object, (v: any) => void][] = [
    [
      'Is there a siren?',
      {
        type: 'object',
        properties: { present: { type: 'boolean' }, answer: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
        required: ['present', 'answer', 'confidence'],
        additionalProperties: false,
      },
      (v) => {
        assert.equal(v.present, true);
        assert.ok(v.confidence > 0.5);
      },
    ],
    [
      'Is there a dog?',
      { type: 'object', properties: { present: { type: 'boolean' } }, required: ['present'] },
      (v) => assert.equal(v.present, false),
    ],
    [
      'How many times does the dog bark?',
      {
        type: 'object',
        properties: {
          count: { type: 'integer', minimum: 0 },
          events: {
            type: 'array',
            items: {
              type: 'object',
              properties: { label: { type: 'string' }, start: { type: 'number' }, end: { type: 'number' } },
              required: ['label', 'start', 'end'],
            },
          },
        },
        required: ['count', 'events'],
      },
      (v) => {
        assert.equal(v.count, 3);
        assert.ok(v.events.some((e: any) => e.label === 'Dog' && e.start === 0.2));
      },
    ],
    [
      'Describe it',
      {
        type: 'object',
        properties: {
          description: { type: 'string', maxLength: 40 },
          sounds: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 },
          duration: { type: 'number' },
        },
        required: ['description', 'sounds', 'duration'],
      },
      (v) => {
        assert.ok(v.description.length <= 40);
        assert.equal(v.sounds[0], 'Fire engine, fire truck (siren)');
        assert.equal(v.duration, 7.4);
      },
    ],
    [
      'Describe it',
      {
        type: 'object',
        properties: {
          category: { type: 'string', enum: ['music', 'speech', 'siren', 'animal'] },
          tags: { type: 'array', items: { type: 'string' }, minItems: 3, uniqueItems: true },
        },
        required: ['category', 'tags'],
      },
      (v) => assert.equal(v.category, 'siren'),
    ],
    [
      'Describe it',
      {
        type: 'array',
        items: {
          type: 'object',
          properties: { label: { type: 'string' }, start: { type: 'string', pattern: '^\\d{2}:\\d{2}$' } },
          required: ['label', 'start'],
        },
      },
      (v) => assert.equal(v[0].start, '00:00'),
    ],
    ['Describe it', { type: 'string', minLength: 5 }, (v) => assert.match(v, /siren/i)],
    [
      'Describe it',
      {
        type: 'object',
        properties: {
          result: {
            anyOf: [
              { type: 'null' },
              {
                type: 'object',
                properties: { name: { type: 'string' }, n: { type: 'integer', exclusiveMinimum: 2 } },
                required: ['name', 'n'],
              },
            ],
          },
        },
        required: ['result'],
      },
      (v) => assert.ok(v.result === null || v.result.n > 2),
    ],
    [
      'Describe it',
      {
        $defs: { ev: { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] } },
        type: 'object',
        properties: { events: { type: 'array', items: { $ref: '#/$defs/ev' } } },
        required: ['events'],
      },
      () => {},
    ],
  ];
  for (const [prompt, schema, check] of schemas) {
    const clip = /dog/.test(prompt) && /many/.test(prompt) ? dogs() : siren();
    const v = jsonAnswer(prompt, schema, audio(clip));
    check(v);
  }
});

test('JSON mode validates for every intent and clip, including missing speech', () => {
  const schema = geminiSchemaToJsonSchema({
    type: 'OBJECT',
    properties: {
      answer: { type: 'STRING', minLength: 1 },
      transcript: { type: 'STRING' },
      language: { type: 'STRING', enum: ['en', 'fr', 'unknown'] },
      duration_seconds: { type: 'NUMBER' },
      speakers: { type: 'INTEGER' },
      keywords: { type: 'ARRAY', items: { type: 'STRING' }, maxItems: 3 },
      sound_events: {
        type: 'ARRAY',
        items: { type: 'OBJECT', properties: { label: { type: 'STRING' }, start: { type: 'NUMBER' }, score: { type: 'NUMBER' } } },
      },
    },
    // speakers is optional: a required speaker count without diarization is a 400 (see facts.test.ts)
    required: ['answer', 'transcript', 'language', 'duration_seconds', 'keywords', 'sound_events'],
  });
  const prompts = [
    'Transcribe',
    'Summarize',
    'Describe',
    'Is there a dog?',
    'How many barks?',
    'When does the siren start?',
    'What language?',
    'How long is it?',
    'What does he ask?',
    'Translate to German',
    'Who is speaking?',
  ];
  for (const clip of [jfk(), siren(), dogs(), untranscribed(), longTalk(50)]) {
    for (const p of prompts) jsonAnswer(p, schema, audio(clip));
  }
  const v = jsonAnswer('Transcribe', schema, audio(jfk()));
  assert.equal(v.language, 'en');
  assert.equal(v.duration_seconds, 11);
  assert.match(v.transcript, /^And so my fellow Americans/);
});

test('JSON without a schema has the natural structure; several clips become a list', () => {
  const one = jsonAnswer('Transcribe with timestamps', undefined, audio(jfk(), 0, 'jfk.wav'));
  assert.equal(one.kind, 'transcript');
  assert.equal(one.name, 'jfk.wav');
  assert.equal(one.segments[0].timestamp, '00:00');
  const two = jsonAnswer('Describe both', undefined, audio(jfk(), 0), audio(siren(), 1));
  assert.equal(two.clips.length, 2);
  assert.equal(two.clips[1].audio, 2);
});

test('text/x.enum answers with one enum value', () => {
  const r = composeAnswer(ask('What is this sound?', audio(siren())), {
    responseMimeType: 'text/x.enum',
    responseSchema: { type: 'string', enum: ['dog', 'siren', 'music'] },
  });
  assert.equal(r.text, 'siren');
  const d = composeAnswer(ask('Is there a dog?', audio(dogs())), {
    responseMimeType: 'text/x.enum',
    responseSchema: { type: 'string', enum: ['no', 'yes'] },
  });
  assert.equal(d.text, 'yes');
});
