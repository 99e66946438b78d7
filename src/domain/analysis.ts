// The shapes of a file's once-computed analysis: what every later answer is grounded in.
// Times are seconds on the file's own clock (0 = first sample), never on a window's.

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
}
