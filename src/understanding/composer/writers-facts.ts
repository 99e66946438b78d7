// Answer writers for facts about a clip: its spoken language(s), its duration, its speakers (from diarization, or
// why there are none) and translation (only from translation facts; otherwise what translation needs).

import type { Intent } from '../intent.js';
import type { AudioPart, ClipAnswer, Grounding, SegmentData } from '../types.js';
import { formatTime, formatTimestamp } from '../time-references.js';
import { diarizationUnavailable, hasDiarization, speakerLabels, speakerName, translationInto, withFacts } from '../facts.js';
import { speechStatus, speechSeconds } from './queries.js';
import { languageName } from '../../domain/languages.js';
import { durationWords, joinList, secondsPhrase, speechWarnings } from './prose.js';

const ORDINAL = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

function clipSegments(part: AudioPart): SegmentData[] {
  const a = part.analysis;
  return withFacts(
    a,
    a.segments.map((s) => ({ start: s.start, end: s.end, text: s.text.trim() })),
  );
}

/** Languages of the segments, by speaking time: [code, seconds, segments]. */
type Segs = [SegmentData, ...SegmentData[]]; // a language's segments: never empty
function languageShares(segs: SegmentData[]): [string, number, Segs][] {
  const by = new Map<string, Segs>();
  for (const s of segs) if (s.language) by.set(s.language, [...(by.get(s.language) ?? []), s]);
  return [...by.entries()]
    .map(([code, ss]) => [code, ss.reduce((t, s) => t + s.end - s.start, 0), ss] as [string, number, Segs])
    .sort((x, y) => y[1] - x[1]);
}

export function languageAnswer(_intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const status = speechStatus(a);
  if (status === 'not-analysed') {
    clip.answer = `I can't tell the language: speech was not analysed. ${speechWarnings(a)}`;
    return;
  }
  if (status === 'no-speech') {
    clip.answer = 'There is no speech in this audio, so there is no spoken language.';
    return;
  }
  const segs = clipSegments(part);
  const shares = languageShares(segs);
  const [top] = shares; // the most-spoken language
  if (top) {
    const [topCode, , topSegs] = top;
    clip.language = topCode;
    clip.segments = segs;
    for (const s of segs) if (s.language) g.push({ audioIndex: part.index, start: s.start, end: s.end });
    const name = (code: string) => `${languageName(code)} (${code})`;
    if (shares.length === 1) {
      clip.answer = `The speech is in ${name(topCode)}, as identified by the speech engine for ${segs.length === topSegs.length ? 'every segment' : `${topSegs.length} of ${segs.length} segments`}.`;
    } else {
      const parts = shares.map(
        ([code, sec, ss]) =>
          `${name(code)}: ${ss.length} segment${ss.length === 1 ? '' : 's'}, ${secondsPhrase(sec)}, first at ${formatTime(ss[0].start)}`,
      );
      clip.answer = `The speech is in ${shares.length} languages, as identified by the speech engine per segment: ${parts.join('; ')}. Mostly ${languageName(topCode)}.`;
    }
    return;
  }
  if (a.language) {
    clip.language = a.language;
    clip.answer = `The speech engine reports ${name2(a.language)} for the audio as a whole; it did not identify the language segment by segment.`;
  } else {
    clip.answer =
      'The speech engine did not identify the language of this audio (an English-only or single-language model cannot); a multilingual Whisper model identifies it per segment.';
  }
}

const name2 = (code: string) => `${languageName(code)} (${code})`;

export function speakersAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const regions = a.speechRegions.length ? a.speechRegions : a.segments;
  if (!regions.length && !(a.speakers ?? []).length) {
    clip.answer = 'No speech was detected in this audio, so there are no speakers.';
    clip.count = 0;
    return;
  }
  if (!hasDiarization(a)) {
    clip.answer = `${diarizationUnavailable(a)} So I can't say how many people speak or who says what. Speech was detected in ${regions.length} stretch${regions.length === 1 ? '' : 'es'}, about ${secondsPhrase(speechSeconds(a))} in all.`;
    return;
  }
  const labels = speakerLabels(a);
  clip.speakers = labels;
  clip.count = labels.length;
  const turns = a.speakers ?? [];
  for (const t of turns) g.push({ audioIndex: part.index, start: t.start, end: t.end });
  const segs = clipSegments(part);
  if (intent.speaker !== undefined) {
    const n = intent.speaker === -1 ? labels.length : intent.speaker;
    const label = labels[n - 1];
    const ord = intent.speaker === -1 ? 'last' : (ORDINAL[n - 1] ?? `number ${n}`);
    if (!label) {
      clip.answer = `Diarization found ${labels.length} speaker${labels.length === 1 ? '' : 's'}${labels.length ? ` (${joinList(labels)})` : ''}, so there is no ${ord} speaker.`;
      return;
    }
    const theirs = segs.filter((s) => s.speaker === label);
    clip.segments = theirs;
    clip.transcript = theirs.map((s) => s.text).join(' ');
    g.length = 0;
    for (const s of theirs) g.push({ audioIndex: part.index, start: s.start, end: s.end });
    const lines = theirs.map((s) => `[${formatTimestamp(s.start)}] ${s.text}`);
    clip.answer = theirs.length
      ? `The ${ord} speaker to appear (${speakerName(label)}, ${label}) says:\n${lines.join('\n')}`
      : `The ${ord} speaker (${speakerName(label)}, ${label}) speaks from ${formatTime(turns.find((t) => t.speaker === label)!.start)}, but none of the transcript is theirs.`;
    return;
  }
  const rows = labels.map((l) => {
    const own = turns.filter((t) => t.speaker === l);
    const sec = own.reduce((t, x) => t + x.end - x.start, 0);
    return `${speakerName(l)} (${l}) speaks for ${secondsPhrase(sec)} over ${own.length} turn${own.length === 1 ? '' : 's'}, first at ${formatTime(own[0]?.start ?? 0)}`;
  });
  clip.segments = segs;
  clip.answer = `Diarization found ${labels.length} speaker${labels.length === 1 ? '' : 's'}. ${rows.join('; ')}. Speakers are told apart by voice and numbered in order of first appearance; the analysis does not know their names.`;
}

/**
 * Translation from the analysis' facts only: an engine's translation on the segments, or the segment itself when it
 * is already in the target language. Anything else says what translation needs (`clip.needs`), never a guess.
 */
export function translateAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const target = intent.target ?? 'english';
  const targetName = target.charAt(0).toUpperCase() + target.slice(1);
  const status = speechStatus(a);
  if (status !== 'transcribed') {
    clip.answer =
      status === 'not-analysed'
        ? `I can't translate: speech was not analysed. ${speechWarnings(a)}`
        : 'There is no speech in this audio to translate.';
    return;
  }
  const segs = clipSegments(part);
  const code = Object.entries({ english: 'en' }).find(([n]) => n === target)?.[1];
  const done = segs.map((s) => translationInto(s, target));
  clip.segments = segs.map((s, i) => ({ ...s, translation: done[i] }));
  for (const s of segs) g.push({ audioIndex: part.index, start: s.start, end: s.end });
  const lines = segs.map((s, i) => {
    const lang = s.language ? languageName(s.language) : 'language not identified';
    if (done[i] === undefined) return `[${formatTimestamp(s.start)}] (${lang}, not translated) ${s.text}`;
    return `[${formatTimestamp(s.start)}] ${done[i]}${s.translation ? '' : ` (already ${targetName})`}`;
  });
  const missing = done.filter((d) => d === undefined).length;
  if (!missing) {
    clip.transcript = done.join(' ');
    const translated = segs.some((s) => s.translation);
    clip.answer = `${translated ? `${targetName} translation from the speech engine` : `The speech is already in ${targetName}`}:\n${lines.join('\n')}`;
    return;
  }
  clip.needs =
    code === 'en'
      ? 'Translation into English needs a multilingual Whisper model (its translate task: earshot models pull whisper-base) or a configured language model'
      : `Translation into ${targetName} needs a configured language model`;
  const noLanguage = segs.every((s) => !s.language);
  const why = noLanguage
    ? 'The speech engine did not identify the language of this audio and the analysis holds no translation.'
    : `The analysis holds no translation for ${missing} of ${segs.length} segment${segs.length === 1 ? '' : 's'}.`;
  clip.answer = `${why} ${clip.needs}; Earshot's built-in answerer does not translate. The transcript as spoken:\n${lines.join('\n')}`;
}

export function durationAnswer(part: AudioPart, clip: ClipAnswer): void {
  clip.answer = `The audio is ${durationWords(part.analysis)} long.`;
}
