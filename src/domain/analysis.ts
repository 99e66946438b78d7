// The shapes of a file's once-computed analysis: what every later answer is grounded in.
// Times are seconds on the file's own clock (0 = first sample), never on a window's.

export interface Word {
  text: string;
  start: number;
  end: number;
  /** 0..1 where the engine reports it. */
  confidence?: number;
}

export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
  words: Word[];
  confidence?: number;
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
  /** integrated loudness, dBFS RMS over the whole file */
  loudnessDb: number;
  /** which engines produced this, e.g. { vad: "silero", speech: "pocketsphinx", sounds: "yamnet" } */
  engines: Record<string, string>;
  /** Set when a part could not be computed (e.g. no speech engine installed): says what to do. */
  warnings: string[];
}
