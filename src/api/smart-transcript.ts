// Gemini's SMART transcription mode, applied to a stored transcript: fillers (um, uh, er…) and stuttered repeats
// ("I I think") go, sentences get capitals and end punctuation, and speech separated by a long pause becomes a
// new paragraph. Only the words heard are used: nothing is reworded, summarised or added.

import type { TranscriptSegment } from '../domain/analysis.js';

/** Sounds of hesitation, never words: removed with the comma that may follow them. */
const FILLERS = new Set(['um', 'umm', 'ummm', 'uh', 'uhh', 'uhhh', 'uhm', 'er', 'err', 'erm', 'ah', 'ahh', 'eh', 'hmm', 'hm', 'mm', 'mmm']);

/** Words that may stand twice in a row in correct English ("I know that that is true", "she had had enough"). */
const LEGIT_DOUBLES = new Set(['that', 'had', 'is', 'do', 'very', 'really', 'so', 'no', 'bye', 'yes', 'ha']);

/** A pause at least this long between segments starts a new paragraph. */
export const PARAGRAPH_PAUSE_SEC = 1.5;

const bare = (token: string) => token.toLowerCase().replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, '');

/** Remove fillers and immediate repeats from one stretch of text; keeps the punctuation that belongs to real words. */
export function removeDisfluencies(text: string): string {
  const out: string[] = [];
  for (const token of text.split(/\s+/).filter(Boolean)) {
    const word = bare(token);
    if (FILLERS.has(word)) {
      // "so, um, we" → "so, we": a filler's trailing mark goes with it; a sentence end it carried moves back
      const end = /[.!?]$/.exec(token)?.[0];
      if (end && out.length) out[out.length - 1] = out[out.length - 1]!.replace(/[,;:]?$/, '') + end;
      continue;
    }
    const prev = out.length ? bare(out[out.length - 1]!) : '';
    if (word && word === prev && !LEGIT_DOUBLES.has(word) && !/[.!?]$/.test(out[out.length - 1]!)) {
      out[out.length - 1] = token; // keep the later token's punctuation
      continue;
    }
    out.push(token);
  }
  return out.join(' ');
}

/** Capitals at sentence starts and for "I", no space before punctuation, no doubled marks, a full stop at the end. */
export function formatSentences(text: string): string {
  let t = text
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/([,;:])(?:\s*[,;:])+/g, '$1')
    .replace(/^[\s,;:.]+/, '')
    .replace(/[\s,;:]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t) return '';
  t = t.replace(/\bi\b(?=('m|'ve|'ll|'d|\s|[,.;:!?]|$))/g, 'I');
  t = t.replace(/(^|[.!?]\s+)(\p{Ll})/gu, (_, lead: string, c: string) => lead + c.toUpperCase());
  if (!/[.!?…"')\]]$/.test(t)) t += '.';
  return t;
}

export interface SmartParagraph {
  text: string;
  start: number;
  end: number;
  /** the segments' language when they agree on one */
  language?: string;
}

/** The transcript as SMART mode gives it: cleaned paragraphs, split at long pauses and at changes of language. */
export function smartParagraphs(segments: readonly TranscriptSegment[]): SmartParagraph[] {
  const paragraphs: { parts: string[]; start: number; end: number; language?: string }[] = [];
  for (const s of segments) {
    const cleaned = removeDisfluencies(s.text.trim());
    if (!cleaned.replace(/[^\p{L}\p{N}]/gu, '')) continue;
    const last = paragraphs[paragraphs.length - 1];
    if (last && s.start - last.end < PARAGRAPH_PAUSE_SEC && last.language === s.language) {
      last.parts.push(cleaned);
      last.end = s.end;
    } else paragraphs.push({ parts: [cleaned], start: s.start, end: s.end, language: s.language });
  }
  return paragraphs
    .map((p) => ({
      text: formatSentences(removeDisfluencies(p.parts.join(' '))),
      start: p.start,
      end: p.end,
      ...(p.language ? { language: p.language } : {}),
    }))
    .filter((p) => p.text);
}
