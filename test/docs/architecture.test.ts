// README's architecture table and CONTRIBUTING's module map are the code's own description: they must equal
// what test/docs/architecture.ts generates from architecture.cjs and the modules' header lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers.js';
import { DOCS, headerOf, replaceBlock } from './architecture.js';

for (const d of DOCS) {
  test(`${d.file}: the ${d.id} block is generated from the code (run npm run docs after changing the tree)`, () => {
    const doc = readFileSync(path.join(REPO_ROOT, d.file), 'utf8');
    assert.equal(doc, replaceBlock(doc, d.id, d.body()));
  });
}

test('every module in src/ starts with a header line saying its job', async () => {
  const { readdirSync, statSync } = await import('node:fs');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const f = path.join(dir, n);
      return statSync(f).isDirectory() ? walk(f) : f.endsWith('.ts') ? [path.relative(REPO_ROOT, f)] : [];
    });
  const missing = walk(path.join(REPO_ROOT, 'src')).filter((f) => headerOf(f).length < 10);
  assert.deepEqual(missing, []);
});
