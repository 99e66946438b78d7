// Gemini's generationConfig.audioTranscriptionConfig, answered from the stored analyses: one part per transcript
// segment carrying `audioTranscription` (text, languageCode, speakerLabel, start/end offsets as Duration strings,
// words when asked), or in SMART mode one part per cleaned paragraph. Speaker labels come from diarization only;
// hints the once-per-file analysis was made without (languageCodes, customVocabulary) are reported as not applied.

import type { Part as WirePart, Transcription, WordInfo } from '@google/genai';
import type { AudioAnalysis, TranscriptSegment } from '../domain/analysis.js';
import { EarshotError } from '../domain/errors.js';
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

const baseCode = (code: string) => code.toLowerCase().split(/[-_]/)[0];

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

/** Why the hints could not shape this transcript, when they were given. */
function hintNotices(analyses: readonly AudioAnalysis[], cfg: TranscriptionConfig): string[] {
  const notices: string[] = [];
  if (cfg.customVocabulary.length) {
    notices.push('customVocabulary was not applied: the audio was transcribed once, when it was analysed, without it.');
  }
  if (cfg.languageCodes.length) {
    const wanted = new Set(cfg.languageCodes.map(baseCode));
    const heard = new Set(
      analyses
        .flatMap((a) => a.segments.map((s) => s.language))
        .filter((l): l is string => !!l)
        .map(baseCode),
    );
    if (heard.size === 0)
      notices.push(
        'languageCodes were not applied: the speech engine did not identify the language, and the audio was transcribed once, without hints.',
      );
    else if ([...heard].some((l) => !wanted.has(l))) {
      notices.push(
        `languageCodes were not applied: the audio was transcribed once, without hints; its speech was identified as ${[...heard].join(', ')}.`,
      );
    }
  }
  return notices;
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
