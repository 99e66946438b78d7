// The evaluation toolkit behind `earshot eval`: scoring (WER, word-start times, sound top-5, VAD frames, speakers and
// DER), the labelled-directory loader, synthetic conversations, the runner and report formatting, from one place.

export { combineWer, integerToWords, normalizeForWer, wordErrorRate, type WerResult } from './wer.js';
export { quantile, wordStartErrors, type TimedWord, type WordTimeScore } from './word-times.js';
export { meanScores, top5Correct, type TopKResult } from './sounds.js';
export { energyRegions, placeInNoise, vadFrameAccuracy, VAD_LEAD_SEC, VAD_TAIL_SEC, type VadScore } from './vad.js';
export { loadEvalSet, type EvalSet, type SoundItem, type SpeakerItem, type SpeechItem, type VadItem } from './dataset.js';
export { diarizationErrorRate, type DerResult, type LabelledSpan } from './diarization.js';
export {
  diarizePcm,
  runDiarization,
  scoreSpeakers,
  totalSpeakers,
  type DiarizationItem,
  type DiarizationRow,
  type DiarizationSection,
  type SpeakerTruthSource,
} from './speakers.js';
export { buildConversation, espeakAvailable, espeakSynthesise, VOICES, type Conversation, type Synthesise } from './conversation.js';
export {
  runEval,
  type EvalEngines,
  type EvalResult,
  type ExtraSpeakerClip,
  type RunEvalOptions,
  type SoundRow,
  type SpeechRow,
  type Speed,
  type VadRow,
} from './runner.js';
export { formatEvalJson, formatEvalTable } from './report.js';
