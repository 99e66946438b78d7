// Test conversations with known truth: distinct espeak-ng voices take turns, separated by short pauses;
// every turn's start and end is known to the sample.
import { espeak } from '../sox-decode.js';
import type { LabelledSpan } from '../../../src/eval/diarization.js';

/** espeak-ng voices far apart for a speaker encoder (measured: cross-voice similarity ≤ 0.72). */
export const VOICES = [
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
  pcm: Float32Array;
  turns: LabelledSpan[];
  speakers: number;
}

/** `speakers` voices take `turnsCount` turns in rotation (a, b, c, a, …), with pauses of 0.4–0.8 s. */
export function conversation(speakers: number, turnsCount = Math.max(6, speakers * 3)): Conversation {
  const parts: Float32Array[] = [];
  const turns: LabelledSpan[] = [];
  let t = 0.5;
  parts.push(new Float32Array(8000));
  for (let i = 0; i < turnsCount; i++) {
    const voice = VOICES[i % speakers] as string[];
    const clip = espeak(LINES[i % LINES.length] as string, voice);
    // trim espeak's own leading/trailing silence so the truth is the voiced span
    let a = 0;
    let b = clip.length;
    while (a < b && Math.abs(clip[a] ?? 0) < 1e-3) a++;
    while (b > a && Math.abs(clip[b - 1] ?? 0) < 1e-3) b--;
    const voiced = clip.subarray(a, b);
    turns.push({ start: t, end: t + voiced.length / 16000, speaker: `ref_${(i % speakers) + 1}` });
    parts.push(voiced);
    t += voiced.length / 16000;
    const pause = 0.4 + 0.1 * (i % 5);
    parts.push(new Float32Array(Math.round(pause * 16000)));
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
