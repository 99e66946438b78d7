// Drops what Whisper writes when it hears no speech: sound annotations ("[Music]", "(Bell)", "♪"), decoding loops
// (one short phrase repeated segment after segment) and its stock phrases ("Thank you.", "Thanks for watching!")
// where the audio under them gives them no support. The binding exposes no per-segment no-speech probability, so
// these are judged from the text, the timing and the window's own audio.

import type { TranscriptSegment } from '../../domain/analysis.js';
import { SAMPLE_RATE } from '../../domain/audio.js';
import { energyTrack } from './word-onsets.js';

/** Phrases Whisper is known to produce on silence, noise and music (normalised: lower case, letters and spaces). */
const STOCK_PHRASES = new Set([
  'thank you',
  'thank you very much',
  'thank you so much',
  'thanks',
  'thanks for watching',
  'thank you for watching',
  'thanks for watching and see you next time',
  'thank you for watching and see you next time',
  'thanks for listening',
  'thank you for listening',
  'please subscribe',
  'please subscribe to my channel',
  'subscribe',
  'like and subscribe',
  'bye',
  'bye bye',
  'goodbye',
  'you',
  'so',
  'oh',
  'okay',
  'hmm',
  'um',
  'uh',
  'the end',
  'see you next time',
  'subtitles by the amara org community',
  'transcription by castingwords',
  'subtitles by',
  'www mooji org',
]);

/** Whisper's non-speech annotations: the whole text in brackets, parentheses or asterisks, or music signs only. */
const ANNOTATION = /^\s*(?:\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫\s]+)(?:\s*(?:\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫]+))*[\s.!?]*$/u;

/** Consecutive copies of one short phrase that make a decoding loop. */
const LOOP_COPIES = 3;
/** A stock phrase longer than this per word (seconds) is spread over audio it does not describe. */
const STOCK_MAX_SEC_PER_WORD = 1.2;
/** A stock phrase whose span is this little sound (fraction of loud frames) was said by no one. */
const STOCK_MIN_LOUD_FRACTION = 0.15;
/** A short segment (at most SHORT_WORDS words) over less than this much sound (seconds of loud frames) was said by no one. */
const SHORT_WORDS = 3;
const SHORT_MIN_LOUD_SEC = 0.1;

export function normalizePhrase(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function isAnnotation(text: string): boolean {
  return ANNOTATION.test(text) || normalizePhrase(text).length === 0;
}

/**
 * Segments (times relative to `pcm`, the window they came from) without Whisper's non-speech output:
 * - annotations and segments without a letter or digit;
 * - runs of LOOP_COPIES or more consecutive segments with the same text of at most three words (a decoding loop);
 * - stock phrases that stretch over more than STOCK_MAX_SEC_PER_WORD per word, or lie over audio that is mostly
 *   quiet (speech this weak is not there);
 * - short segments over audio with no sound standing out of its floor (steady noise: nothing was said).
 */
export function dropHallucinations(
  segments: readonly TranscriptSegment[],
  pcm: Float32Array,
  sampleRate = SAMPLE_RATE,
): TranscriptSegment[] {
  const kept = segments.filter((s) => !isAnnotation(s.text));
  const loop = new Set<number>();
  // runs of equal text: kept[runStart..i] ends where the next segment's text differs (or the list ends)
  let runStart = 0;
  for (const [i, s] of kept.entries()) {
    const text = normalizePhrase(s.text);
    const next = kept[i + 1];
    if (next && normalizePhrase(next.text) === text) continue;
    if (i + 1 - runStart >= LOOP_COPIES && text.split(' ').length <= 3) for (let k = runStart; k <= i; k++) loop.add(k);
    runStart = i + 1;
  }
  let track: ReturnType<typeof energyTrack> | undefined;
  /** loud frames and all frames (10 ms each) under a segment */
  const loudness = (s: TranscriptSegment) => {
    track ??= energyTrack(pcm, sampleRate);
    const a = Math.max(0, Math.floor(s.start / 0.01));
    const b = Math.min(track.db.length, Math.ceil(s.end / 0.01));
    let loud = 0;
    for (let f = a; f < b; f++) if (track.db[f]! >= track.loud) loud++; // a >= 0 and b <= db.length
    return { loud, frames: Math.max(0, b - a) };
  };
  return kept.filter((s, i) => {
    if (loop.has(i)) return false;
    const phrase = normalizePhrase(s.text);
    const words = phrase.split(' ').length;
    if (words <= SHORT_WORDS && loudness(s).loud * 0.01 < SHORT_MIN_LOUD_SEC) return false;
    if (!STOCK_PHRASES.has(phrase)) return true;
    const { loud, frames } = loudness(s);
    return s.end - s.start <= STOCK_MAX_SEC_PER_WORD * words && frames > 0 && loud / frames >= STOCK_MIN_LOUD_FRACTION;
  });
}

/** True when the PCM carries no signal at all (every sample below -70 dBFS): there is nothing to transcribe. */
export function isSilent(pcm: Float32Array): boolean {
  const limit = 10 ** (-70 / 20);
  for (const x of pcm) if (x > limit || x < -limit) return false;
  return true;
}
