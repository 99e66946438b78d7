// The layering rule (.dependency-cruiser.cjs, `npm run lint:layers`) run for real by dependency-cruiser: it
// fails on deliberate upward imports in a scratch tree (value and type-only imports alike), lets downward
// ones through, and passes on the project's own src/ and web/src.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/**
 * Run dependency-cruiser as `npm run lint:layers` does (its `err` report, whose exit code is the number of
 * errors) with the project's config in `cwd` over `paths`: the exit code and the violations it lists.
 */
function cruise(cwd: string, paths: string[]): Promise<{ code: number; violations: Violation[] }> {
  const args = [DEPCRUISE, '--config', path.join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err', ...paths];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (!/dependency violations|no dependency violations found/.test(stdout)) {
        reject(new Error(`dependency-cruiser gave no report (exit ${code}): ${stdout.slice(-1000)} ${stderr.slice(-2000)}`));
        return;
      }
      const violations = [...stdout.matchAll(/^\s*error (\S+): (\S+) → (\S+)$/gm)].map((m) => ({
        rule: { name: m[1]! },
        from: m[2]!,
        to: m[3]!,
      }));
      resolve({ code, violations });
    });
  });
}

/** A scratch project: the given files plus the tsconfig the rule's resolver reads. Removed by `done`. */
async function scratch(files: Record<string, string>): Promise<{ dir: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'earshot-layers-'));
  await copyFile(path.join(ROOT, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

const LOWER_AND_UPPER = {
  'src/domain/errors.ts': 'export const CODE = 1;\n',
  'src/api/errors.ts': "import { CODE } from '../domain/errors.js';\nexport const WIRE = CODE + 1;\n",
  'src/analysis/pipeline.ts': 'export interface PipelineEngines { names: Record<string, string> }\n',
  'src/engines/registry.ts': "import { CODE } from '../domain/errors.js';\nexport const N = CODE;\n",
};

test('an upward import fails the rule: domain importing the api layer', async () => {
  const { dir, done } = await scratch({
    ...LOWER_AND_UPPER,
    'src/domain/__probe.ts': "import { WIRE } from '../api/errors.js';\nexport const P = WIRE;\n",
  });
  try {
    const r = await cruise(dir, ['src']);
    assert.notEqual(r.code, 0, 'dependency-cruiser must exit non-zero');
    const hits = r.violations.filter((v) => v.from === 'src/domain/__probe.ts' && v.to === 'src/api/errors.ts');
    assert.ok(
      hits.some((v) => v.rule.name === 'no-upward-from-domain'),
      JSON.stringify(r.violations),
    );
    assert.ok(
      hits.some((v) => v.rule.name === 'domain-imports-nothing-of-ours'),
      JSON.stringify(r.violations),
    );
    // the downward imports of the same tree are not reported
    assert.deepEqual(new Set(r.violations.map((v) => v.from)), new Set(['src/domain/__probe.ts']));
  } finally {
    await done();
  }
});

test('a type-only upward import fails too: engines importing a type from analysis', async () => {
  const { dir, done } = await scratch({
    ...LOWER_AND_UPPER,
    'src/engines/__probe.ts': "import type { PipelineEngines } from '../analysis/pipeline.js';\nexport type E = PipelineEngines;\n",
  });
  try {
    const r = await cruise(dir, ['src']);
    assert.notEqual(r.code, 0);
    assert.deepEqual(
      r.violations.map((v) => [v.from, v.to, v.rule.name]),
      [['src/engines/__probe.ts', 'src/analysis/pipeline.ts', 'no-upward-from-engines']],
    );
  } finally {
    await done();
  }
});

test('the playground may import src/domain but nothing else of the server', async () => {
  const { dir, done } = await scratch({
    ...LOWER_AND_UPPER,
    'web/src/ok.ts': "import { CODE } from '../../src/domain/errors.js';\nexport const A = CODE;\n",
    'web/src/bad.ts': "import { WIRE } from '../../src/api/errors.js';\nexport const B = WIRE;\n",
  });
  try {
    const r = await cruise(dir, ['src', 'web/src']);
    assert.notEqual(r.code, 0);
    assert.deepEqual(
      r.violations.map((v) => [v.from, v.to, v.rule.name]),
      [['web/src/bad.ts', 'src/api/errors.ts', 'web-sees-only-domain']],
    );
  } finally {
    await done();
  }
});

test('downward imports pass: exit 0 and no violations', async () => {
  const { dir, done } = await scratch(LOWER_AND_UPPER);
  try {
    const r = await cruise(dir, ['src']);
    assert.deepEqual(r.violations, []);
    assert.equal(r.code, 0);
  } finally {
    await done();
  }
});

test("the project's own tree keeps the rule", async () => {
  const r = await cruise(ROOT, ['src', 'web/src']);
  assert.deepEqual(
    r.violations.map((v) => `${v.from} → ${v.to} (${v.rule.name})`),
    [],
  );
  assert.equal(r.code, 0);
});
