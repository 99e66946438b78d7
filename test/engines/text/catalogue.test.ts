// Checks the GGUF model catalogue is usable by the downloader: unique names, https .gguf URLs, one default.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TEXT_MODEL, TEXT_MODELS, findTextModel } from '../../../src/engines/text/catalogue.js';

test('text model catalogue entries are well formed', () => {
  assert.equal(new Set(TEXT_MODELS.map((m) => m.name)).size, TEXT_MODELS.length, 'names must be unique');
  for (const m of TEXT_MODELS) {
    assert.match(m.name, /^[a-z0-9][a-z0-9.-]*$/);
    const url = new URL(m.url);
    assert.equal(url.protocol, 'https:');
    assert.match(url.pathname, /\.gguf$/);
    assert.ok(m.sizeBytes > 100e6 && m.sizeBytes < 10e9);
    if (m.sha256) assert.match(m.sha256, /^[0-9a-f]{64}$/);
    assert.ok(m.recommendedContextSize <= m.trainContextLength);
  }
  assert.equal(TEXT_MODELS.filter((m) => m.default).length, 1);
  assert.equal(findTextModel(DEFAULT_TEXT_MODEL.name), DEFAULT_TEXT_MODEL);
  assert.equal(findTextModel('no-such-model'), undefined);
});
