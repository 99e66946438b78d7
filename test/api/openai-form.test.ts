// The OpenAI-compatible routes under arbitrary forms (fast-check): whatever fields, values and file bytes arrive, the
// answer is a 4xx in OpenAI's error shape naming a real parameter, never a 500, and the server keeps serving. A real
// server (engines off: no audio here decodes to speech, so nothing is analysed) behind real HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startServer, type Running } from '../e2e/harness.js';
import { letterOf } from '../../src/api/openai/answers.js';
import { toOpenAiError } from '../../src/api/openai/wire-errors.js';
import { EarshotError } from '../../src/domain/errors.js';

let server: Running;

before(async () => {
  server = await startServer({ offline: true, engines: { speech: 'none', sounds: 'none', vad: 'none', speakers: 'none' } });
});

after(async () => {
  await server.close();
});

const FIELDS = [
  'model',
  'language',
  'prompt',
  'response_format',
  'temperature',
  'stream',
  'timestamp_granularities[]',
  'timestamp_granularities',
  'junk',
];
const PARAMS = new Set([
  null,
  'file',
  'model',
  'language',
  'prompt',
  'response_format',
  'temperature',
  'stream',
  'timestamp_granularities',
]);

test('arbitrary forms get 4xx answers in OpenAI shape, never a 500', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('transcriptions', 'translations'),
      fc.array(
        fc.tuple(
          fc.constantFrom(...FIELDS),
          fc.oneof(
            fc.string({ maxLength: 12 }),
            fc.constantFrom('json', 'verbose_json', 'srt', 'word', 'segment', 'true', '0.5', '-1', 'en', 'diarized_json'),
          ),
        ),
        { maxLength: 6 },
      ),
      fc.option(fc.uint8Array({ maxLength: 256 }), { nil: undefined }),
      fc.constantFrom('audio/wav', 'application/octet-stream', 'text/plain'),
      async (route, fields, bytes, type) => {
        const form = new FormData();
        for (const [k, v] of fields) form.append(k, v);
        if (bytes) form.append('file', new File([bytes], 'clip.wav', { type }));
        const res = await fetch(`${server.url}/v1/audio/${route}`, {
          method: 'POST',
          body: form,
          headers: { authorization: 'Bearer fuzz' },
        });
        const body = (await res.json()) as { error?: { message: string; type: string; param: string | null; code: string | null } };
        assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${JSON.stringify(body)}`);
        assert.equal(body.error?.type, 'invalid_request_error');
        assert.ok(body.error.message.length > 0);
        assert.ok(PARAMS.has(body.error.param), `param ${body.error.param}`);
        assert.equal(typeof body.error.code, 'string');
      },
    ),
    { numRuns: 60 },
  );
  const alive = await fetch(`${server.url}/healthz`);
  assert.equal(alive.status, 200);
});

test('speaker letters follow OpenAI: A, B, … Z, AA', () => {
  assert.deepEqual(['spk_1', 'spk_2', 'spk_26', 'spk_27', 'spk_28', 'other'].map(letterOf), ['A', 'B', 'Z', 'AA', 'AB', 'other']);
});

test('a bug is a 500 server_error that shows no internals', () => {
  const out = toOpenAiError(new TypeError('x is undefined at /srv/earshot/src/api/openai/answers.ts:12'), {
    maxRequestBytes: 1,
    privateRoots: [],
    maxFileBytes: 1,
  });
  assert.equal(out.httpStatus, 500);
  assert.equal(out.body.error.type, 'server_error');
  assert.equal(out.body.error.message, 'Internal error encountered.');
  assert.ok(out.unexpected);
  const known = toOpenAiError(new EarshotError('OPENAI_FIELD_MISSING', { field: 'model' }, { facts: { param: 'model' } }), {
    maxRequestBytes: 1,
    privateRoots: [],
    maxFileBytes: 1,
  });
  assert.deepEqual(known, {
    httpStatus: 400,
    body: {
      error: {
        message: "Missing required parameter: 'model'.",
        type: 'invalid_request_error',
        param: 'model',
        code: 'missing_required_parameter',
      },
    },
    unexpected: false,
  });
});
