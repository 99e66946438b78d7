// The configuration schema at work: each bad value fails with one line naming the setting, its source and the
// allowed values; flags > environment > config file > defaults; secrets masked; the README table is the schema's.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  SETTINGS,
  defaultConfig,
  printableConfig,
  resolveClientConfig,
  resolveConfig,
  withConfigTable,
  type ConfigInput,
} from '../../src/config.js';
import { flagsToInput } from '../../src/cli/serve.js';
import { isEarshotError, type ErrorCode } from '../../src/domain/errors.js';
import { REPO_ROOT, tempDir } from '../helpers.js';

const tmp = tempDir('earshot-config-');
after(() => tmp.cleanup());
let files = 0;
function configFile(content: unknown): string {
  const file = path.join(tmp.dir, `config-${files++}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** Resolve, expecting a CONFIG_* failure; returns its one-line message. */
function failure(code: ErrorCode, flags: ConfigInput, env: Record<string, string> = {}): string {
  try {
    resolveConfig(flags, env);
  } catch (err) {
    assert.ok(isEarshotError(err, code), `expected ${code}, got ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/, 'the message is one line');
    return err.message;
  }
  assert.fail(`expected ${code}, but the configuration was accepted`);
}

test('an unknown speech engine in the environment names the variable and every allowed engine', () => {
  const m = failure('CONFIG_INVALID', {}, { EARSHOT_SPEECH_ENGINE: 'wisper' });
  assert.match(m, /engines\.speech/);
  assert.match(m, /"wisper"/);
  assert.match(m, /environment variable EARSHOT_SPEECH_ENGINE/);
  assert.match(m, /auto, whisper, pocketsphinx, openai, none/);
});

test('an unknown log level fails from the environment and from the flag, each naming its source', () => {
  const fromEnv = failure('CONFIG_INVALID', {}, { EARSHOT_LOG_LEVEL: 'loud' });
  assert.match(fromEnv, /logLevel="loud" from environment variable EARSHOT_LOG_LEVEL/);
  assert.match(fromEnv, /fatal, error, warn, info, debug, trace, silent/);
  const fromFlag = failure('CONFIG_INVALID', flagsToInput({ logLevel: 'loud' }));
  assert.match(fromFlag, /from flag --log-level/);
  assert.match(fromFlag, /fatal, error, warn, info, debug, trace, silent/);
});

test('an unknown key in the config file names the key, the file and the keys allowed at that level', () => {
  const top = configFile({ prot: 9000 });
  const m = failure('CONFIG_UNKNOWN_KEY', { configFile: top });
  assert.match(m, /"prot"/);
  assert.ok(m.includes(top), m);
  assert.match(m, /\bport\b/);
  assert.match(m, /\bengines\b/);
  const nested = failure('CONFIG_UNKNOWN_KEY', {}, { EARSHOT_CONFIG: configFile({ engines: { speeh: 'whisper' } }) });
  assert.match(nested, /"engines\.speeh"/);
  assert.match(nested, /allowed keys: speech, whisperModel/);
  // the file cannot name another config file
  assert.match(failure('CONFIG_UNKNOWN_KEY', { configFile: configFile({ configFile: '/x.json' }) }), /"configFile"/);
});

test('a wrong type fails wherever it comes from: file, flag or environment', () => {
  assert.match(
    failure('CONFIG_INVALID', { configFile: configFile({ port: '9000' }) }),
    /port="9000" from config file .*allowed: an integer from 0 to 65535/,
  );
  assert.match(
    failure('CONFIG_INVALID', { configFile: configFile({ limits: 5 }) }),
    /limits=5 from config file .*an object with keys maxFileBytes/,
  );
  assert.match(failure('CONFIG_INVALID', { configFile: configFile({ engines: { threads: -1 } }) }), /engines\.threads=-1 .*an integer ≥ 0/);
  assert.match(failure('CONFIG_INVALID', flagsToInput({ port: 'abc' })), /port="abc" from flag --port/);
  assert.match(failure('CONFIG_INVALID', {}, { EARSHOT_PORT: '70000' }), /port=70000 from environment variable EARSHOT_PORT/);
  assert.match(failure('CONFIG_INVALID', {}, { EARSHOT_OFFLINE: 'maybe' }), /offline="maybe" .*true or false/);
  // a bad value is refused even where a source of higher precedence overrides it: no silent fallback
  assert.match(failure('CONFIG_INVALID', { port: 9000 }, { EARSHOT_PORT: 'abc' }), /EARSHOT_PORT/);
});

test('an unreadable or malformed config file, and openai text without a server, fail with one line', () => {
  assert.match(failure('CONFIG_FILE_UNREADABLE', { configFile: path.join(tmp.dir, 'absent.json') }), /absent\.json: ENOENT/);
  assert.match(failure('CONFIG_FILE_UNREADABLE', { configFile: configFile('{"port": 9000,') }), /not valid JSON/);
  const m = failure('CONFIG_MISSING', {}, { EARSHOT_TEXT_ENGINE: 'openai' });
  assert.match(
    m,
    /engines\.openaiBaseUrl \(EARSHOT_OPENAI_BASE_URL\).*engines\.text is openai \(from environment variable EARSHOT_TEXT_ENGINE\)/,
  );
  const speech = failure('CONFIG_MISSING', {}, { EARSHOT_SPEECH_ENGINE: 'openai' });
  assert.match(
    speech,
    /engines\.speechBaseUrl \(EARSHOT_SPEECH_BASE_URL\).*engines\.speech is openai \(from environment variable EARSHOT_SPEECH_ENGINE\)/,
  );
});

test('precedence: flags > environment > config file > defaults, setting by setting', () => {
  const file = configFile({ port: 1000, host: '0.0.0.0', engines: { text: 'llama', llamaModel: 'from-file' }, limits: { fileTtlSec: 60 } });
  const env = { EARSHOT_CONFIG: file, EARSHOT_PORT: '2000', EARSHOT_LLAMA_MODEL: 'from-env' };
  const all = resolveConfig(flagsToInput({ port: '3000' }), env);
  assert.equal(all.port, 3000);
  assert.equal(all.host, '0.0.0.0', 'the file fills what flags and environment leave open');
  assert.equal(all.engines.llamaModel, 'from-env');
  assert.equal(all.engines.text, 'llama');
  assert.equal(all.engines.whisperModel, 'base.en', 'a nested default survives a nested file section');
  assert.equal(all.limits.fileTtlSec, 60);
  assert.equal(all.limits.maxFileBytes, defaultConfig().limits.maxFileBytes);
  assert.equal(resolveConfig({}, env).port, 2000);
  assert.equal(resolveConfig({ configFile: file }, {}).port, 1000);
  assert.equal(resolveConfig({}, {}).port, 8080);
  // the flag names the config file over the environment
  assert.equal(resolveConfig({ configFile: configFile({ port: 1111 }) }, { EARSHOT_CONFIG: file }).port, 1111);
});

test('the distributed and hardening settings are validated and parsed', () => {
  const c = resolveConfig(
    {},
    {
      EARSHOT_DATABASE_URL: 'postgres://earshot:pw@db:5432/earshot',
      EARSHOT_BLOB_STORE: 's3://audio-bucket/earshot/blobs',
      EARSHOT_S3_ENDPOINT: 'http://127.0.0.1:8333',
      EARSHOT_ROLE: 'worker',
      EARSHOT_ALLOWED_HOSTS: 'earshot.example, api.example ,',
      EARSHOT_METRICS_REQUIRE_KEY: '1',
    },
  );
  assert.equal(c.databaseUrl, 'postgres://earshot:pw@db:5432/earshot');
  assert.equal(c.blobStore, 's3://audio-bucket/earshot/blobs');
  assert.equal(c.s3Endpoint, 'http://127.0.0.1:8333');
  assert.equal(c.role, 'worker');
  assert.deepEqual(c.allowedHosts, ['earshot.example', 'api.example']);
  assert.equal(c.metricsRequireKey, true);
  const d = defaultConfig();
  assert.equal(d.role, 'all');
  assert.equal(d.databaseUrl, undefined);
  assert.equal(d.blobStore, undefined);
  assert.equal(d.allowedHosts, undefined);
  assert.equal(d.metricsRequireKey, false);
  assert.match(
    failure('CONFIG_INVALID', flagsToInput({ databaseUrl: 'mysql://db/x' })),
    /databaseUrl=\(secret\) from flag --database-url; allowed: a postgres:\/\/ URL/,
  );
  assert.match(
    failure('CONFIG_INVALID', flagsToInput({ blobStore: '/var/blobs' })),
    /blobStore="\/var\/blobs" from flag --blob-store; allowed: s3:\/\/bucket/,
  );
  assert.match(failure('CONFIG_INVALID', flagsToInput({ role: 'both' })), /role="both" .*one of api, worker, all/);
  assert.match(failure('CONFIG_INVALID', {}, { EARSHOT_S3_ENDPOINT: 'minio:9000' }), /s3Endpoint=.*http:\/\/ or https:\/\//);
});

test('print-config masks every secret the schema marks, and nothing else', () => {
  const c = resolveConfig(
    flagsToInput({ apiKeys: 'supersecretkey-1=alpha,k2=beta', databaseUrl: 'postgres://earshot:hunter2hunter2@db/earshot' }),
    {
      EARSHOT_OPENAI_API_KEY: 'sk-verysecretvalue',
      EARSHOT_TEXT_ENGINE: 'openai',
      EARSHOT_OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
      EARSHOT_SPEECH_ENGINE: 'openai',
      EARSHOT_SPEECH_BASE_URL: 'http://127.0.0.1:2/v1',
      EARSHOT_SPEECH_API_KEY: 'sk-speechsecretvalue',
    },
  );
  const text = JSON.stringify(printableConfig(c));
  for (const secret of ['supersecretkey-1', 'k2', 'hunter2hunter2', 'sk-verysecretvalue', 'sk-speechsecretvalue'])
    assert.ok(!text.includes(secret), `${secret} printed`);
  const shown = printableConfig(c) as {
    apiKeys: Record<string, string>;
    databaseUrl: string;
    engines: { openaiApiKey: string; openaiBaseUrl: string; speechApiKey: string };
  };
  assert.equal(shown.engines.speechApiKey, 'sk…ue');
  assert.deepEqual(Object.values(shown.apiKeys).sort(), ['alpha', 'beta']);
  assert.equal(shown.databaseUrl, 'postgres://earshot:****@db/earshot');
  assert.equal(shown.engines.openaiApiKey, 'sk…ue');
  assert.equal(shown.engines.openaiBaseUrl, 'http://127.0.0.1:1/v1', 'what is not secret is shown as is');
  assert.deepEqual(
    SETTINGS.filter((s) => s.secret)
      .map((s) => s.key)
      .sort(),
    ['apiKeys', 'databaseUrl', 'engines.openaiApiKey', 'engines.speechApiKey'],
    'a new secret setting needs a case in this test',
  );
});

test('the schema is coherent: defaults valid, flags and variables unique', () => {
  const flags = SETTINGS.flatMap((s) => (s.flag ? [s.flag] : []));
  const envs = SETTINGS.flatMap((s) => (s.env ? [s.env] : []));
  assert.equal(new Set(flags).size, flags.length);
  assert.equal(new Set(envs).size, envs.length);
  // our own variables, plus the standard AWS one for the S3 region
  for (const e of envs) assert.match(e, /^(EARSHOT_[A-Z0-9_]+|AWS_REGION)$/);
  for (const s of SETTINGS) assert.ok(s.description, `${s.key} has a description`);
  const d = defaultConfig();
  assert.equal(d.dataDir, path.resolve('.earshot'));
  assert.equal(d.modelsDir, path.join(os.homedir(), '.cache', 'earshot', 'models'));
  assert.equal(d.apiKeys, null);
});

test('api keys come from the list and the keys file together', () => {
  const keysFile = path.join(tmp.dir, 'keys.txt');
  writeFileSync(keysFile, '# team keys\nk3=gamma\nk4\n');
  const c = resolveConfig({ apiKeys: 'k1=alpha,k2' }, { EARSHOT_API_KEYS_FILE: keysFile });
  assert.deepEqual(
    [...(c.apiKeys ?? [])],
    [
      ['k1', 'alpha'],
      ['k2', 'k2'],
      ['k3', 'gamma'],
      ['k4', 'k4'],
    ],
  );
  assert.match(failure('CONFIG_FILE_UNREADABLE', {}, { EARSHOT_API_KEYS_FILE: path.join(tmp.dir, 'nokeys') }), /nokeys: ENOENT/);
});

test('earshot files reads its server and key through the config: flag > GEMINI_API_KEY > GOOGLE_API_KEY', () => {
  assert.deepEqual(resolveClientConfig({}, {}), { baseUrl: 'http://127.0.0.1:8080' });
  assert.equal(resolveClientConfig({}, { GOOGLE_API_KEY: 'g' }).apiKey, 'g');
  assert.equal(resolveClientConfig({}, { GOOGLE_API_KEY: 'g', GEMINI_API_KEY: 'm' }).apiKey, 'm');
  assert.equal(resolveClientConfig({ key: 'f' }, { GEMINI_API_KEY: 'm' }).apiKey, 'f');
  assert.equal(resolveClientConfig({}, { GOOGLE_GEMINI_BASE_URL: 'http://h:1' }).baseUrl, 'http://h:1');
  assert.throws(
    () => resolveClientConfig({ server: 'h:1' }, {}),
    (e) => isEarshotError(e, 'CONFIG_INVALID') && /baseUrl="h:1" from flag --server/.test(e.message),
  );
});

test('the README configuration table is the one generated from the schema', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const regenerated = withConfigTable(readme);
  assert.ok(regenerated !== null, 'README.md has the config-table markers');
  assert.equal(readme, regenerated, 'README table differs from the schema: run `earshot config --update-readme README.md`');
});

test('process.env is read only by the config module', async () => {
  const { readdirSync } = await import('node:fs');
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ts') && !full.includes(`${path.sep}src${path.sep}config`)) {
        if (/process\.env(\.|\[)/.test(readFileSync(full, 'utf8'))) offenders.push(path.relative(REPO_ROOT, full));
      }
    }
  };
  walk(path.join(REPO_ROOT, 'src'));
  assert.deepEqual(offenders, []);
});
