#!/usr/bin/env node
// The `earshot` command: runs the compiled CLI (dist/, built by `npm install`'s prepare step),
// or the TypeScript sources through tsx when working from a checkout without a build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else {
  await import('tsx/esm');
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
