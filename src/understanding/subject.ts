// What a presence / time / count question is about: a quoted phrase, the words after "says"/"mentions", the sound
// labels its nouns map to, or speech itself; the question's scaffolding ("how many times", "is there") stripped.

import { matchSoundLabels } from './labels.js';
import { words } from './text.js';

export interface Subject {
  /** the words of the prompt naming it */
  phrase: string;
  /** AudioSet labels it maps to (sound questions) */
  labels: string[];
  /** a word or phrase to look for in the transcript (spoken questions) */
  spoken?: string;
  /** the question is about speech itself ("is someone talking?") */
  speech?: boolean;
  /** count questions about the number of words */
  words?: boolean;
}

const SPOKEN_VERB =
  /\b(?:says?|said|saying|mentions?|mentioned|mentioning|utters?|uttered|pronounces?|pronounced|talks? about|talked about|speaks? about|spoke about|use[sd]? the word|the words?|the phrase|the name)\b/i;
const SPEECH_WORDS =
  /\b(?:speech|speaking|talking|talk|speaker|speakers|someone|somebody|anyone|anybody|person|people|voices?|man|woman|men|women|narrat\w*|conversation|dialog(?:ue)?|words?)\b/i;

/** Strip question scaffolding so what remains names the thing asked about. */
function subjectPhrase(text: string): string {
  return text
    .replace(/["“”'‘’]/g, ' ')
    .replace(/\b(?:from|between|after|before|until|at|around|in)\s+(?:\d[\d:.]*\s*(?:and|to|-|–)?\s*)+\S*/gi, ' ')
    .replace(
      /\b(?:how many times|how many|how often|number of|count(?: the)?|when|at what (?:time|point|moment)|what time|at which (?:time|point)|is there|are there|was there|were there|do you hear|can you hear|did you hear|could you hear|does it contain|does this contain|does the (?:audio|clip|recording|file) (?:contain|include|have|feature)|does it (?:include|have|feature)|is|are|was|were|does|do|did|can|could|any|some|a|an|the|of|in|on|this|that|these|those|audio|clip|recording|file|track|background|heard|hear|audible|present|detected|there|you|it|start|starts|begin|begins|first|appear|appears|occur|occurs|happen|happens|end|ends|stop|stops|finish|finishes|last|lasts|go|on|for|please|sound|sounds|noise|noises|and|what about|how about|also|then|now)\b/gi,
      ' ',
    )
    .replace(/[?.!,;:]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** What a presence / time / count question is about. */
export function extractSubject(text: string, labels?: readonly string[]): Subject | undefined {
  const quoted = /["“']([^"”']{1,80})["”']/.exec(text)?.[1] ?? /[‘]([^’]{1,80})[’]/.exec(text)?.[1];
  if (quoted) return { phrase: quoted, labels: [], spoken: quoted.trim() };
  const verb = SPOKEN_VERB.exec(text);
  if (verb) {
    let after = text.slice(verb.index + verb[0].length).replace(/^\s*(?:the words?|the phrase|the name)\b/i, '');
    after = after
      .replace(/\b(?:in|during|from|between|at|after|before)\b.*$/i, '')
      .replace(/[?.!,;:]+/g, ' ')
      .replace(/\b(?:the|a|an|word|words|phrase)\b/gi, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (after) return { phrase: after, labels: [], spoken: after };
    // "how many times is country said?": the words between the question's scaffolding and the verb
    const before = subjectPhrase(text.slice(0, verb.index))
      .replace(SPEECH_WORDS, ' ')
      .replace(/\b(?:he|she|they|speaker)\b/gi, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (before) return { phrase: before, labels: [], spoken: before };
  }
  const phrase = subjectPhrase(text);
  if (/^words?$/i.test(phrase) || /\bhow many words\b/i.test(text)) return { phrase: 'words', labels: [], words: true };
  const found = matchSoundLabels(phrase, labels);
  const speech = SPEECH_WORDS.test(phrase) && !found.some((l) => !/speech|conversation|narration|singing|song|choir|vocal/i.test(l));
  if (speech) return { phrase, labels: found, speech: true };
  if (found.length) return { phrase, labels: found };
  if (phrase) return { phrase, labels: [], spoken: words(phrase).length <= 4 ? phrase : undefined };
  return undefined;
}

/** The text names words to listen for: a quotation mark, or a verb of saying ("mentions", "the word"). */
export function asksForSpokenWords(text: string): boolean {
  return /["“'‘]/.test(text) || SPOKEN_VERB.test(text);
}
