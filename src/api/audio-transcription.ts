// Gemini's generationConfig.audioTranscriptionConfig, answered from the stored analyses: one part per transcript
// segment carrying `audioTranscription` (text, languageCode, speakerLabel, start/end offsets as Duration strings,
// words when asked), or in SMART mode one part per cleaned paragraph. Speaker labels come from diarization only.
// languageCodes and customVocabulary are hints: the audio is answered from its analysis made with them (its speech
// re-run once, src/analysis/hinted.ts); those the speech engine cannot use are reported as not applied.

import type { Part as WirePart, Transcription, WordInfo } from '@google/genai';
import type { AudioAnalysis, TranscriptSegment } from '../domain/analysis.js';
import { EarshotError } from '../domain/errors.js';
import { normaliseHints, unappliedHints, type TranscriptionHints } from '../domain/hints.js';
import { toWhisperLanguage } from '../engines/speech/whisper-languages.js';
import type { AudioPart, Conversation } from '../understanding/types.js';
import { diarizationUnavailable, hasDiarization } from '../understanding/facts.js';
import { speechStatus } from '../understanding/composer/queries.js';
import { speechWarnings } from '../understanding/composer/prose.js';
import { smartParagraphs } from './smart-transcript.js';

/** audioTranscriptionConfig as Earshot reads it (the deprecated spellings folded into the current ones). */
export interface TranscriptionConfig {
  languageCodes: string[];
  customVocabulary: string[];
  wordTimestamp: boolean;
  diarization: boolean;
  mode: 'VERBATIM' | 'SMART';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : []);

/** Proto enum AudioTranscriptionConfig.Mode: by name or number (MODE_UNSPECIFIED 0, VERBATIM 1, SMART 2). */
const MODES: Record<string, 'VERBATIM' | 'SMART'> = {
  MODE_UNSPECIFIED: 'VERBATIM',
  VERBATIM: 'VERBATIM',
  SMART: 'SMART',
  0: 'VERBATIM',
  1: 'VERBATIM',
  2: 'SMART',
};

/**
 * Read the (camelized, schema-checked) config; undefined when absent. SMART with word timestamps or diarization is
 * refused as Gemini refuses it ("Timestamps and diarization are incompatible with mode SMART").
 */
export function readTranscriptionConfig(raw: unknown): TranscriptionConfig | undefined {
  if (!isObject(raw)) return undefined;
  const hints = isObject(raw.languageHints) ? raw.languageHints.languageCodes : undefined;
  const cfg: TranscriptionConfig = {
    languageCodes: strings(raw.languageCodes ?? hints),
    customVocabulary: [...strings(raw.customVocabulary), ...strings(raw.adaptationPhrases)],
    wordTimestamp: raw.wordTimestamp === true,
    diarization: raw.diarization === true,
    mode: MODES[String(raw.mode ?? 'VERBATIM')] ?? 'VERBATIM',
  };
  if (cfg.mode === 'SMART' && (cfg.wordTimestamp || cfg.diarization)) {
    const fields = [cfg.wordTimestamp ? 'word_timestamp' : '', cfg.diarization ? 'diarization' : ''].filter(Boolean).join(' and ');
    throw new EarshotError('API_TRANSCRIPTION_SMART_CONFLICT', { fields });
  }
  return cfg;
}

/**
 * The transcription hints of a request (language codes as given; the vocabulary, a set). A language no recogniser
 * knows is refused here, as a 400, rather than after the audio was queued.
 */
export function checkedHints(hints: TranscriptionHints): TranscriptionHints {
  const h = normaliseHints(hints);
  for (const code of h.languageCodes ?? []) toWhisperLanguage(code);
  return h;
}

/** The hints of an audioTranscriptionConfig: languageCodes and customVocabulary. */
export function transcriptionHints(cfg: TranscriptionConfig): TranscriptionHints {
  return checkedHints({ languageCodes: cfg.languageCodes, vocabulary: cfg.customVocabulary });
}

/** Seconds as a google.protobuf.Duration JSON string: "2s", "1.250s" (millisecond precision). */
export function durationString(sec: number): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}s`;
}

export interface TranscriptionAnswer {
  parts: WirePart[];
  /** what the answer could not honour, in plain words (sent as the x-earshot-notice header) */
  notices: string[];
}

function audioParts(conversation: Conversation): AudioPart[] {
  const parts = conversation.turns.flatMap((t) => t.parts).filter((p): p is AudioPart => p.kind === 'audio');
  if (!parts.length) throw new EarshotError('API_TRANSCRIPTION_NO_AUDIO');
  return parts;
}

function words(seg: TranscriptSegment): WordInfo[] {
  // words the engine timed itself; evenly spread stand-ins (approximate) are not word timestamps
  return seg.words
    .filter((w) => w.text.trim() && (w as { approximate?: boolean }).approximate !== true)
    .map((w) => ({ word: w.text.trim(), startOffset: durationString(w.start), endOffset: durationString(Math.max(w.end, w.start)) }));
}

function verbatimParts(a: AudioAnalysis, cfg: TranscriptionConfig): Transcription[] {
  return a.segments
    .filter((s) => s.text.trim())
    .map((s) => {
      const t: Transcription = { text: s.text.trim() };
      if (s.language) t.languageCode = s.language;
      if (cfg.diarization && s.speaker) t.speakerLabel = s.speaker;
      t.startOffset = durationString(s.start);
      t.endOffset = durationString(Math.max(s.end, s.start));
      if (cfg.wordTimestamp) t.words = words(s);
      return t;
    });
}

function smartParts(a: AudioAnalysis): Transcription[] {
  return smartParagraphs(a.segments).map((p) => ({ text: p.text, ...(p.language ? { languageCode: p.language } : {}) }));
}

/** The hints an analysis was asked for but not made with (the speech engine cannot use them), in plain words. */
export function unappliedNotices(a: AudioAnalysis, asked: TranscriptionHints, names: { languages: string; vocabulary: string }): string[] {
  const engine = a.engines.speech ?? 'none';
  const notices: string[] = [];
  for (const field of unappliedHints(asked, a.hints)) {
    if (field === 'vocabulary')
      notices.push(`${names.vocabulary} was not applied: the speech engine (${engine}) takes no vocabulary; a Whisper model does.`);
    if (field === 'languageCodes')
      notices.push(
        `${names.languages} not applied: the speech engine (${engine}) cannot be told the language (it knows one, or identifies none); a multilingual Whisper model can.`,
      );
  }
  return notices;
}

/** Why the hints could not shape this transcript, when they were given and the engine could not use them. */
function hintNotices(analyses: readonly AudioAnalysis[], cfg: TranscriptionConfig): string[] {
  const asked = { languageCodes: cfg.languageCodes, vocabulary: cfg.customVocabulary };
  const names = { languages: 'languageCodes were', vocabulary: 'customVocabulary' };
  return [...new Set(analyses.flatMap((a) => unappliedNotices(a, asked, names)))];
}

/**
 * The transcription answer for every audio part of the conversation, in order (offsets are on each audio's own
 * clock). Refuses, rather than guesses: audio whose speech was not transcribed, and diarization asked of an analysis
 * made without a speaker model.
 */
export function transcriptionAnswer(conversation: Conversation, cfg: TranscriptionConfig): TranscriptionAnswer {
  const analyses = audioParts(conversation).map((p) => p.analysis);
  const transcriptions: Transcription[] = [];
  for (const a of analyses) {
    if (speechStatus(a) === 'not-analysed') throw new EarshotError('API_TRANSCRIPTION_NOT_ANALYSED', { reason: speechWarnings(a) });
    if (cfg.diarization && !hasDiarization(a)) throw new EarshotError('API_DIARIZATION_UNAVAILABLE', { reason: diarizationUnavailable(a) });
    transcriptions.push(...(cfg.mode === 'SMART' ? smartParts(a) : verbatimParts(a, cfg)));
  }
  // `text` beside `audioTranscription` keeps response.text (the SDKs' accessor) the plain transcript, a line per part
  const sep = cfg.mode === 'SMART' ? '\n\n' : '\n';
  const parts = transcriptions.map((t, i) => ({
    text: i < transcriptions.length - 1 ? `${t.text}${sep}` : t.text!,
    audioTranscription: t,
  }));
  return { parts, notices: hintNotices(analyses, cfg) };
}
