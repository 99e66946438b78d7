// The shapes of a file's once-computed analysis: what every later answer is grounded in.
// Times are seconds on the file's own clock (0 = first sample), never on a window's.

import type { TranscriptionHints } from './hints.js';

export interface Word {
  text: string;
  start: number;
  end: number;
  /** 0..1 where the engine reports it. */
  confidence?: number;
  /** diarization label (spk_1, spk_2, … in order of first appearance), when diarization ran */
  speaker?: string;
  /** true when the engine gave no word times and these were spread evenly over the segment */
  approximate?: boolean;
}

export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
  words: Word[];
  confidence?: number;
  /** diarization label of the speaker who says most of it, when diarization ran */
  speaker?: string;
  /** BCP-47 code of the spoken language, only when a multilingual engine identified it */
  language?: string;
  /**
   * English text of this segment, from a hinted analysis that ran Whisper's translate task (mapped onto the
   * transcript by time overlap); '' when its words were rendered in a neighbouring segment's translation.
   */
  translation?: string;
  /**
   * A language model's reading of the emotion in this segment's words, added for one answer when a schema asks for
   * an emotion and a model is configured (src/understanding/emotion-reading.ts); never stored with the analysis.
   */
  emotionReading?: EmotionReading;
}

/** What a language model read from the words alone, and which model read it. */
export interface EmotionReading {
  value: 'happy' | 'sad' | 'angry' | 'neutral';
  by: string;
}

/** A stretch of speech by one speaker (diarization). */
export interface SpeakerTurn {
  start: number;
  end: number;
  /** spk_1, spk_2, … in order of first appearance */
  speaker: string;
}

export interface SpeechRegion {
  start: number;
  end: number;
}

export interface SoundEvent {
  /** AudioSet display name, e.g. "Siren". */
  label: string;
  start: number;
  end: number;
  /** Peak score (0..1) inside the event. */
  score: number;
}

export interface AudioProbe {
  durationSec: number;
  channels: number;
  sampleRate: number;
  codec: string;
  /** bits per second, when known */
  bitRate?: number;
  /** container/format name as the decoder reports it, e.g. "wav", "mp3", "ogg" */
  format: string;
}

export interface AudioAnalysis {
  /** sha256 of the bytes analysed */
  sha256: string;
  durationSec: number;
  speechRegions: SpeechRegion[];
  segments: TranscriptSegment[];
  language?: string;
  soundEvents: SoundEvent[];
  /** who spoke when; absent when no speaker model was available (see warnings) */
  speakers?: SpeakerTurn[];
  /** integrated loudness, dBFS RMS over the whole file */
  loudnessDb: number;
  /** which engines produced this, e.g. { vad: "silero", speech: "pocketsphinx", sounds: "yamnet" } */
  engines: Record<string, string>;
  /** Set when a part could not be computed (e.g. no speech engine installed): says what to do. */
  warnings: string[];
  /**
   * Present on a hinted analysis only: the hints its transcript was made with — those the engine could use (see
   * src/domain/hints.ts); asked hints missing here were not applied. Absent: the file's base analysis, made without.
   */
  hints?: TranscriptionHints;
}

/**
 * The language most of the speech is in: the segments' identified languages weighed by their duration (ties go to the
 * one heard first); undefined when no segment has one.
 */
export function majorityLanguage(segments: readonly TranscriptSegment[]): string | undefined {
  const weight = new Map<string, number>();
  for (const s of segments) if (s.language) weight.set(s.language, (weight.get(s.language) ?? 0) + Math.max(0, s.end - s.start));
  let best: string | undefined;
  for (const [lang, w] of weight) if (best === undefined || w > weight.get(best)!) best = lang;
  return best;
}
