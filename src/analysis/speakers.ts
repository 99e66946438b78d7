// Puts diarization onto the transcript: every word gets the speaker talking most during it, and a segment
// that spans a change of speaker is split at the word where the speaker changes.

import type { SpeakerTurn, TranscriptSegment, Word } from '../domain/analysis.js';
import { speakerAt } from '../engines/speakers/diarize.js';

function segmentOf(words: Word[], template: TranscriptSegment): TranscriptSegment {
  const first = words[0] as Word;
  const last = words[words.length - 1] as Word;
  return {
    ...template,
    start: first.start,
    end: last.end,
    text: words.map((w) => w.text).join(' '),
    words,
    speaker: first.speaker,
  };
}

export function attachSpeakers(segments: TranscriptSegment[], turns: SpeakerTurn[]): TranscriptSegment[] {
  if (turns.length === 0) return segments;
  const out: TranscriptSegment[] = [];
  for (const s of segments) {
    if (s.words.length === 0) {
      const speaker = speakerAt(turns, s.start, s.end);
      out.push(speaker ? { ...s, speaker } : s);
      continue;
    }
    const words = s.words.map((w) => {
      const speaker = speakerAt(turns, w.start, Math.max(w.end, w.start + 0.01));
      return speaker ? { ...w, speaker } : w;
    });
    // words the turns do not cover (edges of a region) take their neighbour's speaker
    for (let i = 1; i < words.length; i++)
      if (!words[i]?.speaker && words[i - 1]?.speaker) (words[i] as Word).speaker = words[i - 1]?.speaker;
    for (let i = words.length - 2; i >= 0; i--)
      if (!words[i]?.speaker && words[i + 1]?.speaker) (words[i] as Word).speaker = words[i + 1]?.speaker;
    let run: Word[] = [];
    for (const w of words) {
      if (run.length && run[0]?.speaker !== w.speaker) {
        out.push(segmentOf(run, s));
        run = [];
      }
      run.push(w);
    }
    if (run.length) out.push(run.length === s.words.length ? { ...s, words: run, speaker: run[0]?.speaker } : segmentOf(run, s));
  }
  return out;
}
