// The one failure → wire mapping (src/api/respond.ts): catalogued errors keep their codes and statuses,
// unknown failures are a bare 500 INTERNAL, and no server path survives in a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scrubPaths, toApiError, toWire } from '../../src/api/respond.js';
import { EarshotError } from '../../src/domain/errors.js';

const opts = { maxRequestBytes: 1000, privateRoots: ['/srv/earshot/data', '/srv/earshot/models'] };

test('paths under the data and models directories, the temp dir or a file: URL become <file>', () => {
  assert.equal(
    scrubPaths(
      'contents[0].parts[0].inline_data: cannot read file:/srv/earshot/data/inline/ab12.probe: Invalid data found',
      opts.privateRoots,
    ),
    'contents[0].parts[0].inline_data: cannot read <file>: Invalid data found',
  );
  assert.equal(scrubPaths('model /srv/earshot/models/ggml-base.en.bin is missing.', opts.privateRoots), 'model <file> is missing.');
  assert.equal(scrubPaths('see file:/opt/x/y.wav, then', []), 'see <file>, then');
  // URLs and resource names are not paths
  const keep = 'No route for GET /v1beta/foo. Use http://127.0.0.1:8080/v1beta/files/abc or files/abc.';
  assert.equal(scrubPaths(keep, opts.privateRoots), keep);
});

test("toApiError keeps a catalogued error's status and scrubs its message; unknown errors are 500 INTERNAL", () => {
  const deep = toApiError(new EarshotError('API_JSON_TOO_DEEP', { max: 100 }), opts);
  assert.deepEqual([deep.httpCode, deep.status], [400, 'INVALID_ARGUMENT']);
  const slow = toApiError(new EarshotError('API_BODY_TOO_SLOW', { minBytes: 1024, windowSec: 10 }), opts);
  assert.deepEqual([slow.httpCode, slow.status], [408, 'DEADLINE_EXCEEDED']);
  const bug = toApiError(new TypeError('cannot read x of undefined at /srv/earshot/data/thing'), opts);
  assert.deepEqual(bug.toJSON(), { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } });
  const leaky = toApiError(new EarshotError('INVALID_ARGUMENT', { message: 'bad clip /srv/earshot/data/inline/x.audio' }), opts);
  assert.equal(leaky.message, 'bad clip <file>');
  const big = toWire({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'too large' }, opts);
  assert.equal(big.httpStatus, 400);
  assert.match(big.body.error.message, /^Request payload size exceeds the limit: 1000 bytes\./);
  const json = toWire(new SyntaxError('Unexpected end of JSON input'), opts);
  assert.equal(json.body.error.message, 'Invalid JSON payload received. Unexpected end of JSON input');
});
