// Issue 13 (Proof, defect 12): two keys probing each other, fuzzed. Key A creates files (named or not); key
// B tries every route with every spelling of A's names (case, percent-encoding, files/ prefix, :analysis,
// fileData URIs of this server and of Google's) and, to check for an oracle, the same route and spelling of
// a twin name that exists nowhere. B must get exactly the same answer for both (status and body, names
// aside), never A's data, and A's files must be untouched. Seed and length: as in fuzz-surface.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { startServer, type Running } from './harness.js';
import { send, type RawRequest, type RawResponse } from './fuzz/raw-http.js';
import { judge } from './fuzz/oracle.js';
import { REQUEST_TIMEOUT_MS, Tally, describe, fuzzSettings } from './fuzz/runner.js';
import { tinyWav } from './fuzz/tiny-wav.js';

const A = 'tenant-a';
const B = 'tenant-b';
const settings = fuzzSettings(30);
let server: Running;

before(async () => {
  server = await startServer({ offline: true, engines: { speech: 'none', sounds: 'none', vad: 'none' }, limits: { processingWaitSec: 2 } });
});
after(async () => server?.close());

const SPELLINGS: Record<string, (id: string) => string> = {
  plain: (s) => s,
  filesPrefix: (s) => `files%2F${s}`,
  upper: (s) => s.toUpperCase(),
  mixed: (s) => [...s].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join(''),
  pctLower: (s) => [...s].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(''),
  pctUpper: (s) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join(''),
  double: (s) => [...s].map((c) => `%25${c.charCodeAt(0).toString(16)}`).join(''),
  slash: (s) => `${s}/`,
  space: (s) => `%20${s}`,
  nul: (s) => `${s}%00`,
  semicolon: (s) => `${s};x`,
  dots: (s) => `x%2F..%2F${s}`,
};
const ROUTES = ['get', 'analysis', 'delete', 'generateContent', 'countTokens', 'sse', 'streamArray', 'list'] as const;
const URI_FORMS = ['server', 'short', 'google', 'serverAnalysis'] as const;

interface Probe {
  route: (typeof ROUTES)[number];
  spelling: string;
  version: string;
  keyInQuery: boolean;
  uriForm: (typeof URI_FORMS)[number];
}
interface Sequence {
  named: boolean;
  name: string;
  probes: Probe[];
  create: boolean;
}

const probe: fc.Arbitrary<Probe> = fc.record({
  route: fc.constantFrom(...ROUTES),
  spelling: fc.constantFrom(...Object.keys(SPELLINGS)),
  version: fc.constantFrom('v1beta', 'v1', 'v1alpha'),
  keyInQuery: fc.boolean(),
  uriForm: fc.constantFrom(...URI_FORMS),
});
const sequence: fc.Arbitrary<Sequence> = fc.record({
  named: fc.boolean(),
  name: fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,20}[a-z0-9]$/),
  probes: fc.array(probe, { minLength: 1, maxLength: 6 }),
  create: fc.boolean(),
});

/** The request B sends for a probe of the file id `id`. */
function probeRequest(p: Probe, id: string): RawRequest {
  const sp = SPELLINGS[p.spelling]!(id);
  const auth = (path: string): Pick<RawRequest, 'path' | 'headers'> =>
    p.keyInQuery ? { path: `${path}${path.includes('?') ? '&' : '?'}key=${B}`, headers: [] } : { path, headers: [['x-goog-api-key', B]] };
  const v = p.version;
  switch (p.route) {
    case 'get':
      return { method: 'GET', ...auth(`/${v}/files/${sp}`) };
    case 'analysis':
      return { method: 'GET', ...auth(`/${v}/files/${sp}:analysis`) };
    case 'delete':
      return { method: 'DELETE', ...auth(`/${v}/files/${sp}`) };
    case 'list':
      return { method: 'GET', ...auth(`/${v}/files?pageSize=100`) };
    default: {
      const uri = {
        server: `${server.url}/v1beta/files/${sp}`,
        short: `files/${sp}`,
        google: `https://generativelanguage.googleapis.com/v1beta/files/${sp}`,
        serverAnalysis: `${server.url}/v1beta/files/${sp}:analysis`,
      }[p.uriForm];
      const method = {
        generateContent: 'generateContent',
        countTokens: 'countTokens',
        sse: 'streamGenerateContent?alt=sse',
        streamArray: 'streamGenerateContent',
      }[p.route];
      const body = { contents: [{ parts: [{ text: 'Transcribe this.' }, { fileData: { fileUri: uri, mimeType: 'audio/wav' } }] }] };
      const r = auth(`/${v}/models/gemini-2.5-flash:${method}`);
      return {
        method: 'POST',
        path: r.path,
        headers: [...r.headers, ['content-type', 'application/json']],
        body: Buffer.from(JSON.stringify(body)),
      };
    }
  }
}

function multipart(key: string, meta: object, wav: Buffer): RawRequest {
  const body = Buffer.concat([
    Buffer.from(`--s\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(meta)}\r\n--s\r\nContent-Type: audio/wav\r\n\r\n`),
    wav,
    Buffer.from('\r\n--s--\r\n'),
  ]);
  return {
    method: 'POST',
    path: '/upload/v1beta/files',
    headers: [
      ['x-goog-api-key', key],
      ['content-type', 'multipart/related; boundary=s'],
    ],
    body,
  };
}

/** An answer with the probed name (in every spelling the server may echo) replaced, for comparison. */
function normalise(res: RawResponse, id: string, spelled: string): string {
  let text = res.body.toString('utf8');
  const forms = new Set([spelled, id, id.toUpperCase(), SPELLINGS.mixed!(id)]);
  try {
    forms.add(decodeURIComponent(spelled));
    forms.add(decodeURIComponent(decodeURIComponent(spelled)));
  } catch {
    /* not decodable: the raw spelling is all that can be echoed */
  }
  for (const f of [...forms].filter(Boolean).sort((a, b) => b.length - a.length)) text = text.split(f).join('<NAME>');
  return `${res.status} ${text}`;
}

/** A twin of an id: same length and alphabet, a name no project has. */
const twin = (id: string) =>
  [...id]
    .map((c) =>
      /[a-z]/.test(c) ? String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97) : /[0-9]/.test(c) ? String((Number(c) + 5) % 10) : c,
    )
    .join('');

test(`two keys probing each other on every route and spelling: no access, no oracle (seed ${settings.seed})`, {
  timeout: (settings.seconds + 180) * 1000,
}, async (t) => {
  const tally = new Tally();
  const taken = new Set<string>();
  let n = 0;
  const started = Date.now();
  const ask = async (what: string, req: RawRequest): Promise<RawResponse> => {
    const res = await send(server.url, req, REQUEST_TIMEOUT_MS);
    tally.note(what, res);
    assert.ok(res, `no answer to ${describe(req)}`);
    assert.deepEqual(judge(req, res, server.dataDir), [], `${describe(req)} → ${res.status} ${res.body}`);
    return res;
  };
  t.diagnostic(`seed ${settings.seed} (EARSHOT_FUZZ_SEED=${settings.seed} reproduces), up to ${settings.seconds} s`);
  try {
    await fc.assert(
      fc.asyncProperty(sequence, async (s) => {
        n++;
        // A's file: unique audio (so its SHA-256 is a marker too), a secret display name, maybe its own name
        const wav = tinyWav(0.2, 200 + n * 3);
        const secret = `SECRET-${n}-${s.name}`;
        const name = s.named ? `${s.name}-${n}` : undefined;
        const made = await ask(
          'A creates',
          multipart(A, { file: { displayName: secret, ...(name ? { name: `files/${name}` } : {}) } }, wav),
        );
        assert.equal(made.status, 200, made.body.toString());
        const id = (JSON.parse(made.body.toString()) as { file: { name: string } }).file.name.replace(/^files\//, '');
        const ghost = twin(id);
        if (taken.has(ghost) || ghost === id) return; // (no twin this time)
        taken.add(id).add(ghost);
        const markers = [secret, createHash('sha256').update(wav).digest('base64'), createHash('sha256').update(wav).digest('hex')];
        const probes = [...s.probes];
        for (const p of probes) {
          const mine = probeRequest(p, id);
          const none = probeRequest(p, ghost);
          const [rMine, rNone] = [await ask(`B ${p.route}`, mine), await ask(`B ${p.route}`, none)];
          const text = `${JSON.stringify(rMine.headers)} ${rMine.body}`;
          for (const m of markers) assert.ok(!text.includes(m), `B saw A's data (${m}) via ${describe(mine)}`);
          // B's own list changes between two calls (its files settle): it is checked for A's data only
          if (p.route === 'list') {
            assert.ok(!rMine.body.toString().includes(`files/${id}"`), `B's list shows A's ${id}`);
            continue;
          }
          assert.equal(
            normalise(rMine, id, SPELLINGS[p.spelling]!(id)),
            normalise(rNone, ghost, SPELLINGS[p.spelling]!(ghost)),
            `B can tell A's ${id} from the unknown ${ghost}: ${describe(mine)}`,
          );
        }
        if (s.create && name) {
          // B may create a file of the same name in its own project, exactly as it may create any other
          const bWav = tinyWav(0.2, 5000 + n);
          const [cMine, cNone] = [
            await ask('B creates', multipart(B, { file: { name: `files/${id}` } }, bWav)),
            await ask('B creates', multipart(B, { file: { name: `files/${ghost}` } }, bWav)),
          ];
          assert.equal(
            cMine.status,
            cNone.status,
            `creating A's name ${id} as B: ${cMine.status} ${cMine.body}; a fresh name: ${cNone.status} ${cNone.body}`,
          );
          for (const m of markers) assert.ok(!cMine.body.toString().includes(m), `B saw A's data (${m}) creating ${id}`);
        }
        const still = await ask('A reads', { method: 'GET', path: `/v1beta/files/${id}`, headers: [['x-goog-api-key', A]] });
        assert.equal(still.status, 200, `A's file ${id} after B's probes: ${still.status} ${still.body}`);
        assert.ok(still.body.toString().includes(secret));
      }),
      {
        seed: settings.seed,
        numRuns: settings.runs,
        interruptAfterTimeLimit: settings.seconds * 1000,
        markInterruptAsFailure: false,
        includeErrorInReport: true,
      },
    );
  } finally {
    t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s, ${n} sequences: ${tally.summary()}`);
  }
  assert.ok(n > 5, `only ${n} sequences ran`);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});
