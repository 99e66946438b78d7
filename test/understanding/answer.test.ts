// The answering service's error contract: a response schema the request cannot have is a catalogued 400 with
// Gemini's field path (the same text as before the catalogue), while a bug inside an answer writer passes through
// as an uncatalogued error, which the API's one error mapping (src/api/respond.ts) answers as 500 INTERNAL.
// Real composer, real ajv, real config resolution; the broken analysis stands in for a writer bug.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composerAnswerer, collectAnswer, type AnswerRequest } from '../../src/understanding/answer.js';
import { answererFactory } from '../../src/understanding/backends.js';
import { resolveConfig } from '../../src/config.js';
import { EarshotError, isEarshotError } from '../../src/domain/errors.js';
import { toApiError } from '../../src/api/respond.js';
import type { AudioAnalysis } from '../../src/domain/analysis.js';
import { tempDir } from '../helpers.js';
import { ask, audio, jfk } from './fixtures.js';

const FIELD = '* GenerateContentRequest.generation_config.response_schema:';
const answerer = composerAnswerer(undefined, [], 'configure a model');
const run = (prompt: string, req: AnswerRequest, analysis: AudioAnalysis = jfk()) =>
  collectAnswer(answerer.answer(ask(prompt, audio(analysis)), req));
const wire = (err: unknown) => toApiError(err, { maxRequestBytes: 1 << 20, privateRoots: [] }).toJSON().error;

async function refusal(req: AnswerRequest, code: string, message: string): Promise<void> {
  const err = await run('Transcribe this.', req).then(
    () => assert.fail('the answer should have been refused'),
    (e: unknown) => e,
  );
  assert.ok(isEarshotError(err), `${code}: got ${String(err)}`);
  assert.equal(err.code, code);
  assert.equal(err.status, 'INVALID_ARGUMENT');
  assert.equal(err.httpStatus, 400);
  assert.equal(err.message, `${FIELD} ${message}`);
  assert.deepEqual(wire(err), { code: 400, message: `${FIELD} ${message}`, status: 'INVALID_ARGUMENT' });
}

test('an answer comes back whole with the composer grounding and structure', async () => {
  const outcome = await run('Transcribe this.', {});
  assert.match(outcome.text, /ask not what your country can do for you/);
  assert.equal(outcome.finishReason, 'STOP');
  assert.equal(outcome.outputTokens, undefined, 'no tokenizer given, so no count is claimed');
  assert.equal(outcome.data?.kind, 'transcript');
  assert.ok(outcome.grounding?.length);
});

test("a schema ajv cannot compile is SCHEMA_INVALID, 400, with ajv's reason", async () => {
  const err = await run('Transcribe this.', { responseMimeType: 'application/json', responseSchema: { type: 'no-such-type' } }).catch(
    (e: unknown) => e,
  );
  assert.ok(isEarshotError(err, 'SCHEMA_INVALID'), String(err));
  assert.equal(err.httpStatus, 400);
  assert.match(
    err.message,
    /^\* GenerateContentRequest\.generation_config\.response_schema: The response schema is not a valid JSON Schema \(schema is invalid: .*type.*\); fix the schema or leave it out\.$/,
  );
});

test('schema refusals keep the text they had before the catalogue', async () => {
  await refusal(
    { responseMimeType: 'application/json', responseSchema: { $ref: 'https://example.com/s.json' } },
    'SCHEMA_REF_NOT_LOCAL',
    'The response schema refers to "https://example.com/s.json"; only local references (#/...) are supported.',
  );
  await refusal(
    { responseMimeType: 'application/json', responseSchema: { $ref: '#/$defs/missing' } },
    'SCHEMA_REF_DANGLING',
    'The response schema\'s reference "#/$defs/missing" points nowhere; fix the schema.',
  );
  await refusal(
    { responseMimeType: 'text/x.enum', responseSchema: { type: 'string' } },
    'SCHEMA_ENUM_MISSING',
    'responseMimeType "text/x.enum" needs a responseSchema with an enum of strings; add one or use text/plain.',
  );
  const err = await run('Transcribe this.', {
    responseMimeType: 'application/json',
    responseSchema: { type: 'string', not: { type: 'string' } },
  }).catch((e: unknown) => e);
  assert.ok(isEarshotError(err, 'SCHEMA_UNSATISFIABLE'), String(err));
  assert.match(
    err.message,
    /^\* GenerateContentRequest\.generation_config\.response_schema: Could not produce JSON matching the response schema \(\[.*"not".*\]\); simplify the schema/,
  );
});

test('a bug inside an answer writer is not blamed on the request: it passes through and maps to 500 INTERNAL', async () => {
  // an analysis without its segments array makes the transcript writer throw a TypeError, as a writer bug would
  const broken = { ...jfk(), segments: null } as unknown as AudioAnalysis;
  const err = await run('Transcribe this.', { responseMimeType: 'application/json', responseSchema: { type: 'object' } }, broken).catch(
    (e: unknown) => e,
  );
  assert.ok(err instanceof TypeError, `expected the writer's own TypeError, got ${String(err)}`);
  assert.ok(!(err instanceof EarshotError));
  assert.deepEqual(wire(err), { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' });
});

test('a language model that is not installed is one catalogued error, the same on every load', async () => {
  const tmp = tempDir();
  try {
    const config = resolveConfig({ modelsDir: tmp.dir, engines: { text: 'llama', llamaModel: 'no-such-model' } }, {});
    const load = answererFactory(config, undefined, []);
    const first = await load().catch((e: unknown) => e);
    const second = await load().catch((e: unknown) => e); // a failed load is retried, and fails the same way
    for (const err of [first, second]) {
      assert.ok(isEarshotError(err, 'TEXT_MODEL_NOT_INSTALLED'), String(err));
      assert.equal(err.status, 'INTERNAL');
      assert.match(
        err.message,
        /^The language model no-such-model is not installed \(looked for .*no-such-model\.gguf\); run `earshot models pull no-such-model`\.$/,
      );
    }
    assert.deepEqual(wire(first), wire(second));
  } finally {
    tmp.cleanup();
  }
});
