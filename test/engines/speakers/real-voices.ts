// Test recordings of real voices with known speakers, built from the shared clips (decoded by sox): JFK's 11 s
// repeated once a minute (one man), the five LibriVox Sense and Sensibility clips read by one reader, and JFK and
// the reader taking turns (two people) with each turn's voiced spans as the truth.
import path from 'node:path';
import type { LabelledSpan } from '../../../src/eval/diarization.js';
import { SPEECH_DIR } from '../../helpers.js';
import { soxDecode } from '../sox-decode.js';

const RATE = 16000;
export const READER_CLIPS = ['0870', '0880', '0890', '0920', '0930'].map((n) => `sense_and_sensibility_01_austen_64kb-${n}.wav`);

export interface RealRecording {
  pcm: Float32Array;
  /** voiced spans and who speaks them (ref_jfk, ref_reader); pauses of ≥ 0.3 s inside a clip are not speech */
  turns: LabelledSpan[];
}

const decoded = new Map<string, Float32Array>();
function clip(file: string): Float32Array {
  let pcm = decoded.get(file);
  if (!pcm) {
    pcm = soxDecode(path.join(SPEECH_DIR, file));
    decoded.set(file, pcm);
  }
  return pcm;
}

/**
 * The voiced spans of `pcm` in seconds: 10 ms frames louder than 25 dB under the clip's loudest frame, with gaps
 * shorter than `minGapSec` bridged (the pauses between words are part of a turn; a breath between phrases is not).
 */
export function voicedSpans(pcm: Float32Array, minGapSec = 0.3): { start: number; end: number }[] {
  const frame = RATE / 100;
  const db: number[] = [];
  for (let i = 0; i + frame <= pcm.length; i += frame) {
    let s = 0;
    for (let k = i; k < i + frame; k++) s += (pcm[k] ?? 0) ** 2;
    db.push(10 * Math.log10(s / frame + 1e-12));
  }
  const floor = Math.max(...db) - 25;
  const spans: { start: number; end: number }[] = [];
  db.forEach((d, f) => {
    if (d < floor) return;
    const last = spans[spans.length - 1];
    const t = f / 100;
    if (last && t - last.end < minGapSec) last.end = t + 0.01;
    else spans.push({ start: t, end: t + 0.01 });
  });
  return spans;
}

function assemble(parts: { pcm: Float32Array; speaker?: string }[]): RealRecording {
  const pcm = new Float32Array(parts.reduce((n, p) => n + p.pcm.length, 0));
  const turns: LabelledSpan[] = [];
  let o = 0;
  for (const p of parts) {
    pcm.set(p.pcm, o);
    const at = o / RATE;
    if (p.speaker) for (const s of voicedSpans(p.pcm)) turns.push({ start: at + s.start, end: at + s.end, speaker: p.speaker });
    o += p.pcm.length;
  }
  return { pcm, turns };
}

const silence = (sec: number) => ({ pcm: new Float32Array(Math.round(sec * RATE)) });

/** jfk.wav at the start of every minute (as `sox jfk.wav minute.wav pad 0 49`, concatenated `minutes` times). */
export function jfkEveryMinute(minutes: number): RealRecording {
  const jfk = clip('jfk.wav');
  const parts: { pcm: Float32Array; speaker?: string }[] = [];
  for (let m = 0; m < minutes; m++) parts.push({ pcm: jfk, speaker: 'ref_jfk' }, silence(60 - jfk.length / RATE));
  return assemble(parts);
}

/** The five LibriVox clips, one reader, `rounds` times over with 0.6 s between clips. */
export function oneReader(rounds = 1): RealRecording {
  const parts: { pcm: Float32Array; speaker?: string }[] = [];
  for (let r = 0; r < rounds; r++) for (const f of READER_CLIPS) parts.push({ pcm: clip(f), speaker: 'ref_reader' }, silence(0.6));
  return assemble(parts);
}

/** JFK and the LibriVox reader taking turns (jfk, clip 1, jfk, clip 2, …), 0.8 s between turns. */
export function jfkAndReader(): RealRecording {
  const parts: { pcm: Float32Array; speaker?: string }[] = [silence(0.5)];
  for (const f of READER_CLIPS)
    parts.push({ pcm: clip('jfk.wav'), speaker: 'ref_jfk' }, silence(0.8), { pcm: clip(f), speaker: 'ref_reader' }, silence(0.8));
  return assemble(parts);
}
