// Reads a labelled directory for `earshot eval` (layout as in ../shared/audio):
//   speech/transcripts.tsv  file<TAB>transcript            (header row)
//   sounds/labels.tsv       file<TAB>what<TAB>a|b|c         (header row; any listed AudioSet label counts)
//   vad/regions.tsv         file<TAB>start<TAB>end          (optional, header row; one row per speech region,
//                                                            file relative to vad/)
//   speakers/turns.tsv      file<TAB>start<TAB>end<TAB>speaker (optional, header row; one row per speaker turn,
//                                                            file relative to speakers/)
// For diarization, speech/ clips count as single-speaker recordings (truth: 1 speaker, turns unknown, as in
// ../shared/audio); audio with several speakers goes in speakers/ with its turns labelled.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SpeechRegion } from '../domain/analysis.js';
import type { LabelledSpan } from './diarization.js';

export interface SpeechItem {
  file: string;
  path: string;
  transcript: string;
}

export interface SoundItem {
  file: string;
  path: string;
  what: string;
  accepted: string[];
}

export interface VadItem {
  file: string;
  path: string;
  regions: SpeechRegion[];
}

export interface SpeakerItem {
  file: string;
  path: string;
  turns: LabelledSpan[];
}

export interface EvalSet {
  dir: string;
  speech: SpeechItem[];
  sounds: SoundItem[];
  /** hand-labelled VAD files from vad/regions.tsv; empty when the directory has none */
  vad: VadItem[];
  /** files with hand-labelled speaker turns from speakers/turns.tsv; empty when the directory has none */
  speakers: SpeakerItem[];
}

function readTsv(file: string): string[][] {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  return lines.slice(1).map((l) => l.split('\t'));
}

/** Read a labelled directory (see the header). Throws, saying what is expected, when nothing is there. */
export function loadEvalSet(dir: string): EvalSet {
  const speechTsv = path.join(dir, 'speech', 'transcripts.tsv');
  const soundsTsv = path.join(dir, 'sounds', 'labels.tsv');
  const vadTsv = path.join(dir, 'vad', 'regions.tsv');
  const turnsTsv = path.join(dir, 'speakers', 'turns.tsv');
  const set: EvalSet = { dir, speech: [], sounds: [], vad: [], speakers: [] };
  if (existsSync(speechTsv)) {
    for (const [file, transcript] of readTsv(speechTsv)) {
      if (!file || transcript === undefined) continue;
      set.speech.push({ file, path: path.join(dir, 'speech', file), transcript });
    }
  }
  if (existsSync(soundsTsv)) {
    for (const [file, what, accepted] of readTsv(soundsTsv)) {
      if (!file || !accepted) continue;
      set.sounds.push({
        file,
        path: path.join(dir, 'sounds', file),
        what: what ?? '',
        accepted: accepted
          .split('|')
          .map((a) => a.trim())
          .filter(Boolean),
      });
    }
  }
  if (existsSync(vadTsv)) {
    const byFile = new Map<string, SpeechRegion[]>();
    for (const [file, start, end] of readTsv(vadTsv)) {
      const s = Number(start);
      const e = Number(end);
      if (!file || !Number.isFinite(s) || !Number.isFinite(e)) continue;
      if (!byFile.has(file)) byFile.set(file, []);
      byFile.get(file)!.push({ start: s, end: e });
    }
    for (const [file, regions] of byFile) set.vad.push({ file, path: path.join(dir, 'vad', file), regions });
  }
  if (existsSync(turnsTsv)) {
    const byFile = new Map<string, LabelledSpan[]>();
    for (const [file, start, end, speaker] of readTsv(turnsTsv)) {
      const s = Number(start);
      const e = Number(end);
      if (!file || !speaker || !Number.isFinite(s) || !Number.isFinite(e) || e <= s) continue;
      if (!byFile.has(file)) byFile.set(file, []);
      byFile.get(file)!.push({ start: s, end: e, speaker: speaker.trim() });
    }
    for (const [file, turns] of byFile) set.speakers.push({ file, path: path.join(dir, 'speakers', file), turns });
  }
  if (!set.speech.length && !set.sounds.length && !set.vad.length && !set.speakers.length) {
    throw new Error(
      `No labelled audio in ${dir}: expected speech/transcripts.tsv (file<TAB>transcript), ` +
        'sounds/labels.tsv (file<TAB>what<TAB>label|label), vad/regions.tsv (file<TAB>start<TAB>end) and/or ' +
        'speakers/turns.tsv (file<TAB>start<TAB>end<TAB>speaker), each with a header row.',
    );
  }
  return set;
}
