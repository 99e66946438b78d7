// The table of answer writers: one per intent, each filling a clip's answer (and the structured fields JSON mode
// reads) from that clip's analysis and recording the stretches of audio it rests on.

import type { Intent, IntentKind } from '../intent.js';
import type { AudioPart, ClipAnswer, Grounding } from '../types.js';
import { questionAnswer, summaryAnswer, transcriptAnswer } from './writers-speech.js';
import { countAnswer, descriptionAnswer, presenceAnswer, soundsAnswer, timeAnswer } from './writers-sounds.js';
import { durationAnswer, languageAnswer, speakersAnswer, translateAnswer } from './writers-facts.js';

/** Fills `clip` for the intent; pushes the audio stretches the answer rests on onto `grounding`. */
export type Writer = (intent: Intent, part: AudioPart, clip: ClipAnswer, grounding: Grounding[]) => void;

/** What the analysis holds, for requests the built-in answerer cannot reason about. */
function analysisOverview(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  descriptionAnswer(intent, part, clip, g);
  clip.answer = `What the analysis holds: ${clip.answer}`;
}

export const WRITERS: Readonly<Record<IntentKind, Writer>> = {
  transcript: transcriptAnswer,
  summary: summaryAnswer,
  description: descriptionAnswer,
  sounds: soundsAnswer,
  question: questionAnswer,
  time: timeAnswer,
  presence: presenceAnswer,
  count: countAnswer,
  language: languageAnswer,
  duration: (_intent, part, clip) => durationAnswer(part, clip),
  speakers: speakersAnswer,
  translate: translateAnswer,
  reasoning: analysisOverview,
  'text-only': analysisOverview,
};
