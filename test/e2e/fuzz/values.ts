// fast-check arbitraries for hostile values: odd strings and names, odd-typed JSON, and the request bodies
// of the model methods (generateContent / countTokens) built from Gemini's fields with every field liable
// to be the wrong type, too long, too deep or absent.
import fc from 'fast-check';
import { tinyWav } from './tiny-wav.js';

/** encodeURIComponent that takes any string (lone surrogates become U+FFFD, as they would on the wire). */
export const enc = (s: string): string =>
  encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/** What the generators may refer to: the server's URL, keys in play and files that exist. */
export interface World {
  base: string;
  keys: string[];
  fileIds: string[];
}

const ODD_STRINGS = [
  '',
  ' ',
  '.',
  '..',
  '../..',
  '../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '%2e%2e%2f',
  '%zz',
  '%',
  '%00',
  '%2F',
  'files%2Fabc',
  'files/abc',
  '\u0000',
  '\u202e',
  'ñ',
  '😀',
  '\ud800',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '__proto__',
  'constructor',
  'prototype',
  '{}',
  '[]',
  '"',
  "'",
  '<script>',
  '${x}',
  ';',
  ',',
  '*',
  '?',
  '#',
  '&',
  '=',
  '\\',
  '//',
];

export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 1, arbitrary: fc.integer({ min: 256, max: 6000 }).map((n) => 'a'.repeat(n)) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('é', '😀', 'x', '%'), fc.integer({ min: 100, max: 5000 })).map(([c, n]) => c.repeat(n)),
  },
);

/** Any JSON value, with the shapes that trip readers most (nulls, numbers as strings, arrays as objects). */
export const oddJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, '', [], {}, [null], { '': null }, '1', 'true') },
  { weight: 1, arbitrary: oddString },
);

/** A name as it may appear in a URL path segment: raw, encoded, double-encoded or with files/ in front. */
export function pathName(ids: string[]): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...(ids.length ? ids : ['none'])) }, { weight: 3, arbitrary: oddString });
  return fc.tuple(name, fc.constantFrom('raw', 'enc', 'enc2', 'files/', 'upper')).map(([n, mode]) => {
    switch (mode) {
      case 'raw':
        return n;
      case 'enc':
        return enc(n);
      case 'enc2':
        return enc(enc(n));
      case 'files/':
        return `files%2F${enc(n)}`;
      default:
        return enc(n.toUpperCase());
    }
  });
}

const MIME = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('audio/wav', 'audio/mp3', 'audio/mpeg', 'audio/ogg', 'audio/flac', 'audio/x-wav', 'audio/wav; codecs=1'),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('text/plain', 'application/pdf', 'image/png', 'video/mp4', 'application/octet-stream', '*/*', 'audio/'),
  },
  { weight: 1, arbitrary: oddJson },
);

const WAVS = [300, 440, 880].map((hz) => tinyWav(0.25, hz));

const inlineData = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...WAVS).map((w) => w.toString('base64')) },
  { weight: 1, arbitrary: fc.constantFrom(...WAVS).map((w) => w.toString('base64url')) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b).toString('base64')) },
  { weight: 1, arbitrary: fc.constantFrom(...WAVS).map((w) => w.subarray(0, 60).toString('base64')) },
  { weight: 2, arbitrary: oddJson },
);

function fileUri(w: World): fc.Arbitrary<unknown> {
  const id = fc.oneof(fc.constantFrom(...(w.fileIds.length ? w.fileIds : ['none'])), oddString);
  return fc.oneof(
    { weight: 3, arbitrary: id.map((i) => `${w.base}/v1beta/files/${i}`) },
    { weight: 2, arbitrary: id.map((i) => `files/${i}`) },
    { weight: 1, arbitrary: id.map((i) => `https://generativelanguage.googleapis.com/v1beta/files/${enc(i)}`) },
    { weight: 1, arbitrary: id.map((i) => `${w.base}/v1beta/files/${enc(i)}:analysis`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'file:///etc/passwd',
        'http://127.0.0.1:1/a.wav',
        'gs://bucket/a.wav',
        'https://example.invalid/a.mp3',
        `${w.base}/healthz`,
        `${w.base}/v1beta/files/`,
      ),
    },
    { weight: 1, arbitrary: oddJson },
  );
}

function part(w: World): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ text: fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 80 }) }, { weight: 1, arbitrary: oddJson }) }),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 60_000 }).map((n) => ({ text: 'word '.repeat(n / 5) })) },
    { weight: 3, arbitrary: fc.record({ inlineData: fc.record({ mimeType: MIME, data: inlineData }, { requiredKeys: [] }) }) },
    { weight: 1, arbitrary: fc.record({ inline_data: fc.record({ mime_type: MIME, data: inlineData }, { requiredKeys: [] }) }) },
    { weight: 3, arbitrary: fc.record({ fileData: fc.record({ fileUri: fileUri(w), mimeType: MIME }, { requiredKeys: [] }) }) },
    { weight: 1, arbitrary: fc.record({ file_data: fc.record({ file_uri: fileUri(w), mime_type: MIME }, { requiredKeys: [] }) }) },
    { weight: 1, arbitrary: fc.record({ functionCall: oddJson, thought: oddJson, text: oddJson }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: oddJson },
  );
}

function content(w: World): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record(
        { role: fc.oneof(fc.constantFrom('user', 'model', ''), oddJson), parts: fc.array(part(w), { maxLength: 4 }) },
        { requiredKeys: ['parts'] },
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: oddJson },
  );
}

const schema: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    { type: 'STRING' },
    { type: 'OBJECT', properties: { a: { type: 'INTEGER' }, b: { type: 'ARRAY', items: { type: 'STRING' } } }, required: ['a'] },
    { type: 'ARRAY', items: { type: 'NUMBER' }, minItems: 2, maxItems: 1 },
    { type: 'STRING', enum: ['yes', 'no'] },
    { type: 'STRING', enum: [] },
    { type: 'OBJECT', properties: {} },
    { type: 'BOGUS' },
    { anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }] },
    { $ref: '#' },
  ),
  oddJson,
);

const generationConfig: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        responseMimeType: fc.oneof(fc.constantFrom('text/plain', 'application/json', 'text/x.enum', 'text/csv'), oddJson),
        responseSchema: schema,
        responseJsonSchema: schema,
        maxOutputTokens: fc.oneof(fc.integer({ min: -5, max: 100 }), oddJson),
        temperature: fc.oneof(fc.double(), oddJson),
        topP: fc.oneof(fc.double(), oddJson),
        topK: oddJson,
        stopSequences: fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 8 }), oddJson),
        candidateCount: fc.oneof(fc.integer({ min: -1, max: 9 }), oddJson),
        seed: oddJson,
        thinkingConfig: oddJson,
        responseModalities: oddJson,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: oddJson },
);

/** A generateContent / countTokens body object (before serialisation). */
export function modelBody(w: World): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record(
        {
          contents: fc.oneof({ weight: 5, arbitrary: fc.array(content(w), { maxLength: 3 }) }, { weight: 1, arbitrary: oddJson }),
          systemInstruction: content(w),
          generationConfig,
          generation_config: generationConfig,
          tools: oddJson,
          safetySettings: oddJson,
          cachedContent: oddJson,
          generateContentRequest: fc.record({ model: oddJson, contents: fc.array(content(w), { maxLength: 2 }) }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: oddJson },
  );
}

const nested = (depth: number, open: string, close: string) => `{"contents":${open.repeat(depth)}1${close.repeat(depth)}}`;

/** The bytes of a JSON-ish request body: the object serialised, or broken, empty, deep, huge or not JSON at all. */
export function jsonBodyBytes(obj: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 12, arbitrary: obj.map((o) => Buffer.from(JSON.stringify(o) ?? 'null')) },
    {
      weight: 2,
      arbitrary: fc.tuple(obj, fc.nat()).map(([o, n]) => {
        const s = JSON.stringify(o) ?? '';
        return Buffer.from(s.slice(0, n % (s.length + 1)));
      }),
    },
    { weight: 1, arbitrary: obj.map((o) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(o) ?? '')])) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('', 'null', '[]', '{', '{"contents":', 'NaN', '{"contents": [1,]}', "{'contents': []}", '{"a":1}{"b":2}', '\u0000')
        .map((s) => Buffer.from(s)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'], ['[{"parts":', '}]']))
        .map(([d, [o, c]]) => Buffer.from(nested(d, o!, c!))),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.constantFrom(Buffer.from(JSON.stringify({ contents: [{ parts: [{ text: 'x'.repeat(4_300_000) }] }] }))) },
  );
}
