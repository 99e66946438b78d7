// Test recordings where two people talk over each other at some turn changes, with the truth known: each
// speaker's track is laid out alone (espeak-ng voices, or JFK and the LibriVox reader), the tracks are mixed by
// `sox -m`, and the truth is each track's voiced spans; where both are voiced is the overlap.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabelledSpan } from '../../../src/eval/diarization.js';
import { VOICES as EVAL_VOICES } from '../../../src/eval/conversation.js';
import { SPEECH_DIR, tempDir } from '../../helpers.js';
import { espeak, soxDecode } from '../sox-decode.js';
import { voicedSpans } from './real-voices.js';

const RATE = 16000;

export interface OverlapRecording {
  /** 16 kHz mono, the two tracks mixed */
  pcm: Float32Array;
  /** each speaker's voiced spans (ref_a, ref_b); spans of different speakers overlap */
  turns: LabelledSpan[];
  /** where both speakers are voiced at once */
  overlaps: { start: number; end: number }[];
}

/** One turn: `pcm` spoken by `speaker`, starting `gapSec` after the previous turn ends (negative: overlapping). */
interface Turn {
  pcm: Float32Array;
  speaker: 'ref_a' | 'ref_b';
  gapSec: number;
}

/** The two tracks mixed by `sox -m` (each input scaled by ½, as sox does by default so the sum cannot clip). */
function soxMix(a: Float32Array, b: Float32Array): Float32Array {
  const { dir, cleanup } = tempDir('earshot-mix-');
  try {
    const raw = ['-t', 'raw', '-r', String(RATE), '-c', '1', '-b', '32', '-e', 'float'];
    writeFileSync(path.join(dir, 'a.f32'), a);
    writeFileSync(path.join(dir, 'b.f32'), b);
    execFileSync('sox', ['-m', ...raw, path.join(dir, 'a.f32'), ...raw, path.join(dir, 'b.f32'), path.join(dir, 'mix.wav')]);
    return soxDecode(path.join(dir, 'mix.wav'));
  } finally {
    cleanup();
  }
}

function intersect(a: { start: number; end: number }[], b: { start: number; end: number }[]) {
  const out: { start: number; end: number }[] = [];
  for (const x of a)
    for (const y of b) {
      const start = Math.max(x.start, y.start);
      const end = Math.min(x.end, y.end);
      if (end > start) out.push({ start, end });
    }
  return out.sort((p, q) => p.start - q.start);
}

function layOut(turns: Turn[]): OverlapRecording {
  const at: number[] = [];
  let t = 0.5;
  turns.forEach((turn, i) => {
    if (i > 0) t += turn.gapSec;
    at.push(t);
    t += turn.pcm.length / RATE;
  });
  const total = Math.round((Math.max(...turns.map((x, i) => (at[i] ?? 0) + x.pcm.length / RATE)) + 0.5) * RATE);
  const tracks = { ref_a: new Float32Array(total), ref_b: new Float32Array(total) };
  const truth: LabelledSpan[] = [];
  turns.forEach((turn, i) => {
    const offset = at[i] ?? 0;
    tracks[turn.speaker].set(turn.pcm, Math.round(offset * RATE));
    for (const s of voicedSpans(turn.pcm)) truth.push({ start: offset + s.start, end: offset + s.end, speaker: turn.speaker });
  });
  truth.sort((p, q) => p.start - q.start);
  const spans = (who: string) => truth.filter((s) => s.speaker === who);
  return { pcm: soxMix(tracks.ref_a, tracks.ref_b), turns: truth, overlaps: intersect(spans('ref_a'), spans('ref_b')) };
}

/** `pcm` without the synthesiser's leading and trailing silence. */
function trim(pcm: Float32Array): Float32Array {
  let a = 0;
  let b = pcm.length;
  while (a < b && Math.abs(pcm[a] ?? 0) < 1e-3) a++;
  while (b > a && Math.abs(pcm[b - 1] ?? 0) < 1e-3) b--;
  return pcm.subarray(a, b);
}

const LINES = [
  'Good morning, did you manage to finish the quarterly report before the deadline?',
  'Almost, I still need the sales figures from the northern region before I can close it.',
  'I sent those on Tuesday, they should be sitting in your inbox already.',
  'Then I will finish the summary this afternoon and share it with everyone on the team.',
  'Remember that the board meeting moved to Thursday at ten o clock in the morning.',
  'Thanks, I will update the calendar and book the large conference room for it.',
  'Could someone also prepare the budget slides for the marketing team this week?',
  'I can take care of the slides if nobody else has started working on them yet.',
];

/** How early (s) the turns 3, 5 and 7 start before the previous clip ends; the other changes have a pause. */
export const ESPEAK_OVERLAPS = [1.2, 1.6, 2.0];

/**
 * Two espeak-ng voices take eight turns (a, b, a, b, …); at three turn changes the next speaker starts 1.2, 1.6
 * and 2 s before the other's clip ends (voiced overlap ≈ 1.1, 1.5, 1.9 s), at the rest there is a pause of 0.5–0.7 s.
 */
export function espeakOverlap(): OverlapRecording {
  const voices = EVAL_VOICES as string[][];
  const turns: Turn[] = LINES.map((line, i) => {
    const overlapIndex = i % 2 === 0 && i > 0 ? i / 2 - 1 : -1;
    const gapSec = overlapIndex >= 0 ? -(ESPEAK_OVERLAPS[overlapIndex] ?? 1) : 0.5 + 0.1 * (i % 3);
    return { pcm: trim(espeak(line, voices[i % 2])), speaker: i % 2 === 0 ? 'ref_a' : 'ref_b', gapSec };
  });
  return layOut(turns);
}

/** Where `pcm`'s voice starts and ends (s): clips begin and end with a little silence of their own. */
function voiced(pcm: Float32Array): { start: number; end: number } {
  const spans = voicedSpans(pcm);
  return { start: Math.min(...spans.map((s) => s.start)), end: Math.max(...spans.map((s) => s.end)) };
}

/**
 * JFK and the LibriVox reader, six turns: JFK (11 s); the reader (clip 0870) cutting in `overlapSec` before JFK's
 * last word ends; a pause; JFK again; the reader (clip 0920) cutting in the same way; a pause, the reader
 * (clip 0890) alone; a pause, JFK once more.
 */
export function jfkReaderOverlap(overlapSec = 1.5): OverlapRecording {
  const jfk = soxDecode(path.join(SPEECH_DIR, 'jfk.wav'));
  const reader = (n: string) => soxDecode(path.join(SPEECH_DIR, `sense_and_sensibility_01_austen_64kb-${n}.wav`));
  // the reader's first voiced instant lands `overlapSec` before JFK's last one
  const cutIn = (next: Float32Array) => -(jfk.length / RATE - voiced(jfk).end + overlapSec + voiced(next).start);
  const [r1, r2, r3] = [reader('0870'), reader('0920'), reader('0890')];
  return layOut([
    { pcm: jfk, speaker: 'ref_a', gapSec: 0 },
    { pcm: r1, speaker: 'ref_b', gapSec: cutIn(r1) },
    { pcm: jfk, speaker: 'ref_a', gapSec: 0.8 },
    { pcm: r2, speaker: 'ref_b', gapSec: cutIn(r2) },
    { pcm: r3, speaker: 'ref_b', gapSec: 0.8 },
    { pcm: jfk, speaker: 'ref_a', gapSec: 0.8 },
  ]);
}
