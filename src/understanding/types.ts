// The input and output shapes of the understanding layer: a Gemini conversation whose audio parts are already
// resolved to their analyses, the generation options that shape the answer, and the composed answer.

import type { AudioAnalysis, EmotionReading } from '../domain/analysis.js';

export interface TextPart {
  kind: 'text';
  text: string;
}

export interface AudioPart {
  kind: 'audio';
  /** 0-based order of this audio among all audio parts of the conversation */
  index: number;
  analysis: AudioAnalysis;
  mimeType: string;
  /** the file's display name (Files API) or original name, when known */
  displayName?: string;
  /** the audio itself, kept only when a backend wants to hear it (audio-native OpenAI-compatible servers) */
  source?: { path?: string; bytes?: Buffer };
}

export type Part = TextPart | AudioPart;

export interface Turn {
  role: 'user' | 'model';
  parts: Part[];
}

export interface Conversation {
  /** Gemini `systemInstruction`, its text parts joined */
  system?: string;
  turns: Turn[];
}

export interface GenerationOptions {
  /** 'text/x.enum' answers with one value of the schema's enum */
  responseMimeType?: 'text/plain' | 'application/json' | 'text/x.enum' | string;
  /** JSON Schema (convert Gemini's `responseSchema` with geminiSchemaToJsonSchema; `responseJsonSchema` as is) */
  responseSchema?: object;
  maxOutputTokens?: number;
  stopSequences?: string[];
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
}

export interface ComposeOptions extends GenerationOptions {
  /** Token counter for maxOutputTokens; defaults to ceil(characters / 4). */
  countTokens?: (text: string) => number;
  /** The sound classifier's label list (e.g. YAMNet's 521 display names) for matching "dog" → "Dog", "Bark". */
  labels?: readonly string[];
  /** How to configure a language model, shown when a prompt needs one, e.g. "start earshot with --llm <model.gguf>". */
  llmHint?: string;
}

export interface Grounding {
  /** AudioPart.index */
  audioIndex: number;
  start: number;
  end: number;
}

export interface ComposedAnswer {
  text: string;
  finishReason: 'STOP' | 'MAX_TOKENS';
  /** the stretches of audio the answer rests on */
  grounding: Grounding[];
  /** the structured answer behind the text (also what JSON mode fills a schema from) */
  data: AnswerData;
}

/** An emotion backed by evidence: the vocal sound event (Laughter, Crying, Shout…) that overlaps the segment. */
export interface EmotionFact {
  value: 'happy' | 'sad' | 'angry';
  evidence: { label: string; start: number; end: number; score: number };
}

export interface SegmentData {
  start: number;
  end: number;
  text: string;
  /** facts from the analysis (src/understanding/facts.ts); absent when the analysis does not hold them */
  speaker?: string;
  /** BCP-47 code, only when a multilingual engine identified it */
  language?: string;
  /** the engine's translation, when the analysis carries one */
  translation?: string;
  emotion?: EmotionFact;
  /** a language model's reading of the words, when one was asked for this answer */
  emotionReading?: EmotionReading;
}

export interface SoundData {
  label: string;
  start: number;
  end: number;
  score: number;
}

/** The structured content of an answer about one audio part. */
export interface ClipAnswer {
  audioIndex: number;
  name?: string;
  durationSec: number;
  /** the answer sentence(s) for this clip */
  answer: string;
  transcript?: string;
  segments?: SegmentData[];
  summary?: string;
  description?: string;
  sounds?: SoundData[];
  language?: string;
  count?: number;
  present?: boolean;
  /** seconds, for time questions */
  time?: number;
  keywords?: string[];
  /** the whole clip's transcript, segments and sounds, for schema fields the answer itself does not cover */
  fallback?: { transcript?: string; segments: SegmentData[]; sounds: SoundData[]; summary?: string };
  /** diarization: speaker labels in order of first appearance, or why there are none */
  speakers?: string[];
  speakersUnavailable?: string;
  /** what answering needs that this analysis lacks (e.g. translation needs a multilingual model or an LLM) */
  needs?: string;
}

export interface AnswerData {
  kind: string;
  /** the whole answer as text */
  answer: string;
  clips: ClipAnswer[];
}
