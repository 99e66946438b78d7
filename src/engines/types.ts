// The engine interfaces: every backend (Silero, YAMNet, whisper.cpp, PocketSphinx, llama.cpp, OpenAI-compatible)
// implements one of these, so the analysis and understanding layers never know which backend they talk to.
// PCM everywhere is 16 kHz mono Float32 in -1..1.

import type { SpeechRegion, TranscriptSegment, SoundEvent } from '../domain/analysis.js';

export interface VadEngine {
  readonly name: string;
  /** Speech regions in seconds relative to the start of `pcm`. */
  detect(pcm: Float32Array): Promise<SpeechRegion[]>;
  close?(): Promise<void>;
}

export interface SoundFrame {
  start: number;
  end: number;
  /** one score per class, class order = SoundEngine.labels */
  scores: Float32Array;
}

export interface SoundEngine {
  readonly name: string;
  readonly labels: readonly string[];
  /** Scores for consecutive frames of `pcm` (times relative to its start). */
  classify(pcm: Float32Array): Promise<SoundFrame[]>;
  /** Frame scores merged into labelled events (non-speech sounds and speech alike). */
  events(frames: SoundFrame[]): SoundEvent[];
  close?(): Promise<void>;
}

/** The listening engines an analysis runs with (any may be missing), as the registry loads them. */
/** Turns speech into voice embeddings for diarization (one per window of `windowSec`). */
export interface SpeakerEncoder {
  readonly name: string;
  /** seconds each embedding listens to */
  readonly windowSec: number;
  /** One embedding per window start (seconds into `pcm`), each window zero-padded at the end. */
  embed(pcm: Float32Array, startsSec: number[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface PipelineEngines {
  vad?: VadEngine;
  sounds?: SoundEngine;
  speech?: SpeechEngine;
  speakers?: SpeakerEncoder;
  /** engine names for the record, e.g. { speech: 'pocketsphinx' } */
  names: Record<string, string>;
  /** why a part could not be computed, and what to do */
  warnings: string[];
}

export interface TranscribeOptions {
  /** One language (BCP-47, e.g. "es") to transcribe as, or "auto" to detect; `languageCodes` wins when both are set. */
  language?: string;
  /**
   * Language hints (BCP-47): one forces it; several restrict detection (a language detected outside them is redone
   * as the first). Engines that cannot identify languages ignore them.
   */
  languageCodes?: string[];
  /** Translate the speech to English (engines with `translation`); others throw SPEECH_TRANSLATION_UNAVAILABLE. */
  translate?: boolean;
  /** Words and names the speech is likely to contain (Gemini's customVocabulary): biases recognition towards them. */
  vocabulary?: string[];
  /** Called with 0..1 while working, for progress reporting. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface TranscribeResult {
  /** times relative to the start of the pcm given; each segment's `language` set only when identified or forced */
  segments: TranscriptSegment[];
  /** the language of the first speech, BCP-47; undefined when the engine cannot identify languages */
  language?: string;
  /** set when the text is a translation (Whisper's translate task): the language it is in */
  translatedTo?: 'en';
}

export interface SpeechEngine {
  readonly name: string;
  /** how many transcribe() calls may usefully run at once (separate decoder processes); default 1 */
  readonly parallelism?: number;
  /** true when the engine identifies the spoken language per call (multilingual Whisper); absent or false: it cannot */
  readonly languageIdentification?: boolean;
  /** true when `translate` is supported (to English) */
  readonly translation?: boolean;
  /** true when `vocabulary` biases recognition; absent or false: the engine ignores it */
  readonly vocabulary?: boolean;
  transcribe(pcm: Float32Array, options?: TranscribeOptions): Promise<TranscribeResult>;
  close?(): Promise<void>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  /** audio for servers hosting audio-native models (OpenAI `input_audio`), wav bytes */
  audio?: { data: Buffer; format: 'wav' | 'mp3' }[];
}

export interface TextRequest {
  messages: ChatMessage[];
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stopSequences?: string[];
  /** When set, output must be JSON valid against this JSON Schema. */
  jsonSchema?: object;
  signal?: AbortSignal;
}

export interface TextChunk {
  text: string;
}

export interface TextResult {
  finishReason: 'STOP' | 'MAX_TOKENS';
  outputTokens: number;
  /** prompt tokens the engine evaluated for this answer (a reused cached prefix is not counted), where it knows */
  inputTokens?: number;
}

export interface TextGenerator {
  readonly name: string;
  /** Streams text chunks; the generator's return value says why it stopped. */
  generate(request: TextRequest): AsyncGenerator<TextChunk, TextResult>;
  close?(): Promise<void>;
}
