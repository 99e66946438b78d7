// Output shaping for a composed answer: stop sequences, token limits (cutting at word ends), and the one enum
// value of a text/x.enum response.

import type { AnswerData } from '../types.js';
import { EarshotError } from '../../domain/errors.js';
import { bestEnumValue } from '../schema/answer-json.js';

/** Default token count when none is supplied: about four characters per token. */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Cut text at the earliest stop sequence (the sequence itself is not included). */
export function applyStopSequences(text: string, stops: string[] | undefined): { text: string; stopped: boolean } {
  let cut = -1;
  for (const s of stops ?? []) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  return cut >= 0 ? { text: text.slice(0, cut), stopped: true } : { text, stopped: false };
}

/** The longest prefix (ending at a word boundary where possible) with at most `max` tokens. */
export function truncateToTokens(text: string, max: number, count: (t: string) => number): { text: string; truncated: boolean } {
  if (count(text) <= max) return { text, truncated: false };
  if (max <= 0) return { text: '', truncated: true };
  // candidate cut points: ends of words (and of the text)
  const cuts: number[] = [];
  for (const m of text.matchAll(/\S+/g)) cuts.push((m.index ?? 0) + m[0].length);
  let lo = 0;
  let hi = cuts.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (count(text.slice(0, cuts[mid])) <= max) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best >= 0) return { text: text.slice(0, cuts[best]), truncated: true };
  // a single first word longer than the budget: cut by characters
  let l = 0;
  let h = cuts[0] ?? text.length;
  while (l < h) {
    const mid = (l + h + 1) >> 1;
    if (count(text.slice(0, mid)) <= max) l = mid;
    else h = mid - 1;
  }
  return { text: text.slice(0, l), truncated: true };
}

/** The enum value a text/x.enum response answers with. */
export function pickEnum(schema: object | undefined, data: AnswerData): string {
  const values = ((schema as { enum?: unknown[] } | undefined)?.enum ?? []).filter((v): v is string => typeof v === 'string');
  if (!values.length) throw new EarshotError('SCHEMA_ENUM_MISSING');
  return bestEnumValue(values, data);
}
