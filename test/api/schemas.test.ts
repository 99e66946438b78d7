// Route schemas through Fastify's validator, worded as Gemini words each failure: generation_config
// types and ranges (both proto spellings, also inside countTokens' generateContentRequest), list queries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type Running } from '../e2e/harness.js';
import { protoPath } from '../../src/api/schemas.js';

let s: Running;
before(async () => {
  s = await startServer({ offline: true });
});
after(async () => s.close());

async function post(method: string, body: unknown) {
  const res = await fetch(`${s.url}/v1beta/models/gemini-2.5-flash:${method}`, {
    method: 'POST',
    headers: { 'x-goog-api-key': 'schema', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { error?: { code: number; status: string; message: string }; totalTokens?: number },
  };
}

const contents = [{ parts: [{ text: 'hello there' }] }];

test("generation_config fields: Gemini's messages for types and ranges, in either spelling", async () => {
  const cases: [object, string][] = [
    [{ generation_config: { temperature: 3 } }, '* GenerateContentRequest.generation_config.temperature: 3 is out of range [0, 2].'],
    [{ generationConfig: { topP: -0.5 } }, '* GenerateContentRequest.generation_config.top_p: -0.5 is out of range [0, 1].'],
    [{ generation_config: { top_k: 1.5 } }, "Invalid value at 'generation_config.top_k': 1.5 is not an integer."],
    [{ generationConfig: { temperature: 'hot' } }, `Invalid value at 'generation_config.temperature': "hot" is not a number.`],
    [
      { generationConfig: { maxOutputTokens: 0 } },
      '* GenerateContentRequest.generation_config.max_output_tokens: 0 is out of range [1, 65536].',
    ],
    [
      { generationConfig: { stopSequences: ['a', 'b', 'c', 'd', 'e', 'f'] } },
      '* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed.',
    ],
    [{ generationConfig: { stopSequences: ['a', 3] } }, "Invalid value at 'generation_config.stop_sequences': expected a list of strings."],
    [
      { generationConfig: { responseMimeType: 'text/html' } },
      '* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are `text/plain`, `application/json`, `text/x.enum`.',
    ],
    [{ generationConfig: [] }, "Invalid value at 'generation_config': expected an object."],
    [
      { generationConfig: { responseSchema: 'x', responseMimeType: 'application/json' } },
      "Invalid value at 'generation_config.response_schema': expected a Schema object.",
    ],
  ];
  for (const [extra, message] of cases) {
    const r = await post('generateContent', { contents, ...extra });
    assert.equal(r.status, 400, JSON.stringify(extra));
    assert.deepEqual(r.body, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
  }
});

test('countTokens checks the generation_config inside generateContentRequest too; null fields read as unset', async () => {
  const r = await post('countTokens', {
    generateContentRequest: { model: 'models/gemini-2.5-flash', contents, generationConfig: { temperature: 9 } },
  });
  assert.equal(r.body.error?.message, '* GenerateContentRequest.generation_config.temperature: 9 is out of range [0, 2].');
  const ok = await post('countTokens', {
    generateContentRequest: { model: 'models/gemini-2.5-flash', contents, generationConfig: { temperature: null, topK: 40 } },
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.ok(ok.body.totalTokens! > 0);
});

test('list queries: page_size must be a non-negative integer', async () => {
  for (const path of ['files?pageSize=-1', 'files?page_size=abc', 'models?pageSize=1.5']) {
    const res = await fetch(`${s.url}/v1beta/${path}`, { headers: { 'x-goog-api-key': 'schema' } });
    const body = (await res.json()) as { error: { message: string; status: string } };
    assert.equal(res.status, 400, path);
    assert.equal(body.error.status, 'INVALID_ARGUMENT');
    assert.match(body.error.message, /^Invalid page_size .+: it must be a non-negative integer\.$/);
  }
  assert.equal((await fetch(`${s.url}/v1beta/files?pageSize=3`, { headers: { 'x-goog-api-key': 'schema' } })).status, 200);
});

test('protoPath writes Ajv instance paths as proto field paths', () => {
  assert.equal(protoPath('/contents/0/parts/1/inlineData'), 'contents[0].parts[1].inline_data');
  assert.equal(protoPath(''), '');
});
