// Runs the given listening engines over a labelled directory and returns per-file rows, totals and speeds.
// Decoding is injected (`decode(path) → 16 kHz mono Float32Array`), so evaluation never touches audio formats.
// VAD without vad/regions.tsv: every speech clip is placed in generated noise and scored against an energy
// reference (see vad.ts). Diarization (speakers.ts) runs on the speech clips (one speaker each), labelled
// speakers/ audio and any synthetic conversations the caller passes (conversation.ts).

import type { SpeechRegion } from '../domain/analysis.js';
import { SAMPLE_RATE } from '../domain/audio.js';
import type { SoundEngine, SpeakerEncoder, SpeechEngine, VadEngine } from '../engines/types.js';
import { loadEvalSet } from './dataset.js';
import type { LabelledSpan } from './diarization.js';
import { runDiarization, type DiarizationItem, type DiarizationSection } from './speakers.js';
import { top5Correct } from './sounds.js';
import { energyRegions, placeInNoise, vadFrameAccuracy, type VadScore } from './vad.js';
import { combineWer, wordErrorRate, type WerResult } from './wer.js';

export interface EvalEngines {
  speech?: SpeechEngine;
  sounds?: SoundEngine;
  vad?: VadEngine;
  /** with `vad`: diarization is scored */
  speakers?: SpeakerEncoder;
}

export interface SpeechRow extends WerResult {
  file: string;
  durationSec: number;
  reference: string;
  hypothesis: string;
  /** the language the engine identified (BCP-47); undefined when it cannot identify languages */
  language?: string;
  seconds: number;
  error?: string;
}

export interface SoundRow {
  file: string;
  what: string;
  durationSec: number;
  correct: boolean;
  top: { label: string; score: number }[];
  bestAcceptedRank: number;
  seconds: number;
  error?: string;
}

export interface VadRow extends VadScore {
  file: string;
  durationSec: number;
  seconds: number;
  error?: string;
}

export interface Speed {
  audioSec: number;
  seconds: number;
  /** audio seconds processed per second of wall time (higher is faster) */
  xRealtime: number;
}

export interface EvalResult {
  dir: string;
  speech?: { engine: string; rows: SpeechRow[]; total: WerResult & Speed };
  sounds?: { engine: string; rows: SoundRow[]; total: { correct: number; count: number; top5Accuracy: number } & Speed };
  vad?: {
    engine: string;
    /** 'labelled' (vad/regions.tsv) or 'synthetic-energy' (speech clips placed in noise; see vad.ts) */
    reference: 'labelled' | 'synthetic-energy';
    rows: VadRow[];
    total: { accuracy: number; precision: number; recall: number; f1: number } & Speed;
  };
  speakers?: DiarizationSection;
}

/** Audio with known speaker turns that is not in the directory (e.g. synthetic conversations). */
export interface ExtraSpeakerClip {
  file: string;
  pcm: Float32Array;
  turns: LabelledSpan[];
}

export interface RunEvalOptions {
  /** called after each file */
  onFile?: (part: 'speech' | 'sounds' | 'vad' | 'speakers', file: string, done: number, total: number) => void;
  /** more diarization clips with their true turns, scored after the directory's */
  conversations?: readonly ExtraSpeakerClip[];
}

function speed(audioSec: number, seconds: number): Speed {
  return { audioSec, seconds, xRealtime: seconds > 0 ? audioSec / seconds : Infinity };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Run each given engine over the labelled directory `dir`. Files that fail become rows with `error` set. */
export async function runEval(
  dir: string,
  engines: EvalEngines,
  decode: (file: string) => Promise<Float32Array>,
  options: RunEvalOptions = {},
): Promise<EvalResult> {
  const set = loadEvalSet(dir);
  const result: EvalResult = { dir };
  const now = () => performance.now() / 1000;

  if (engines.speech && set.speech.length) {
    const rows: SpeechRow[] = [];
    for (const [n, item] of set.speech.entries()) {
      let row: SpeechRow;
      try {
        const pcm = await decode(item.path);
        const t0 = now();
        const { segments, language } = await engines.speech.transcribe(pcm);
        const seconds = now() - t0;
        const hypothesis = segments
          .map((s) => s.text)
          .join(' ')
          .replace(/\s+/g, ' ')
          .trim();
        row = {
          file: item.file,
          durationSec: pcm.length / SAMPLE_RATE,
          reference: item.transcript,
          hypothesis,
          seconds,
          language,
          ...wordErrorRate(item.transcript, hypothesis),
        };
      } catch (e) {
        const w = wordErrorRate(item.transcript, '');
        row = { file: item.file, durationSec: 0, reference: item.transcript, hypothesis: '', seconds: 0, ...w, error: message(e) };
      }
      rows.push(row);
      options.onFile?.('speech', item.file, n + 1, set.speech.length);
    }
    const ok = rows.filter((r) => !r.error);
    result.speech = {
      engine: engines.speech.name,
      rows,
      total: { ...combineWer(rows), ...speed(sumOf(ok, 'durationSec'), sumOf(ok, 'seconds')) },
    };
  }

  if (engines.sounds && set.sounds.length) {
    const rows: SoundRow[] = [];
    for (const [n, item] of set.sounds.entries()) {
      let row: SoundRow;
      try {
        const pcm = await decode(item.path);
        const t0 = now();
        const frames = await engines.sounds.classify(pcm);
        const seconds = now() - t0;
        const r = top5Correct(frames, engines.sounds.labels, item.accepted);
        row = { file: item.file, what: item.what, durationSec: pcm.length / SAMPLE_RATE, seconds, ...r };
      } catch (e) {
        row = {
          file: item.file,
          what: item.what,
          durationSec: 0,
          seconds: 0,
          correct: false,
          top: [],
          bestAcceptedRank: Infinity,
          error: message(e),
        };
      }
      rows.push(row);
      options.onFile?.('sounds', item.file, n + 1, set.sounds.length);
    }
    const ok = rows.filter((r) => !r.error);
    const correct = rows.filter((r) => r.correct).length;
    result.sounds = {
      engine: engines.sounds.name,
      rows,
      total: {
        correct,
        count: rows.length,
        top5Accuracy: rows.length ? correct / rows.length : 0,
        ...speed(sumOf(ok, 'durationSec'), sumOf(ok, 'seconds')),
      },
    };
  }

  if (engines.vad) {
    const labelled = set.vad.length > 0;
    // Synthetic: one clip per distinct recording (jfk.wav and jfk.mp3 are the same speech; keep the first).
    const items: { file: string; load: () => Promise<{ pcm: Float32Array; ref: SpeechRegion[] }> }[] = labelled
      ? set.vad.map((v) => ({ file: v.file, load: async () => ({ pcm: await decode(v.path), ref: v.regions }) }))
      : dedupeByStem(set.speech).map((s, idx) => ({
          file: s.file,
          load: async () => {
            const clip = await decode(s.path);
            const { pcm, offsetSec } = placeInNoise(clip, idx + 1);
            const ref = energyRegions(clip).map((r) => ({ start: r.start + offsetSec, end: r.end + offsetSec }));
            return { pcm, ref };
          },
        }));
    const rows: VadRow[] = [];
    for (const [n, item] of items.entries()) {
      let row: VadRow;
      try {
        const { pcm, ref } = await item.load();
        const durationSec = pcm.length / SAMPLE_RATE;
        const t0 = now();
        const hyp = await engines.vad.detect(pcm);
        const seconds = now() - t0;
        row = { file: item.file, durationSec, seconds, ...vadFrameAccuracy(ref, hyp, durationSec) };
      } catch (e) {
        row = { file: item.file, durationSec: 0, seconds: 0, ...vadFrameAccuracy([], [], 0), accuracy: 0, f1: 0, error: message(e) };
      }
      rows.push(row);
      options.onFile?.('vad', item.file, n + 1, items.length);
    }
    const ok = rows.filter((r) => !r.error);
    const frames = sumOf(ok, 'frames');
    const weighted = (k: 'accuracy') => (frames ? ok.reduce((a, r) => a + r[k] * r.frames, 0) / frames : 0);
    // Pool precision/recall over all frames.
    const refSpeech = sumOf(ok, 'refSpeechSec');
    const hypSpeech = sumOf(ok, 'hypSpeechSec');
    const tp = ok.reduce((a, r) => a + r.recall * r.refSpeechSec, 0);
    const recall = refSpeech ? tp / refSpeech : 1;
    const precision = hypSpeech ? tp / hypSpeech : 1;
    result.vad = {
      engine: engines.vad.name,
      reference: labelled ? 'labelled' : 'synthetic-energy',
      rows,
      total: {
        accuracy: weighted('accuracy'),
        precision,
        recall,
        f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
        ...speed(sumOf(ok, 'durationSec'), sumOf(ok, 'seconds')),
      },
    };
  }
  if (engines.vad && engines.speakers) {
    const items: DiarizationItem[] = [
      ...set.speech.map((s) => ({ file: s.file, source: 'single-speaker clip' as const, speakers: 1, load: () => decode(s.path) })),
      ...set.speakers.map((s) => ({
        file: s.file,
        source: 'labelled turns' as const,
        speakers: new Set(s.turns.map((t) => t.speaker)).size,
        turns: s.turns,
        load: () => decode(s.path),
      })),
      ...(options.conversations ?? []).map((c) => ({
        file: c.file,
        source: 'synthetic conversation' as const,
        speakers: new Set(c.turns.map((t) => t.speaker)).size,
        turns: c.turns,
        load: async () => c.pcm,
      })),
    ];
    if (items.length) {
      result.speakers = await runDiarization(items, { vad: engines.vad, speakers: engines.speakers }, (file, done, total) =>
        options.onFile?.('speakers', file, done, total),
      );
    }
  }
  return result;
}

function sumOf<T>(rows: readonly T[], key: { [K in keyof T]: T[K] extends number ? K : never }[keyof T]): number {
  return rows.reduce((a, r) => a + (r[key] as unknown as number), 0);
}

function dedupeByStem<T extends { file: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const stem = i.file.replace(/\.[^.]+$/, '');
    if (seen.has(stem)) return false;
    seen.add(stem);
    return true;
  });
}
