// Answer writers for plain facts about a clip: its spoken language, its duration, and what can be said about speakers.

import type { AudioPart, ClipAnswer } from '../types.js';
import { speechStatus, speechSeconds } from './queries.js';
import { durationWords, languageName, secondsPhrase, speechWarnings } from './prose.js';

export function languageAnswer(part: AudioPart, clip: ClipAnswer): void {
  const a = part.analysis;
  const status = speechStatus(a);
  if (status === 'not-analysed') {
    clip.answer = `I can't tell the language: speech was not analysed. ${speechWarnings(a)}`;
  } else if (status === 'no-speech') {
    clip.answer = 'There is no speech in this audio, so there is no spoken language.';
  } else if (a.language) {
    clip.language = a.language;
    clip.answer = `The speech is in ${languageName(a.language)} (${a.language}), as identified by the speech engine.`;
  } else {
    clip.answer = 'The speech engine did not report a language for this audio.';
  }
}

export function speakersAnswer(part: AudioPart, clip: ClipAnswer): void {
  const a = part.analysis;
  const regions = a.speechRegions.length ? a.speechRegions : a.segments;
  clip.answer = regions.length
    ? `The analysis does not tell speakers apart (no diarization), so I can't say how many people speak or who they are. Speech was detected in ${regions.length} stretch${regions.length === 1 ? '' : 'es'}, about ${secondsPhrase(speechSeconds(a))} in all.`
    : 'No speech was detected in this audio, so there are no speakers.';
}

export function durationAnswer(part: AudioPart, clip: ClipAnswer): void {
  clip.answer = `The audio is ${durationWords(part.analysis)} long.`;
}
