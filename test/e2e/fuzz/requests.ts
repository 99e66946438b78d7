// fast-check arbitraries for whole requests over Earshot's surface: the Files API and its uploads (resumable
// sessions step by step, multipart/related, media, the classic PUT), the model methods, models, ops
// endpoints, the playground and unknown routes, each with hostile keys, headers, lengths, methods and queries.
import fc from 'fast-check';
import type { RawRequest } from './raw-http.js';
import { enc, jsonBodyBytes, modelBody, oddJson, oddString, pathName, type World } from './values.js';
import { tinyWav } from './tiny-wav.js';

/**
 * One fuzz case: requests sent in order. In a step's path or header values `{UPLOAD_ID}` stands for the id of
 * the session the first step started and `{RECEIVED}` for the bytes the server last said it had received.
 */
export interface Case {
  route: string;
  steps: RawRequest[];
}

const VERSION = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('v1beta', 'v1', 'v1alpha') },
  { weight: 1, arbitrary: fc.constantFrom('v2', 'V1BETA', '', 'v1beta/') },
);
const ODD_METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'HEAD',
  'TRACE',
  'PROPFIND',
  'FOO',
  'get',
  'CONNECT',
  'M-SEARCH',
  'PURGE',
];

/** How the key travels: header, query, both (same or different), none, empty, or a Bearer token. */
function auth(w: World): fc.Arbitrary<{ headers: [string, string][]; query: string[] }> {
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...w.keys) }, { weight: 1, arbitrary: oddString });
  return fc
    .tuple(fc.constantFrom('header', 'header', 'query', 'query', 'both', 'none', 'empty', 'bearer', 'twice'), key, key)
    .map(([mode, k1, k2]) => {
      switch (mode) {
        case 'header':
          return { headers: [['x-goog-api-key', k1]], query: [] };
        case 'query':
          return { headers: [], query: [`key=${enc(k1)}`] };
        case 'both':
          return { headers: [['x-goog-api-key', k1]], query: [`key=${enc(k2)}`] };
        case 'empty':
          return { headers: [['x-goog-api-key', '']], query: ['key='] };
        case 'bearer':
          return { headers: [['authorization', `Bearer ${k1}`]], query: [] };
        case 'twice':
          return {
            headers: [
              ['x-goog-api-key', k1],
              ['x-goog-api-key', k2],
            ],
            query: [`key=${enc(k1)}`, `key=${enc(k2)}`],
          };
        default:
          return { headers: [], query: [] };
      }
    });
}

const queryParam = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        'alt',
        'pageSize',
        'page_size',
        'pageToken',
        'page_token',
        'upload_id',
        'uploadType',
        'fields',
        'prettyPrint',
        '$alt',
        'version',
        '',
      ),
      oddString,
    )
    .map(([k, v]) => `${k}=${enc(v)}`),
  fc.constantFrom(
    'alt=sse',
    'alt=json',
    'alt=media',
    'alt=proto',
    'pageSize=0',
    'pageSize=-1',
    'pageSize=1e3',
    'pageSize=100000000000000000000',
    'pageToken=%zz',
    'alt',
    '&&',
    '=',
    'key=%zz',
  ),
);

/** Headers that should not matter, or should be refused cleanly. */
const extraHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.tuple(
      fc.constantFrom(
        'content-type',
        'x-goog-upload-protocol',
        'x-goog-upload-command',
        'x-goog-upload-offset',
        'x-goog-upload-header-content-length',
        'x-goog-upload-header-content-type',
        'content-range',
        'accept',
        'x-http-method-override',
        'origin',
        'x-goog-user-project',
        'accept-encoding',
        'content-encoding',
        'x-request-id',
        'range',
        'if-none-match',
        'x-forwarded-host',
        'x-forwarded-proto',
      ),
      oddString,
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<[string, string]>(
      ['expect', '100-continue'],
      ['expect', 'something-else'],
      ['content-encoding', 'gzip'],
      ['transfer-encoding', 'gzip'],
      ['host', 'attacker.example'],
      ['content-length', 'abc'],
      ['content-length', '-1'],
      ['x-big', 'b'.repeat(20_000)],
      ['', 'no-name'],
    ),
  },
);

function withQuery(path: string, params: string[]): string {
  return params.length ? `${path}${path.includes('?') ? '&' : '?'}${params.join('&')}` : path;
}

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/JSON',
      '*/*',
      'application/json;;',
    ),
  },
  { weight: 1, arbitrary: oddString },
);

/** A body's Content-Length: true mostly, sometimes absent, short, long (then the body never completes) or chunked (well or badly). */
function framing(body: Buffer): fc.Arbitrary<{ body: Buffer; contentLength: RawRequest['contentLength']; te?: string }> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant({ body, contentLength: 'auto' as const }) },
    { weight: 1, arbitrary: fc.constant({ body, contentLength: 'omit' as const }) },
    { weight: 1, arbitrary: fc.nat(body.length).map((n) => ({ body, contentLength: Math.max(0, body.length - n - 1) })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 40_000_000 }).map((n) => ({ body, contentLength: body.length + n })) },
    {
      weight: 1,
      arbitrary: fc.boolean().map((good) => ({
        body: Buffer.concat([...(good ? [Buffer.from(`${body.length.toString(16)}\r\n`)] : []), body, Buffer.from('\r\n0\r\n\r\n')]),
        contentLength: 'omit' as const,
        te: 'chunked',
      })),
    },
  );
}

/** Assemble one request from its parts, with hostile variations applied on top. */
function request(
  w: World,
  method: fc.Arbitrary<string>,
  path: fc.Arbitrary<string>,
  body: fc.Arbitrary<Buffer>,
  headers: fc.Arbitrary<[string, string][]> = fc.constant([]),
): fc.Arbitrary<RawRequest> {
  return fc
    .tuple(
      fc.oneof({ weight: 12, arbitrary: method }, { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS) }),
      path,
      auth(w),
      fc.array(queryParam, { maxLength: 3 }),
      headers,
      fc.array(extraHeader, { maxLength: 2 }),
      body.chain(framing),
    )
    .map(([m, p, a, q, h, extra, f]) => ({
      method: m,
      path: withQuery(p, [...a.query, ...q]),
      headers: [...a.headers, ...h, ...extra, ...(f.te ? ([['transfer-encoding', f.te]] as [string, string][]) : [])],
      body: f.body,
      contentLength: f.contentLength,
    }));
}

const noBody = fc.oneof(
  { weight: 8, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 50 }).map((s) => Buffer.from(s)) },
);
const suffix = fc.constantFrom('', '', '', ':analysis', ':analysis', ':download', ':', '::analysis', ':ANALYSIS', '/', '/x');
const modelName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('gemini-2.5-flash', 'gemini-2.0-flash', 'gemini-2.5-pro', 'gemini-1.5-flash-latest') },
  { weight: 1, arbitrary: oddString.map(enc) },
);
const modelMethod = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('generateContent', 'streamGenerateContent', 'countTokens') },
  { weight: 1, arbitrary: fc.constantFrom('embedContent', 'batchGenerateContents', '', 'GENERATECONTENT', 'generateContent:x') },
);
const WAV = tinyWav(0.2);
const media = fc.oneof(
  { weight: 3, arbitrary: fc.constant(WAV) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 1, arbitrary: fc.constant(WAV.subarray(0, 50)) },
);
const uploadMeta = jsonBodyBytes(
  fc.oneof(
    fc.record(
      {
        file: fc.record(
          {
            displayName: fc.oneof(fc.string({ maxLength: 30 }), oddJson, fc.constant('d'.repeat(600))),
            name: fc.oneof(fc.string({ maxLength: 20 }), oddString, oddJson),
            mimeType: oddJson,
            display_name: oddJson,
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    oddJson,
  ),
);

function single(route: string, r: fc.Arbitrary<RawRequest>): fc.Arbitrary<Case> {
  return r.map((req) => ({ route, steps: [req] }));
}

/** A multipart/related body, well formed or broken in one of the ways clients and attackers break it. */
const multipart = fc
  .tuple(
    fc.constantFrom('b0undary', 'x'.repeat(70), '=_Part_0', '"quoted"', 'a b'),
    uploadMeta,
    media,
    fc.constantFrom('ok', 'no-close', 'other-boundary', 'no-media', 'lf-only', 'no-blank', 'three-parts', 'no-boundary-param', 'empty'),
  )
  .map(([b, meta, bytes, mode]) => {
    const bare = b.replace(/"/g, '');
    const nl = mode === 'lf-only' ? '\n' : '\r\n';
    const inBody = mode === 'other-boundary' ? 'zzz' : bare;
    const parts = [`--${inBody}${nl}Content-Type: application/json; charset=UTF-8${nl}${mode === 'no-blank' ? '' : nl}`, meta, `${nl}`];
    if (mode !== 'no-media') parts.push(`--${inBody}${nl}Content-Type: audio/wav${nl}${nl}`, bytes, nl);
    if (mode === 'three-parts') parts.push(`--${inBody}${nl}${nl}extra${nl}`);
    if (mode !== 'no-close') parts.push(`--${inBody}--${nl}`);
    const body = mode === 'empty' ? Buffer.alloc(0) : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    const ct = mode === 'no-boundary-param' ? 'multipart/related' : `multipart/related; boundary=${b}`;
    return { body, ct };
  });

/** A resumable session: a well-formed start, then 1–4 fuzzed commands on its URL (or the classic PUT). */
function session(w: World): fc.Arbitrary<Case> {
  const start: RawRequest = {
    method: 'POST',
    path: '/upload/v1beta/files',
    headers: [
      ['x-goog-api-key', w.keys[0]!],
      ['x-goog-upload-protocol', 'resumable'],
      ['x-goog-upload-command', 'start'],
      ['x-goog-upload-header-content-length', String(WAV.length)],
      ['x-goog-upload-header-content-type', 'audio/wav'],
      ['content-type', 'application/json'],
    ],
    body: Buffer.from(JSON.stringify({ file: { displayName: 'fuzz session' } })),
  };
  const command = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('upload', 'upload, finalize', 'finalize', 'query', 'cancel') },
    { weight: 1, arbitrary: fc.constantFrom('UPLOAD,FINALIZE', 'upload,upload', 'start', ' , ', 'query, cancel') },
    { weight: 1, arbitrary: oddString },
  );
  const offset = fc.oneof(
    { weight: 5, arbitrary: fc.constant('{RECEIVED}') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('0', '-1', '1e3', '99999999999999999999', '', ' 0', '0x10', String(WAV.length), String(2 ** 53)),
    },
    { weight: 1, arbitrary: oddString },
  );
  const chunk = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(fc.nat(WAV.length), fc.nat(WAV.length)).map(([a, b]) => WAV.subarray(Math.min(a, b), Math.max(a, b))),
    },
    { weight: 1, arbitrary: media },
  );
  const uploadId = fc.oneof(
    { weight: 8, arbitrary: fc.constant('{UPLOAD_ID}') },
    { weight: 1, arbitrary: oddString.map(enc) },
    { weight: 1, arbitrary: fc.constant('{UPLOAD_ID}x') },
  );
  const step = fc.oneof(
    {
      weight: 5,
      arbitrary: request(
        w,
        fc.constant('POST'),
        uploadId.map((id) => `/upload/v1beta/files?upload_id=${id}&upload_protocol=resumable`),
        chunk,
        fc
          .tuple(command, fc.option(offset, { nil: undefined }))
          .map(([c, o]) => [
            ['x-goog-upload-command', c],
            ...(o === undefined ? [] : ([['x-goog-upload-offset', o]] as [string, string][])),
          ]),
      ),
    },
    {
      weight: 1,
      arbitrary: request(
        w,
        fc.constant('PUT'),
        uploadId.map((id) => `/upload/v1beta/files?upload_id=${id}`),
        chunk,
        fc
          .oneof(
            fc.constantFrom(
              'bytes 0-99/*',
              `bytes */${WAV.length}`,
              'bytes {RECEIVED}-999999/1000000',
              'bytes 5-1/4',
              'bytes 0-0/0',
              'bytes=0-1/2',
            ),
            oddString,
          )
          .map((r) => [['content-range', r]] as [string, string][]),
      ),
    },
  );
  return fc.array(step, { minLength: 1, maxLength: 4 }).map((steps) => ({ route: 'upload session', steps: [start, ...steps] }));
}

const mediaHeaders = fc
  .tuple(
    fc.oneof(fc.constantFrom('audio/wav', 'audio/mpeg', 'application/octet-stream'), oddString),
    fc.constantFrom('', 'media', 'raw', 'MEDIA'),
  )
  .map(([t, p]) => [['content-type', t], ...(p ? [['x-goog-upload-protocol', p]] : [])] as [string, string][]);

/** Every route of the surface, weighted towards the ones with the most input to read. */
export function anyCase(w: World): fc.Arbitrary<Case> {
  const name = pathName(w.fileIds);
  const jsonBody = jsonBodyBytes(modelBody(w));
  const ct = contentType.map((c) => [['content-type', c]] as [string, string][]);
  return fc.oneof(
    {
      weight: 3,
      arbitrary: single(
        'files.get',
        request(
          w,
          fc.constant('GET'),
          fc.tuple(VERSION, name, suffix).map(([v, n, s]) => `/${v}/files/${n}${s}`),
          noBody,
        ),
      ),
    },
    {
      weight: 2,
      arbitrary: single(
        'files.list',
        request(
          w,
          fc.constant('GET'),
          VERSION.map((v) => `/${v}/files`),
          noBody,
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: single(
        'files.delete',
        request(
          w,
          fc.constant('DELETE'),
          fc.tuple(VERSION, name, suffix).map(([v, n, s]) => `/${v}/files/${n}${s}`),
          noBody,
          ct,
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: single(
        'models.list/get',
        request(
          w,
          fc.constant('GET'),
          fc.tuple(VERSION, fc.option(modelName)).map(([v, m]) => (m === null ? `/${v}/models` : `/${v}/models/${m}`)),
          noBody,
        ),
      ),
    },
    {
      weight: 8,
      arbitrary: single(
        'models.method',
        request(
          w,
          fc.constant('POST'),
          fc.tuple(VERSION, modelName, modelMethod).map(([v, m, x]) => `/${v}/models/${m}:${x}`),
          jsonBody,
          ct,
        ),
      ),
    },
    { weight: 3, arbitrary: session(w) },
    {
      weight: 2,
      arbitrary: single(
        'upload.resumable-start',
        request(
          w,
          fc.constant('POST'),
          VERSION.map((v) => `/upload/${v}/files`),
          uploadMeta,
          fc
            .tuple(
              fc.constantFrom('resumable', 'Resumable', 'multipart', 'media', 'raw', 'bogus', ''),
              fc.constantFrom('start', 'START', 'upload', ''),
              fc.oneof(fc.constantFrom('100', '0', '-5', '1e9', '3000000000', '99999999999999999999'), oddString),
              fc.oneof(fc.constantFrom('audio/wav', ''), oddString),
            )
            .map(
              ([p, c, len, t]) =>
                [
                  ['x-goog-upload-protocol', p],
                  ['x-goog-upload-command', c],
                  ['x-goog-upload-header-content-length', len],
                  ['x-goog-upload-header-content-type', t],
                  ['content-type', 'application/json'],
                ] as [string, string][],
            ),
        ),
      ),
    },
    {
      weight: 2,
      arbitrary: multipart.chain(({ body, ct }) =>
        single(
          'upload.multipart',
          request(
            w,
            fc.constant('POST'),
            fc.tuple(VERSION, fc.constantFrom('', '?uploadType=multipart')).map(([v, q]) => `/upload/${v}/files${q}`),
            fc.constant(body),
            fc.constant([['content-type', ct]] as [string, string][]),
          ),
        ),
      ),
    },
    {
      weight: 2,
      arbitrary: single(
        'upload.media',
        request(
          w,
          fc.constant('POST'),
          fc.tuple(VERSION, fc.constantFrom('', '?uploadType=media', '?upload_type=raw')).map(([v, q]) => `/upload/${v}/files${q}`),
          media,
          mediaHeaders,
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: single(
        'ops',
        request(
          w,
          fc.constant('GET'),
          fc.constantFrom(
            '/healthz',
            '/readyz',
            '/metrics',
            '/$discovery/rest',
            '/$discovery/rest?version=v1beta',
            '/$discovery/rest?version=%zz',
            '/healthz/',
            '/metrics?x=1',
          ),
          noBody,
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: single(
        'playground',
        request(
          w,
          fc.constant('GET'),
          fc.oneof(
            fc.constantFrom(
              '/',
              '/index.html',
              '/favicon.svg',
              '/assets/',
              '/assets/../package.json',
              '/assets/%2e%2e/%2e%2e/package.json',
              '/assets/..%2F..%2Fpackage.json',
              '/assets/.env',
              '/index.html/..',
            ),
            oddString.map((s) => `/assets/${enc(s)}`),
          ),
          noBody,
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: single(
        'unknown',
        request(
          w,
          fc.constantFrom(...ODD_METHODS),
          fc.oneof(
            oddString.map((s) => `/${s}`),
            oddString.map((s) => `/v1beta/${enc(s)}`),
            fc.constantFrom(
              '*',
              '//',
              '/v1beta',
              '/upload',
              '/v1beta/files/a/b',
              '/v1beta/models/x/y',
              'http://other.example/v1beta/files',
              '/%2e%2e/%2e%2e/etc/passwd',
              '/../../etc/passwd',
            ),
          ),
          noBody,
        ),
      ),
    },
  );
}
