// Synthetic conversations with known speaker turns, for scoring diarization: distinct espeak-ng voices take
// turns separated by short pauses, and every turn's start and end is known to the sample. The voice synthesiser
// is injected (the eval uses espeak-ng through ffmpeg here; the tests use their own sox-based one).

import { execFileSync } from 'node:child_process';
import { SAMPLE_RATE } from '../domain/audio.js';
import { locateFfmpeg } from '../audio/ffmpeg.js';
import type { LabelledSpan } from './diarization.js';

/** espeak-ng voices far apart for a speaker encoder (measured: cross-voice similarity ≤ 0.72). */
export const VOICES: readonly string[][] = [
  ['-v', 'en-us+m3', '-s', '150'],
  ['-v', 'en-us+f3', '-s', '160'],
  ['-v', 'en-us+boris', '-s', '140'],
  ['-v', 'en-us+edward', '-s', '155'],
];

const LINES = [
  'Good morning, did you manage to finish the quarterly report before the deadline?',
  'Almost, I still need the sales figures from the northern region.',
  'I sent those on Tuesday, they should be in your inbox already.',
  'Then I will finish the summary this afternoon and share it with everyone.',
  'Remember that the board meeting moved to Thursday at ten o clock.',
  'Thanks, I will update the calendar and book the large conference room.',
  'Could someone also prepare the budget slides for the marketing team?',
  'I can take care of the slides if nobody else has started on them.',
  'Great, then we are done for today unless anyone has another question.',
  'Just one thing, the printer on the second floor is broken again.',
  'I will call the technician after lunch and ask him to come tomorrow.',
  'Perfect, see you all on Thursday then.',
];

export interface Conversation {
  /** 16 kHz mono */
  pcm: Float32Array;
  /** the truth: each turn's voiced span and its speaker (ref_1, ref_2, …) */
  turns: LabelledSpan[];
  speakers: number;
}

/** Speaks `text` with espeak-ng arguments `voice`, returning 16 kHz mono PCM. */
export type Synthesise = (text: string, voice: string[]) => Float32Array;

/**
 * `speakers` voices (at most VOICES.length) take `turnsCount` turns in rotation (a, b, c, a, …), with pauses of
 * 0.4–0.8 s; the audio starts with 0.5 s of silence.
 */
export function buildConversation(speakers: number, speak: Synthesise, turnsCount = Math.max(6, speakers * 3)): Conversation {
  if (speakers < 1 || speakers > VOICES.length) throw new RangeError(`speakers must be 1…${VOICES.length}`);
  const parts: Float32Array[] = [];
  const turns: LabelledSpan[] = [];
  let t = 0.5;
  parts.push(new Float32Array(SAMPLE_RATE / 2));
  for (let i = 0; i < turnsCount; i++) {
    const clip = speak(LINES[i % LINES.length] as string, VOICES[i % speakers] as string[]);
    // trim the synthesiser's own leading/trailing silence so the truth is the voiced span
    let a = 0;
    let b = clip.length;
    while (a < b && Math.abs(clip[a] ?? 0) < 1e-3) a++;
    while (b > a && Math.abs(clip[b - 1] ?? 0) < 1e-3) b--;
    const voiced = clip.subarray(a, b);
    turns.push({ start: t, end: t + voiced.length / SAMPLE_RATE, speaker: `ref_${(i % speakers) + 1}` });
    parts.push(voiced);
    t += voiced.length / SAMPLE_RATE;
    const pause = 0.4 + 0.1 * (i % 5);
    parts.push(new Float32Array(Math.round(pause * SAMPLE_RATE)));
    t += pause;
  }
  const pcm = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    pcm.set(p, o);
    o += p.length;
  }
  return { pcm, turns, speakers };
}

/** Whether espeak-ng can be run here. */
export function espeakAvailable(): boolean {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The eval's synthesiser: espeak-ng's WAV on stdout, resampled to 16 kHz mono float by the project's ffmpeg. */
export const espeakSynthesise: Synthesise = (text, voice) => {
  const wav = execFileSync('espeak-ng', [...voice, '--stdout', text], { maxBuffer: 1 << 28 });
  const raw = execFileSync(
    locateFfmpeg().ffmpeg,
    ['-loglevel', 'error', '-i', 'pipe:0', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 'f32le', 'pipe:1'],
    { input: wav, maxBuffer: 1 << 28 },
  );
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
};
