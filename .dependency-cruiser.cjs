// The layering rule, checked by `npm run lint:layers` (dependency-cruiser): each layer of src/ imports only its
// own layer and those below it. Type-only imports count too. Bottom to top:
//   domain → config → audio → store → engines → analysis → eval → understanding → api → cli
// src/domain imports nothing of ours; src/app.ts is the composition root (api and below, never cli);
// the playground (web/src) may import only src/domain's types.

const { LAYERS } = require('./architecture.cjs');

const upward = LAYERS.slice(0, -1).map(([name, from], i) => ({
  name: `no-upward-from-${name}`,
  comment: `${name} may import only ${LAYERS.slice(0, i + 1)
    .map(([n]) => n)
    .join(', ')} (layers stack ${LAYERS.map(([n]) => n).join(' → ')})`,
  severity: 'error',
  from: { path: from },
  to: { path: [...LAYERS.slice(i + 1).map(([, p]) => p), '^src/app\\.ts$'] },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'app-is-not-below-cli',
      comment: 'src/app.ts composes the server from api and below; the CLI sits on top of it',
      severity: 'error',
      from: { path: '^src/app\\.ts$' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'domain-imports-nothing-of-ours',
      comment: 'src/domain is the bottom layer: no imports from the rest of the project',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^(src|web|test|bench|bin)/', pathNot: '^src/domain/' },
    },
    {
      name: 'web-sees-only-domain',
      comment: 'the playground runs in the browser: of the server it may import only src/domain (types and pure rules)',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'src-never-imports-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    // `import type` is an import too: a type from a higher layer is still an upward dependency
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
