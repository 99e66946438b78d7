// Classifies what a conversation's last user turn asks about its audio (transcript, summary, presence of a sound,
// when a word is said, ...), which audio parts it targets and what the question is about. Follow-ups ("and the
// second one?") inherit the previous request; the system instruction fills in when the turn itself gives no cue.
// What a question is about (its subject) is read in subject.ts.

import type { AudioPart, Conversation } from './types.js';
import { asksForSpokenWords, extractSubject, type Subject } from './subject.js';
import { words } from './text.js';

export type { Subject } from './subject.js';

export type IntentKind =
  | 'transcript'
  | 'summary'
  | 'description'
  | 'sounds'
  | 'question'
  | 'time'
  | 'presence'
  | 'count'
  | 'language'
  | 'duration'
  | 'speakers'
  | 'translate'
  | 'reasoning'
  | 'text-only';

export interface Intent {
  kind: IntentKind;
  /** the text of the last user turn */
  prompt: string;
  /** the text time references are read from (the last turn's, or the inherited one's for follow-ups) */
  timeText: string;
  /** `[MM:SS]` per segment requested */
  timestamps: boolean;
  /** AudioPart.index of the audio parts asked about */
  targets: number[];
  subject?: Subject;
  /** time questions: start (default) or end of the event, or how long it lasts */
  edge?: 'start' | 'end' | 'duration';
  /** the turn was read as a follow-up of the previous request */
  followUp: boolean;
  /** transcripts: label each line with its speaker ("with speaker labels", "who said what") */
  speakerLabels?: boolean;
  /** speaker questions about one speaker: 1-based, in order of first appearance ("the second speaker", "speaker 2") */
  speaker?: number;
  /** translation requests: the target language's English name, lower case (default "english") */
  target?: string;
}

export interface ClassifyOptions {
  /** the sound classifier's label list, for mapping "dog" → Dog, Bark */
  labels?: readonly string[];
}

const REASONING = new RegExp(
  [
    '\\btranslat',
    '\\bin (?:french|spanish|german|italian|portuguese|chinese|japanese|korean|russian|arabic|hindi|dutch)\\b',
    '\\bwrite (?:a|an|me|some)\\b',
    '\\bpoem\\b',
    '\\bstory\\b',
    '\\bessay\\b',
    '\\bsentiment',
    '\\bemotion',
    '\\bmood\\b',
    '\\btone\\b',
    '\\bsarcas',
    '\\bopinion\\b',
    '\\bwhat do you think\\b',
    '\\bdo you (?:think|believe|agree)\\b',
    '\\bcompare\\b',
    '\\bcomparison\\b',
    '\\bpredict',
    '\\brecommend',
    '\\bevaluat',
    '\\bcritique',
    '\\bgrade\\b',
    '\\brate (?:the|this|it)\\b',
    '\\bgenre\\b',
    '\\brewrite\\b',
    '\\bparaphrase',
    '\\bcorrect (?:the|any)\\b',
    '\\bgrammar\\b',
    '\\bcalculat',
    '\\bsolve\\b',
    '\\bjoke\\b',
    '\\bhow (?:does|did) (?:he|she|they|the speaker) feel',
    '\\bis (?:he|she|the speaker) (?:happy|sad|angry|lying|sincere|right)\\b',
    '\\bfact[- ]?check',
    '\\bcontinue\\b',
  ].join('|'),
  'i',
);
const TARGET_LANGUAGES =
  'english|french|spanish|german|italian|portuguese|chinese|japanese|korean|russian|arabic|hindi|dutch|polish|turkish|swedish';
const TRANSLATE = /\btranslat/i;
const TRANSLATE_TARGET = new RegExp(`\\b(?:into|to|in)\\s+(${TARGET_LANGUAGES})\\b`, 'i');
const SPEAKER_LABELS =
  /\bspeaker (?:labels?|names?|tags?|turns?|ids?)\b|\bwho said what\b|\b(?:by|per|for each) speaker\b|\bdiari[sz]ed\b|\blabel(?:l?ed|l?ing)? (?:the |each )?speakers?\b/i;
const ONE_SPEAKER =
  /\b(first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th|other|last) (?:speaker|voice|person)\b|\b(?:speaker|spk)[ _#]?(\d{1,2}|one|two|three|four|five|six)\b/i;
const LANGUAGE =
  /\b(?:what|which) language\b|\blanguage (?:is|was|are|of|spoken|used)\b|\bin what language\b|\bspoken language\b|\bidentify the language\b/i;
const DURATION =
  /\bhow long is (?:the |this |that )?(?:audio|clip|recording|file|track|song|it|this|that)\b|\bhow long (?:does|do) (?:the |this )?(?:audio|clip|recording|file|track|song|it) (?:last|run|take|go on)\b|\b(?:duration|length) of (?:the |this |that )?(?:audio|clip|recording|file|track|song|it)\b|\bwhat(?:'s| is) the (?:total |overall )?(?:duration|length)\b(?!\s+of\b)|\bhow (?:many )?(?:seconds|minutes|hours) (?:long )?is (?:it|this|the (?:audio|clip|recording|file|track))\b|^\s*(?:total |overall )?(?:duration|length)\s*\??\s*$/i;
const SPEAKERS =
  /\bhow many (?:different |distinct )?(?:speakers|people|persons|voices)\b|\bwho (?:speaks|spoke|talks|talked)\b|\b(?:first|second|third|fourth|fifth|sixth|1st|2nd|3rd|4th|5th|6th|other|last) (?:speaker|voice|person)\b|\bspeaker (?:\d{1,2}|one|two|three|four|five|six)\b|\bspk_\d+|\bnumber of (?:speakers|voices|people)\b|\bwho (?:is|are) (?:speaking|talking)\b|\bidentify (?:the )?speakers\b|\bdiari[sz]/i;
const COUNT = /\bhow many\b|\bhow often\b|\bcount (?:the|how|all)?\b|\bnumber of\b/i;
const TIMESTAMPS = /\btime[- ]?stamp|\btime[- ]?codes?\b|\bwith (?:the )?times\b|\[\s*mm:ss\s*\]|\bmm:ss\b/i;
const SUMMARY =
  /\bsummar|\bsum (?:it )?up\b|\bgist\b|\btl;?dr\b|\bmain (?:points?|ideas?|topics?|message)\b|\bkey (?:points?|takeaways?|ideas?)\b|\boverview\b|\brecap\b|\bwhat(?: is| was|'s) (?:it|(?:this|that|the)(?: (?:audio|clip|recording|talk|speech|podcast|file|lecture|conversation|episode|song|track))?) about\b|\bwhat (?:is|was|are) (?:being )?(?:discussed|talked about)\b|\bwhat (?:are|is) (?:they|he|she|the speakers?) talking about\b|\bin (?:a|one|two|three|a few) (?:sentences?|words?|bullet)/i;
const TRANSCRIPT =
  /\btranscri|\bverbatim\b|\bword for word\b|\bdictat|\bwhat (?:exactly )?(?:is|was) (?:being )?said\b(?!\s+about)|\bwhat (?:does|did) (?:he|she|they|the (?:speaker|narrator|man|woman|person|voice)) say\b(?!\s+about)|\bwrite (?:down|out) (?:what|everything)|\bsubtitles?\b|\bcaptions\b|\bwhat (?:are|were) the (?:exact )?words\b|\bspell out\b/i;
const TIME =
  /^\s*(?:and\s+)?when\b|\bat what (?:time|point|moment|timestamp)\b|\bwhat time (?:does|do|did|is|was)\b|\bat which (?:time|point|moment)\b|\bhow (?:far|long) into\b|\b(?:find|give|what is|what's) the (?:time|timestamp|moment)\b|\bwhere in the (?:audio|clip|recording|file)\b|\bhow long (?:does|do|did|is|was) (?:the |a |an )?\w+/i;
const PRESENCE =
  /^\s*(?:and\s+)?(?:is|are|was|were) there\b|\b(?:do|did|can|could) (?:you|i|we) hear\b|\b(?:does|did|do) (?:it|this|that|the (?:audio|clip|recording|file|track)s?) (?:contain|include|have|feature|mention)\b|\bis (?:a|an|any|the) [\w ,-]+ (?:audible|present|heard|detected)\b|^\s*any\b|^\s*(?:and\s+)?(?:does|did) (?:he|she|they|the (?:speaker|narrator|man|woman|person)) (?:ever )?(?:mention|say|talk about|speak about|use the word)\b|\bis (?:someone|somebody|anyone|anybody) (?:speaking|talking|singing)\b|\bis there (?:any )?(?:speech|talking|music)\b/i;
const SOUNDS =
  /\bwhat (?:kind of |type of |sort of )?(?:sounds?|noises?|animals?|instruments?|birds?)\b|\bidentify (?:the |this |that )?(?:sound|noise|animal|instrument|bird)s?\b|\bwhich (?:animal|instrument|sound|bird)s?\b|\bclassify\b|\bwhat(?:'s| is) (?:making|that|the) (?:sound|noise)\b|\bwhat makes (?:this|that|the) (?:sound|noise)\b|\blist (?:the|all) sounds?\b/i;
const DESCRIPTION =
  /\bdescri|\bwhat (?:do|can|did) you hear\b|\bwhat(?:'s| is| was) (?:in )?(?:this|the|that) (?:audio|clip|recording|file|sound)\b|\bwhat is this\b|\bwhat(?:'s| is) (?:going on|happening)\b|\btell me about (?:this|the|that)\b|\bcaption\b|\banaly[sz]e (?:this|the|it)\b|\blisten to (?:this|the|it)\b/i;
const QUESTION =
  /^\s*(?:and\s+)?(?:who|whom|whose|what|which|why|where|how|does|did|do|is|are|was|were|can|could|will|would|should|has|have|had)\b|\?\s*$/i;
const FOLLOW_UP = /^\s*(?:and|what about|how about|same (?:for|with)|now|also|then|ok(?:ay)?|and now|again|the other|what of)\b/i;

const ORDINALS: Record<string, number> = {
  first: 1,
  '1st': 1,
  second: 2,
  '2nd': 2,
  third: 3,
  '3rd': 3,
  fourth: 4,
  '4th': 4,
  fifth: 5,
  '5th': 5,
  sixth: 6,
  '6th': 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
};
const CLIP_NOUN = '(?:clips?|audios?|audio files?|files?|recordings?|tracks?|samples?|songs?|sounds?|ones?|attachments?|uploads?)';

/** All audio parts of the conversation, in index order. */
export function audioParts(conversation: Conversation): AudioPart[] {
  const out: AudioPart[] = [];
  for (const t of conversation.turns) for (const p of t.parts) if (p.kind === 'audio') out.push(p);
  return out.sort((a, b) => a.index - b.index);
}

function turnText(parts: Conversation['turns'][number]['parts']): string {
  return parts
    .filter((p) => p.kind === 'text')
    .map((p) => (p as { text: string }).text)
    .join('\n')
    .trim();
}

/** The language a text asks the audio to be translated into (English name, lower case), or undefined. */
export function translationTarget(text: string): string | undefined {
  if (classifyKind(text) !== 'translate') return undefined;
  return (TRANSLATE_TARGET.exec(text)?.[1] ?? 'english').toLowerCase();
}

/** The kind of request a text makes, or undefined when it gives no cue. */
export function classifyKind(text: string): IntentKind | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (TRANSLATE.test(t)) return 'translate';
  if (SPEAKER_LABELS.test(t) && (TRANSCRIPT.test(t) || /\b(?:generate|give|write|produce|make)\b/i.test(t))) return 'transcript';
  if (REASONING.test(t)) return 'reasoning';
  if (LANGUAGE.test(t)) return 'language';
  if (SPEAKERS.test(t)) return 'speakers';
  if (COUNT.test(t)) return 'count';
  if (SUMMARY.test(t)) return 'summary';
  if (TRANSCRIPT.test(t)) return 'transcript';
  if (DURATION.test(t)) return 'duration';
  if (TIME.test(t)) return 'time';
  if (SOUNDS.test(t)) return 'sounds';
  if (DESCRIPTION.test(t)) return 'description';
  if (PRESENCE.test(t)) return 'presence';
  if (QUESTION.test(t)) return 'question';
  return undefined;
}

/** Which audio parts a text names: ordinals, "clip 2", "both", display names. Undefined when it names none. */
export function resolveTargets(text: string, parts: AudioPart[], previous?: number[]): number[] | undefined {
  const [firstPart] = parts;
  const lastPart = parts.at(-1);
  if (!firstPart || !lastPart) return undefined;
  const t = text.toLowerCase();
  // n is clamped to 1..parts.length, so the lookup always finds a part
  const idx = (n: number) => (parts[Math.min(parts.length, Math.max(1, n)) - 1] ?? lastPart).index;
  const found = new Set<number>();
  if (
    /\b(?:both|all|each|every)\b(?:\s+(?:of\s+)?(?:the|these|those)?\s*(?:clips|audios|audio files|files|recordings|tracks|samples|songs|ones))?/.test(
      t,
    ) &&
    (/\bboth\b/.test(t) || new RegExp(`\\b(?:all|each|every)\\b[^.?!]*${CLIP_NOUN}`).test(t))
  ) {
    return parts.map((p) => p.index);
  }
  for (const m of t.matchAll(
    new RegExp(
      `\\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|seventh|eighth|ninth|tenth|last|final|latter|former)\\s+${CLIP_NOUN}\\b`,
      'g',
    ),
  )) {
    const [, w = ''] = m;
    const n = ORDINALS[w];
    if (w === 'last' || w === 'final' || w === 'latter') found.add(lastPart.index);
    else if (w === 'former') found.add(firstPart.index);
    else if (n !== undefined) found.add(idx(n));
  }
  for (const m of t.matchAll(
    /\b(?:clip|audio|file|recording|track|sample|song|attachment)\s*(?:#|no\.?|number)?\s*(\d{1,2}|one|two|three|four|five)\b(?![:.\d])/g,
  )) {
    const [, ref = ''] = m;
    const n = /^\d+$/.test(ref) ? Number(ref) : ORDINALS[ref];
    if (n !== undefined && n >= 1 && n <= parts.length) found.add(idx(n));
  }
  if (parts.length > 1) {
    // bare ordinals in follow-ups: "and the second?", "what about the first one"
    for (const m of t.matchAll(/\bthe (first|second|third|fourth|fifth|last|other)(?:\s+one)?\s*(?=[?.!,;]|$)/g)) {
      const [, w = ''] = m;
      const n = ORDINALS[w];
      if (w === 'other') {
        const prev = new Set(previous ?? []);
        const rest = parts.filter((p) => !prev.has(p.index));
        for (const p of rest) found.add(p.index);
      } else if (w === 'last') found.add(lastPart.index);
      else if (n !== undefined && n <= parts.length) found.add(idx(n));
    }
  }
  for (const p of parts) {
    const name = p.displayName?.toLowerCase().trim();
    if (!name) continue;
    const base = name.replace(/\.[a-z0-9]{2,5}$/, '');
    if (t.includes(name) || (base.length >= 3 && new RegExp(`\\b${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(t)))
      found.add(p.index);
  }
  return found.size ? [...found].sort((a, b) => a - b) : undefined;
}

/** Speaker labels, one speaker asked about, a translation's target: from the turn, or inherited by a follow-up. */
function speakerCues(kind: IntentKind, text: string, prev: Intent | undefined): Pick<Intent, 'speakerLabels' | 'speaker' | 'target'> {
  const out: Pick<Intent, 'speakerLabels' | 'speaker' | 'target'> = {};
  if (SPEAKER_LABELS.test(text) || prev?.speakerLabels) out.speakerLabels = true;
  const one = ONE_SPEAKER.exec(text);
  const w = (one?.[1] ?? one?.[2])?.toLowerCase(); // a match always has one of the two groups
  if (w !== undefined) {
    out.speaker = w === 'last' ? -1 : w === 'other' ? 2 : /^\d+$/.test(w) ? Number(w) : ORDINALS[w];
  } else if (prev?.speaker !== undefined && kind === prev.kind) out.speaker = prev.speaker;
  if (kind === 'translate') out.target = (TRANSLATE_TARGET.exec(text)?.[1] ?? prev?.target ?? 'english').toLowerCase();
  return out;
}

function edgeOf(text: string): 'start' | 'end' | 'duration' {
  if (/\bhow long\b|\blast(?:s|ing)? (?:for )?how long\b|\bduration of\b/i.test(text)) return 'duration';
  if (/\b(?:end|ends|ended|stop|stops|stopped|finish|finishes|finished|fade|fades|over)\b/i.test(text)) return 'end';
  return 'start';
}

/**
 * The intent of the conversation's last user turn. Earlier user turns are classified in order so a follow-up can
 * inherit the request it follows; the system instruction supplies the kind (and timestamps) when the turn has none.
 * Targets default to the audio parts of the last user turn, or all audio parts when that turn has none.
 */
export function classifyIntent(conversation: Conversation, options: ClassifyOptions = {}): Intent {
  const parts = audioParts(conversation);
  const system = conversation.system ?? '';
  const systemKind = classifyKind(system);
  let prev: Intent | undefined;
  const userTurns = conversation.turns.filter((t) => t.role === 'user');
  if (userTurns.length === 0) userTurns.push({ role: 'user', parts: [] });
  for (const turn of userTurns) {
    const text = turnText(turn.parts);
    const own = turn.parts.filter((p) => p.kind === 'audio').map((p) => (p as AudioPart).index);
    const named = resolveTargets(text, parts, prev?.targets);
    let kind = classifyKind(text);
    const shortFollow = !!prev && words(text).length <= 10 && own.length === 0 && (FOLLOW_UP.test(text) || !!named || kind === undefined);
    const followUp = shortFollow && (kind === undefined || kind === 'question' || FOLLOW_UP.test(text));
    const ownTimes =
      /\d:\d\d|\b\d+\s*(?:s|sec|secs|seconds?|m|mins?|minutes?|h|hours?)\b|\b(?:first|last|final|second) half\b|\bthe middle\b/i.test(text);
    let subject: Subject | undefined;
    if (followUp && prev) {
      const ownKind = kind && kind !== 'question' ? kind : undefined;
      kind = ownKind ?? prev.kind;
      // strip the clip reference ("the second one", "clip 2") so it is not read as the thing asked about
      const bare = text
        .replace(
          new RegExp(`\\b(?:the\\s+)?(?:first|second|third|fourth|fifth|last|other|final|1st|2nd|3rd)(?:\\s+${CLIP_NOUN})?\\b`, 'gi'),
          ' ',
        )
        .replace(/\b(?:clip|audio|file|recording|track)\s*#?\d+\b/gi, ' ');
      const s = ['presence', 'time', 'count'].includes(kind) ? extractSubject(bare, options.labels) : undefined;
      const explicit = asksForSpokenWords(bare);
      subject = s && (s.labels.length || s.speech || s.words || (s.spoken && explicit)) ? s : prev.subject;
    } else {
      if (kind === undefined) {
        if (!text) kind = systemKind && systemKind !== 'question' ? systemKind : 'description';
        else if (systemKind && systemKind !== 'question') kind = systemKind;
        else if (ownTimes) kind = 'transcript';
        else kind = 'reasoning';
      }
      if (kind === 'presence' || kind === 'time' || kind === 'count') subject = extractSubject(text, options.labels);
    }
    const targets = named ?? (own.length ? own : followUp && prev ? prev.targets : parts.map((p) => p.index));
    const timestamps = TIMESTAMPS.test(text) || TIMESTAMPS.test(system) || (followUp && !!prev?.timestamps);
    if (
      timestamps &&
      followUp &&
      kind !== 'transcript' &&
      kind !== 'summary' &&
      prev &&
      /^\s*(?:and|now|also|ok|okay)?\s*(?:with|add)\b/i.test(text)
    )
      kind = prev.kind;
    prev = {
      kind: parts.length === 0 ? 'text-only' : kind,
      prompt: text,
      timeText: followUp && prev && !ownTimes ? prev.timeText : text,
      timestamps,
      targets,
      subject,
      edge: kind === 'time' ? edgeOf(followUp && prev ? prev.prompt + ' ' + text : text) : undefined,
      followUp,
      ...speakerCues(kind, text, followUp ? prev : undefined),
    };
  }
  return prev!;
}
