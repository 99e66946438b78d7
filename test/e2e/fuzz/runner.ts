// Runs fuzz cases against a live server: sends each step (filling in the session id and received size the
// server announced), judges every answer with the oracle and keeps counts for the report.
import fc from 'fast-check';
import { send, type RawOutcome, type RawRequest } from './raw-http.js';
import { judge } from './oracle.js';
import type { Case } from './requests.js';

export const REQUEST_TIMEOUT_MS = Number(process.env.EARSHOT_FUZZ_REQUEST_TIMEOUT_MS ?? 20_000);

/** Fuzz settings from the environment: EARSHOT_FUZZ_SEED (a number, or "random"), _SECONDS, _RUNS. */
export function fuzzSettings(defaultSeconds: number): { seed: number; seconds: number; runs: number } {
  const raw = process.env.EARSHOT_FUZZ_SEED;
  const seed = raw === 'random' ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : raw ? Number(raw) : 0x13_2026;
  return {
    seed,
    seconds: Number(process.env.EARSHOT_FUZZ_SECONDS ?? defaultSeconds),
    runs: Number(process.env.EARSHOT_FUZZ_RUNS ?? 1_000_000),
  };
}

const IGNORE = process.env.EARSHOT_FUZZ_IGNORE ? new RegExp(process.env.EARSHOT_FUZZ_IGNORE) : undefined;

export class Tally {
  requests = 0;
  readonly byStatus = new Map<string, number>();
  readonly byRoute = new Map<string, number>();
  /** requests that took over 2 s, slowest first (at most 5 kept) */
  slow: { ms: number; what: string }[] = [];
  note(route: string, res: RawOutcome, ms = 0, req?: RawRequest): void {
    this.requests++;
    if (ms > 2000 && req)
      this.slow = [...this.slow, { ms, what: `${res === null ? 'dropped' : res.status} ${describe(req).slice(0, 400)}` }]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5);
    const s = res === null ? 'dropped' : String(res.status);
    this.byStatus.set(s, (this.byStatus.get(s) ?? 0) + 1);
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }
  summary(): string {
    const fmt = (m: Map<string, number>) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k}×${v}`)
        .join(' ');
    const slow = this.slow.map((s) => ` | slow ${s.ms} ms: ${s.what}`).join('');
    return `${this.requests} requests; status ${fmt(this.byStatus)}; routes ${fmt(this.byRoute)}${slow}`;
  }
}

/** A request as one readable line for a failure report (bodies cut short). */
export function describe(req: RawRequest): string {
  const body = req.body ?? Buffer.alloc(0);
  const shown = body.length > 300 ? `${body.subarray(0, 300).toString('latin1')}… (${body.length} bytes)` : body.toString('latin1');
  return JSON.stringify({
    method: req.method,
    path: req.path.length > 300 ? `${req.path.slice(0, 300)}… (${req.path.length})` : req.path,
    headers: req.headers.map(([k, v]) => [k, v.length > 100 ? `${v.slice(0, 100)}…(${v.length})` : v]),
    contentLength: req.contentLength ?? 'auto',
    body: shown,
  });
}

function fill(req: RawRequest, vars: Record<string, string>): RawRequest {
  const sub = (s: string) => s.replace(/\{(UPLOAD_ID|RECEIVED)\}/g, (_, k: string) => vars[k] ?? '');
  return { ...req, path: sub(req.path), headers: req.headers.map(([k, v]) => [k, sub(v)]) };
}

/** Send a case's steps; returns the first answer that breaks the rules, described, or undefined. */
export async function runCase(base: string, dataDir: string, c: Case, tally: Tally): Promise<string | undefined> {
  const vars: Record<string, string> = { UPLOAD_ID: 'none', RECEIVED: '0' };
  for (const [i, step] of c.steps.entries()) {
    const req = fill(step, vars);
    const t0 = Date.now();
    const res = await send(base, req, REQUEST_TIMEOUT_MS);
    tally.note(c.route, res, Date.now() - t0, req);
    const problems = judge(req, res, dataDir);
    if (problems.length && !(IGNORE && IGNORE.test(`${problems.join('; ')} ${describe(req)}`))) {
      const answer =
        res === null ? 'no answer' : `${res.status} ${JSON.stringify(res.headers)} ${res.body.subarray(0, 600).toString('utf8')}`;
      return `${c.route} step ${i + 1}/${c.steps.length}: ${problems.join('; ')}\n  request: ${describe(req)}\n  answer: ${answer}`;
    }
    const url = res?.headers['x-goog-upload-url'];
    if (url) vars.UPLOAD_ID = new URL(url).searchParams.get('upload_id') ?? 'none';
    const received = res?.headers['x-goog-upload-size-received'];
    if (received) vars.RECEIVED = received;
  }
  return undefined;
}

/** fc.assert over cases, bounded in time, reporting the seed so a failure reproduces. */
export async function fuzz(
  arb: fc.Arbitrary<Case>,
  check: (c: Case) => Promise<string | undefined>,
  settings: { seed: number; seconds: number; runs: number },
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arb, async (c) => {
      const problem = await check(c);
      if (problem) throw new Error(problem);
    }),
    {
      seed: settings.seed,
      numRuns: settings.runs,
      interruptAfterTimeLimit: settings.seconds * 1000,
      markInterruptAsFailure: false,
      includeErrorInReport: true,
    },
  );
}
