// Word error rate for `earshot eval`: English text normalisation (numbers, contractions, abbreviations,
// punctuation) applied to reference and hypothesis alike, then word-level Levenshtein alignment.

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];
const ORDINAL_WORDS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

/** English words for a non-negative integer written in digits, e.g. "1205" → "one thousand two hundred five". */
export function integerToWords(digits: string): string {
  const clean = digits.replace(/^0+(?=\d)/, '');
  if (clean.length > 15)
    return clean
      .split('')
      .map((d) => ONES[Number(d)])
      .join(' ');
  let n = Number(clean);
  if (n === 0) return 'zero';
  const parts: string[] = [];
  for (let scale = 0; n > 0; scale++, n = Math.floor(n / 1000)) {
    const chunk = n % 1000;
    if (chunk === 0) continue;
    parts.unshift([below1000(chunk), SCALES[scale]].filter(Boolean).join(' '));
  }
  return parts.join(' ');
}

/** Entry k of a number-word table; a k outside it is a bug in the caller's arithmetic. */
function wordAt(table: readonly string[], k: number): string {
  const w = table[k];
  if (w === undefined) throw new Error(`no number word at ${k}`);
  return w;
}

function below1000(n: number): string {
  const words: string[] = [];
  if (n >= 100) {
    words.push(wordAt(ONES, Math.floor(n / 100)), 'hundred');
    n %= 100;
  }
  if (n >= 20) {
    words.push(wordAt(TENS, Math.floor(n / 10)));
    if (n % 10) words.push(wordAt(ONES, n % 10));
  } else if (n > 0) {
    words.push(wordAt(ONES, n));
  }
  return words.join(' ');
}

function ordinal(words: string): string {
  const parts = words.split(' ');
  const last = parts.pop() as string;
  const ord = ORDINAL_WORDS[last] ?? (last.endsWith('y') ? last.slice(0, -1) + 'ieth' : last + 'th');
  return [...parts, ord].join(' ');
}

function numberToWords(token: string): string {
  // token: digits with optional thousands commas, optional decimal part, optional ordinal suffix.
  const m = /^(\d[\d,]*)(?:\.(\d+))?(st|nd|rd|th)?$/.exec(token);
  if (!m) return token;
  const [, digits = '', decimals, suffix] = m; // the integer group is mandatory
  let words = integerToWords(digits.replace(/,/g, ''));
  if (decimals)
    words +=
      ' point ' +
      decimals
        .split('')
        .map((d) => ONES[Number(d)])
        .join(' ');
  if (suffix && !decimals) words = ordinal(words);
  return words;
}

const CONTRACTIONS: [RegExp, string][] = [
  [/\bwon't\b/g, 'will not'],
  [/\bcan't\b/g, 'can not'],
  [/\bcannot\b/g, 'can not'],
  [/\bshan't\b/g, 'shall not'],
  [/\bain't\b/g, 'is not'],
  [/\blet's\b/g, 'let us'],
  [/n't\b/g, ' not'],
  [/'re\b/g, ' are'],
  [/'ve\b/g, ' have'],
  [/'ll\b/g, ' will'],
  [/'m\b/g, ' am'],
  [/'d\b/g, ' would'],
  [/\b(it|he|she|that|what|there|here|where|who|how|this)'s\b/g, '$1 is'],
];

const ABBREVIATIONS: [RegExp, string][] = [
  [/\bmr\b\.?/g, 'mister'],
  [/\bmrs\b\.?/g, 'missus'],
  [/\bdr\b\.?/g, 'doctor'],
  [/\bst\b\.?/g, 'saint'],
];

/**
 * Normalise text for WER: lowercase, unify apostrophes, expand common contractions ("don't" → "do not",
 * "it's" → "it is", "'d" → "would"), expand "mr/mrs/dr/st", spell numbers ("10" → "ten", "3.5" → "three point
 * five", "2nd" → "second", "10%" → "ten percent", "$5" → "five dollars"), turn hyphens into spaces, drop all
 * other punctuation (possessive "'s" becomes "s"), collapse whitespace. Apply to reference and hypothesis alike.
 */
export function normalizeForWer(text: string): string {
  let t = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'");
  for (const [re, rep] of CONTRACTIONS) t = t.replace(re, rep);
  for (const [re, rep] of ABBREVIATIONS) t = t.replace(re, rep);
  t = t.replace(/\$(\d[\d,]*(?:\.\d+)?)/g, '$1 dollars');
  t = t.replace(/(\d)%/g, '$1 percent');
  t = t.replace(/(\d)\s*&\s*(\d)/g, '$1 and $2');
  t = t.replace(/\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?\b|\d[\d,]*(?:\.\d+)?/g, (tok) => ` ${numberToWords(tok.replace(/,$/, ''))} `);
  t = t.replace(/&/g, ' and ');
  t = t.replace(/[-\u2010-\u2015/]/g, ' ');
  t = t.replace(/'/g, '');
  t = t.replace(/[^\p{L}\p{N}\s]/gu, ' ');
  return t.replace(/\s+/g, ' ').trim();
}

export interface WerResult {
  /** (substitutions + deletions + insertions) / refWords; 0 when both are empty, 1 when only the reference is */
  wer: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  refWords: number;
  hypWords: number;
}

/** Word error rate by word-level Levenshtein alignment (after `normalizeForWer` unless `normalize` is false). */
export function wordErrorRate(reference: string, hypothesis: string, options: { normalize?: boolean } = {}): WerResult {
  const norm = options.normalize === false ? (s: string) => s.trim() : normalizeForWer;
  const ref = norm(reference).split(/\s+/).filter(Boolean);
  const hyp = norm(hypothesis).split(/\s+/).filter(Boolean);
  const n = ref.length;
  const m = hyp.length;
  // cost[i][j] = edits to turn ref[0..i) into hyp[0..j); ties prefer substitution, then deletion, then insertion.
  const cost: Uint32Array[] = Array.from({ length: n + 1 }, (_, i) => {
    const row = i === 0 ? Uint32Array.from({ length: m + 1 }, (_, j) => j) : new Uint32Array(m + 1);
    row[0] = i;
    return row;
  });
  // cost is (n + 1) × (m + 1): every cell read below is in range
  const cell = (i: number, j: number): number => cost[i]![j]!;
  for (let i = 1; i <= n; i++) {
    const above = cost[i - 1]!;
    const row = cost[i]!;
    const word = ref[i - 1];
    for (let j = 1; j <= m; j++) {
      const sub = above[j - 1]! + (word === hyp[j - 1] ? 0 : 1);
      row[j] = Math.min(sub, above[j]! + 1, row[j - 1]! + 1);
    }
  }
  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && cell(i, j) === cell(i - 1, j - 1) + (ref[i - 1] === hyp[j - 1] ? 0 : 1)) {
      if (ref[i - 1] !== hyp[j - 1]) substitutions++;
      i--;
      j--;
    } else if (i > 0 && cell(i, j) === cell(i - 1, j) + 1) {
      deletions++;
      i--;
    } else {
      insertions++;
      j--;
    }
  }
  const errors = substitutions + deletions + insertions;
  return {
    wer: n === 0 ? (errors === 0 ? 0 : 1) : errors / n,
    substitutions,
    deletions,
    insertions,
    refWords: n,
    hypWords: m,
  };
}

/** Corpus WER: total errors over total reference words. */
export function combineWer(results: readonly WerResult[]): WerResult {
  const sum = (k: keyof WerResult) => results.reduce((a, r) => a + r[k], 0);
  const refWords = sum('refWords');
  const errors = sum('substitutions') + sum('deletions') + sum('insertions');
  return {
    wer: refWords === 0 ? (errors === 0 ? 0 : 1) : errors / refWords,
    substitutions: sum('substitutions'),
    deletions: sum('deletions'),
    insertions: sum('insertions'),
    refWords,
    hypWords: sum('hypWords'),
  };
}
