// Bending a filled value to its schema's constraints: a string to its pattern (time and placeholder alternatives) and
// length bounds, a number to integer/bounds/multipleOf, and an array's item-count bounds.

import { formatTime, formatTimestamp } from '../time-references.js';
import type { AnswerData } from '../types.js';
import type { JsonSchema } from './convert.js';

/** an array's [minItems, maxItems] */
export function lengthBounds(s: JsonSchema): [number, number] {
  return [typeof s.minItems === 'number' ? s.minItems : 0, typeof s.maxItems === 'number' ? s.maxItems : Infinity];
}

/** the string fitted to pattern, maxLength (cut at a word where one is near) and minLength (padded with the answer) */
export function constrainString(v: string, s: JsonSchema, data: AnswerData): string {
  let out = v;
  if (typeof s.pattern === 'string') {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re && !re.test(out)) {
      const secs = /^(\d+):(\d{2})(?::(\d{2}))?$/.exec(out);
      const t = secs
        ? secs[3] !== undefined
          ? Number(secs[1]) * 3600 + Number(secs[2]) * 60 + Number(secs[3])
          : Number(secs[1]) * 60 + Number(secs[2])
        : 0;
      const whole = Math.floor(t);
      const alts = [
        formatTimestamp(t),
        formatTime(t),
        `${String(Math.floor(whole / 3600)).padStart(2, '0')}:${formatTimestamp(whole % 3600)}`,
        `${t}`,
        `${t}s`,
        `[${formatTimestamp(t)}]`,
        data.kind,
        'unknown',
        'none',
        'n/a',
        'NA',
        'x',
        '0',
        'a',
        'A',
      ];
      const hit = alts.find((a) => re!.test(a));
      if (hit !== undefined) out = hit;
    }
  }
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  if ([...out].length > max) {
    const chars = [...out].slice(0, max);
    const cut = chars.join('');
    const space = cut.lastIndexOf(' ');
    out = space > max * 0.6 ? cut.slice(0, space) : cut;
  }
  if ([...out].length < min) {
    const filler = ` ${data.answer}`.trim() ? ` ${data.answer}` : ' -';
    while ([...out].length < min) out += filler;
    if ([...out].length > max) out = [...out].slice(0, max).join('');
  }
  return out;
}

/** the number rounded (integer, or to 1 ms) and moved inside minimum/maximum, the exclusive bounds and multipleOf */
export function constrainNumber(x: number, s: JsonSchema, integer: boolean): number {
  let v = Number.isFinite(x) ? x : 0;
  if (integer) v = Math.round(v);
  else v = Math.round(v * 1000) / 1000;
  if (typeof s.minimum === 'number' && v < s.minimum) v = integer ? Math.ceil(s.minimum) : s.minimum;
  if (typeof s.maximum === 'number' && v > s.maximum) v = integer ? Math.floor(s.maximum) : s.maximum;
  if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum)
    v = integer
      ? Math.floor(s.exclusiveMinimum) + 1
      : s.exclusiveMinimum + (typeof s.exclusiveMaximum === 'number' ? (s.exclusiveMaximum - s.exclusiveMinimum) / 2 : 1);
  if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum)
    v = integer
      ? Math.ceil(s.exclusiveMaximum) - 1
      : s.exclusiveMaximum - (typeof s.exclusiveMinimum === 'number' ? (s.exclusiveMaximum - s.exclusiveMinimum) / 2 : 1);
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0) v = Math.round(v / s.multipleOf) * s.multipleOf;
  return v;
}
