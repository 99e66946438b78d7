// Finds the time references in a prompt ("from 02:30 to 03:29", "the last minute", "at 1:05", "90 seconds in")
// and turns each into an exact range of seconds on the audio's clock, clamped to [0, duration].
//
// Rules (documented because answers depend on them):
// - Clock times: `M:SS`, `MM:SS`, `MM:SS.s` are minutes:seconds; three parts (`1:05:30`) are H:MM:SS.
// - Spelled durations: `90 seconds`, `1m30s`, `2 minutes 30 seconds`, `1 hour and 5 minutes`, `thirty seconds`.
// - Ranges: `from A to B`, `A-B`, `A – B`, `between A and B`, `A through B`; a bare number borrows the unit of
//   the other end (`from 10 to 20 seconds`). A reversed range is put in order.
// - Open ranges: `after/since/from/past A`, `A onwards` → [A, duration]; `before/until/till/up to A` → [0, A].
// - Relative: `the first N <unit>` → [0, N]; `the last/final N <unit>` → [duration - N, duration];
//   `the first/second half`; `the middle` (of the audio) → the middle third; `the beginning`/`the end` are not
//   guessed (too vague) and are not matched.
// - Points: `at 1:05`, `around 1:05`, `1:05` alone, `90 seconds in`, `at 2 minutes 30 seconds` give a
//   zero-width range {start = end = t, point: true}. Consumers widen a point to the transcript segment(s)
//   spanning that instant (see composer/queries.ts); this module knows nothing about segments.
// - A reference that lies entirely beyond the audio gets `outOfRange: true` (start = end = duration) so the
//   answer can say "the audio is only 0:11 long" instead of inventing; `requestedStart/End` keep what was asked.

export interface TimeRange {
  /** seconds, clamped to [0, duration] */
  start: number;
  end: number;
  /** the words of the prompt that were matched */
  text: string;
  /** a single instant (start === end before any widening) */
  point?: boolean;
  /** the reference lies entirely outside the audio */
  outOfRange?: boolean;
  /** the reference was partly outside and got clamped */
  clamped?: boolean;
  /** what the prompt asked for, before clamping (end may be Infinity for "after X") */
  requestedStart: number;
  requestedEnd: number;
  /** character offset of the match in the prompt */
  index: number;
}

const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  one: 1,
  a: 1,
  an: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
  half: 0.5,
  couple: 2,
  few: 3,
};

const NUMWORD =
  '(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)';
// "twenty five", "twenty-five"
const NUM = `(?:\\d+(?:\\.\\d+)?|\\b${NUMWORD}(?:[- ]${NUMWORD})?)`;
const H_UNIT = '(?:h|hrs?|hours?)';
const M_UNIT = '(?:m|mins?|minutes?)';
const S_UNIT = '(?:s|secs?|seconds?)';
const UNIT_PART = `${NUM}\\s*(?:${H_UNIT}|${M_UNIT}|${S_UNIT})(?![a-z])`;
const SEP = `(?:\\s*,?\\s*(?:and\\s+)?)`;
/** a spelled duration: one to three number+unit parts */
const QTY = `(?:${UNIT_PART}(?:${SEP}${UNIT_PART}){0,2})`;
/** a clock time: M:SS, MM:SS, H:MM:SS, optional fraction */
const CLOCK = '(?:\\d{1,2}:\\d{2}(?::\\d{2})?(?:\\.\\d+)?)';
const TIME = `(?:${CLOCK}|${QTY})`;
/** a bare number that may borrow the other end's unit */
const TIME_OR_NUM = `(?:${CLOCK}|${QTY}|\\d+(?:\\.\\d+)?)`;
const DASH = '(?:\\s*[-–—]\\s*|\\s+(?:to|until|till|through|thru)\\s+)';

function parseNumber(s: string): number {
  const t = s.trim().toLowerCase();
  if (/^\d/.test(t)) return Number(t);
  // "twenty five" / "twenty-five"
  return t.split(/[- ]+/).reduce((sum, w) => sum + (NUMBER_WORDS[w] ?? 0), 0);
}

/** Seconds denoted by a clock time or a spelled duration; NaN when it is neither. */
export function parseTimeExpression(expr: string): number {
  const s = expr.trim().toLowerCase();
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?(\.\d+)?$/.exec(s);
  if (clock) {
    const [, first = '', second = '', third, fraction] = clock; // the first two groups always take part
    const frac = fraction ? Number(fraction) : 0;
    if (third !== undefined) return Number(first) * 3600 + Number(second) * 60 + Number(third) + frac;
    return Number(first) * 60 + Number(second) + frac;
  }
  const partRe = new RegExp(`(${NUM})\\s*(${H_UNIT}|${M_UNIT}|${S_UNIT})(?![a-z])`, 'gi');
  let total = 0;
  let found = false;
  for (const [, num, unitText] of s.matchAll(partRe)) {
    if (num === undefined || unitText === undefined) continue; // both groups always take part
    const n = parseNumber(num);
    const unit = unitText.toLowerCase();
    const mult = /^h/.test(unit) ? 3600 : /^m/.test(unit) ? 60 : 1;
    total += n * mult;
    found = true;
  }
  if (found) return total;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  return NaN;
}

/** the unit (seconds per unit) of the last part of a spelled duration, or undefined for a clock or a bare number */
function unitOf(expr: string): number | undefined {
  const m = new RegExp(`(${H_UNIT}|${M_UNIT}|${S_UNIT})\\s*$`, 'i').exec(expr.trim());
  const unit = m?.[1];
  if (unit === undefined || /:/.test(expr)) return undefined;
  const u = unit.toLowerCase();
  return /^h/.test(u) ? 3600 : /^m/.test(u) ? 60 : 1;
}

function secondsOf(expr: string, borrowUnitFrom?: string): number {
  const t = expr.trim();
  if (/^\d+(\.\d+)?$/.test(t) && borrowUnitFrom) {
    const u = unitOf(borrowUnitFrom);
    if (u !== undefined) return Number(t) * u;
  }
  return parseTimeExpression(t);
}

interface RawRef {
  start: number;
  end: number;
  point?: boolean;
  index: number;
  length: number;
}

/**
 * All time references in `prompt`, in the order they appear, as ranges on an audio of `durationSec` seconds.
 * Overlapping matches are resolved by the most specific pattern (ranges before open ranges before points).
 */
const REL_AMOUNT = `(?:(${QTY})|(${NUM})?\\s*(${H_UNIT}|${M_UNIT}|${S_UNIT})(?![a-z]))`;
// compiled once: V8 optimises a regex only after it has run a few times
// "between the timestamps 02:30 and 03:29" (the Go seed's words) as well as "between 02:30 and 03:29"
const RE_0 = new RegExp(`\\bbetween\\s+(?:the\\s+)?(?:time(?:stamp)?s?\\s+|marks?\\s+)?(${TIME_OR_NUM})\\s+and\\s+(${TIME_OR_NUM})`, 'gi');
const RE_1 = new RegExp(`(?:\\bfrom\\s+)?(?<![\\d:.])(${TIME_OR_NUM})${DASH}(${TIME_OR_NUM})(?![\\d:])`, 'gi');
const RE_2 = new RegExp(
  `\\b(?:the\\s+)?(first|opening|initial|beginning|last|final|closing|ending)\\s+(?:few\\s+|couple\\s+(?:of\\s+)?)?${REL_AMOUNT}`,
  'gi',
);
const RE_3 = /\b(?:the\s+)?(first|second|last|latter|former)\s+half\b/gi;
const RE_4 = new RegExp(`\\b(?:after|since|past|beyond|starting\\s+(?:at|from)|from)\\s+(${TIME})`, 'gi');
const RE_5 = new RegExp(`(?<![\\d:.])(${TIME})\\s+(?:onwards?|and\\s+(?:later|beyond|after))\\b`, 'gi');
const RE_6 = new RegExp(`\\b(?:before|until|till|up\\s+to|prior\\s+to|up\\s+until)\\s+(${TIME})`, 'gi');
const RE_7 = new RegExp(`(?<![\\d:.])(${TIME})\\s+(?:in|into)\\b`, 'gi');
const RE_8 = new RegExp(`(?:\\b(?:at|around|about|near|approximately|approx\\.?)|@)\\s*(?:the\\s+)?(${TIME})(?:\\s+mark)?`, 'gi');
const RE_9 = new RegExp(`(?<![\\d:.\\w])(${CLOCK})(?![\\d:])`, 'g');

export function findTimeReferences(prompt: string, durationSec: number): TimeRange[] {
  const dur = Math.max(0, durationSec);
  const raw: RawRef[] = [];
  const taken: [number, number][] = [];
  const free = (i: number, len: number) => taken.every(([a, b]) => i + len <= a || i >= b);
  const add = (r: RawRef) => {
    if (!free(r.index, r.length) || !Number.isFinite(r.start) || Number.isNaN(r.end)) return;
    taken.push([r.index, r.index + r.length]);
    raw.push(r);
  };
  const scan = (re: RegExp, f: (m: RegExpExecArray) => Omit<RawRef, 'index' | 'length'> | null) => {
    // exec on the shared regex (matchAll would clone it and lose V8's compiled code for these large patterns)
    re.lastIndex = 0;
    for (let m = re.exec(prompt); m; m = re.exec(prompt)) {
      if (m[0].length === 0) re.lastIndex++;
      const lead = m[0].length - m[0].trimStart().length;
      const text = m[0].trim();
      const r = f(m as RegExpExecArray);
      if (r) add({ ...r, index: (m.index ?? 0) + lead, length: text.length });
    }
  };

  // 1. explicit ranges
  // (every pattern's groups used below always take part in a match; each is checked before use all the same)
  scan(RE_0, ([, a, b]) => (a !== undefined && b !== undefined ? range(a, b) : null));
  scan(RE_1, ([, a, b]) => {
    if (a === undefined || b === undefined) return null;
    // a plain "3-4" with no clock or unit anywhere is not a time reference
    if (!/[:a-z]/i.test(a + b)) return null;
    return range(a, b);
  });

  // 2. relative to the start or end of the audio
  scan(RE_2, ([whole, edge, qty, num, unit]) => {
    if (edge === undefined) return null;
    let amount: number;
    if (qty) amount = parseTimeExpression(qty);
    else if (unit !== undefined) {
      const n = num ? parseNumber(num) : /few/i.test(whole) ? 3 : /couple/i.test(whole) ? 2 : 1;
      const u = unit.toLowerCase();
      amount = n * (/^h/.test(u) ? 3600 : /^m/.test(u) ? 60 : 1);
    } else return null; // REL_AMOUNT has either a quantity or a unit
    const fromStart = /^(first|opening|initial|beginning)$/i.test(edge);
    return fromStart ? { start: 0, end: amount } : { start: dur - amount, end: dur };
  });
  scan(RE_3, ([, half]) =>
    half === undefined ? null : /^(first|former)$/i.test(half) ? { start: 0, end: dur / 2 } : { start: dur / 2, end: dur },
  );
  scan(
    /\bthe\s+middle(?:\s+(?:third|part|section|portion))?(?:\s+of\s+(?:the|this)\s+(?:audio|clip|recording|file|track|song|podcast))?\b(?!\s+of\b)/gi,
    () => ({ start: dur / 3, end: (2 * dur) / 3 }),
  );

  // 3. open-ended ranges
  scan(RE_4, ([, t]) => (t === undefined ? null : { start: secondsOf(t), end: Infinity }));
  scan(RE_5, ([, t]) => (t === undefined ? null : { start: secondsOf(t), end: Infinity }));
  scan(RE_6, ([, t]) => (t === undefined ? null : { start: 0, end: secondsOf(t) }));

  // 4. points
  scan(RE_7, ([, t]) => (t === undefined ? null : pointAt(t)));
  scan(RE_8, ([, t]) => (t === undefined ? null : pointAt(t)));
  scan(RE_9, ([, t]) => (t === undefined ? null : pointAt(t)));

  raw.sort((a, b) => a.index - b.index);
  return raw.map((r) => finish(r, prompt, dur));
}

function range(a: string, b: string): Omit<RawRef, 'index' | 'length'> {
  let s = secondsOf(a, b);
  let e = secondsOf(b, a);
  if (e < s) [s, e] = [e, s];
  return { start: s, end: e };
}

function pointAt(expr: string): Omit<RawRef, 'index' | 'length'> {
  const t = secondsOf(expr);
  return { start: t, end: t, point: true };
}

function finish(r: RawRef, prompt: string, dur: number): TimeRange {
  const text = prompt.slice(r.index, r.index + r.length);
  const requestedStart = r.start;
  const requestedEnd = r.end;
  const out: TimeRange = { start: 0, end: 0, text, requestedStart, requestedEnd, index: r.index };
  if (r.point) out.point = true;
  const beyond = r.point ? requestedStart > dur : requestedStart >= dur && requestedEnd > requestedStart;
  if (beyond || requestedEnd < 0) {
    out.outOfRange = true;
    out.start = out.end = requestedEnd < 0 ? 0 : dur;
    return out;
  }
  out.start = Math.min(dur, Math.max(0, requestedStart));
  out.end = Math.min(dur, Math.max(0, requestedEnd));
  if (out.start !== requestedStart || (out.end !== requestedEnd && Number.isFinite(requestedEnd))) out.clamped = true;
  return out;
}

/** "0:07", "2:30", "1:05:30"; with `precise`, tenths of a second ("0:06.5"). */
export function formatTime(sec: number, precise = false): string {
  const s = Math.max(0, sec);
  const whole = precise ? Math.floor(s) : Math.floor(s + 1e-9);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const ss = whole % 60;
  let out = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(ss).padStart(2, '0')}` : `${m}:${String(ss).padStart(2, '0')}`;
  if (precise) {
    const tenth = Math.floor((s - whole) * 10 + 1e-6);
    out += `.${Math.min(9, tenth)}`;
  }
  return out;
}

/** "[MM:SS]" as Gemini writes timestamps: two-digit minutes, hours only when needed. */
export function formatTimestamp(sec: number): string {
  const whole = Math.floor(Math.max(0, sec) + 1e-9);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const ss = whole % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
  return h > 0 ? `${String(h).padStart(2, '0')}:${mmss}` : mmss;
}
