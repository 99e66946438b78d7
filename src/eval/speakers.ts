// Diarization for `earshot eval`: runs the analysis pipeline's own diarization (Silero VAD → voice windows →
// clustering, speech recognition off) over each clip and scores the number of speakers found against the truth,
// and the DER (0.25 s collar) where the truth gives speaker turns.

import { SAMPLE_RATE } from '../domain/audio.js';
import type { SpeakerTurn } from '../domain/analysis.js';
import { analyzeAudio } from '../analysis/pipeline.js';
import type { SpeakerEncoder, VadEngine } from '../engines/types.js';
import { diarizationErrorRate, type LabelledSpan } from './diarization.js';

/** Where a clip's truth comes from. */
export type SpeakerTruthSource = 'single-speaker clip' | 'labelled turns' | 'synthetic conversation';

export interface DiarizationItem {
  file: string;
  source: SpeakerTruthSource;
  /** the true number of speakers */
  speakers: number;
  /** the true turns, when known (DER is scored only then) */
  turns?: LabelledSpan[];
  load: () => Promise<Float32Array>;
}

export interface DiarizationRow {
  file: string;
  source: SpeakerTruthSource;
  durationSec: number;
  trueSpeakers: number;
  foundSpeakers: number;
  countCorrect: boolean;
  /** DER and its parts in seconds; absent without true turns */
  der?: number;
  missed?: number;
  falseAlarm?: number;
  confusion?: number;
  /** reference speech seconds scored (outside the collars) */
  scored?: number;
  seconds: number;
  error?: string;
}

export interface DiarizationTotal {
  countCorrect: number;
  count: number;
  countAccuracy: number;
  /** pooled DER over the rows with true turns (errors / scored seconds); undefined when none has turns */
  der?: number;
  derFiles: number;
  audioSec: number;
  seconds: number;
  xRealtime: number;
}

export interface DiarizationSection {
  engine: string;
  rows: DiarizationRow[];
  total: DiarizationTotal;
}

/** The speaker turns the pipeline finds in `pcm` (only VAD and the speaker encoder run). */
export async function diarizePcm(pcm: Float32Array, vad: VadEngine, speakers: SpeakerEncoder): Promise<SpeakerTurn[]> {
  const decode = async function* () {
    yield pcm;
  };
  const analysis = await analyzeAudio(
    decode,
    { vad, speakers, names: {}, warnings: [] },
    {
      sha256: 'eval',
      durationSec: pcm.length / SAMPLE_RATE,
    },
  );
  return analysis.speakers ?? [];
}

/** Scores one clip's hypothesis turns against its truth. */
export function scoreSpeakers(
  truth: { speakers: number; turns?: LabelledSpan[] },
  found: SpeakerTurn[],
): Pick<DiarizationRow, 'trueSpeakers' | 'foundSpeakers' | 'countCorrect' | 'der' | 'missed' | 'falseAlarm' | 'confusion' | 'scored'> {
  const foundSpeakers = new Set(found.map((t) => t.speaker)).size;
  const row = { trueSpeakers: truth.speakers, foundSpeakers, countCorrect: foundSpeakers === truth.speakers };
  if (!truth.turns) return row;
  const d = diarizationErrorRate(truth.turns, found);
  return { ...row, der: d.der, missed: d.missed, falseAlarm: d.falseAlarm, confusion: d.confusion, scored: d.scored };
}

/** Totals: speaker-count accuracy over every clip that ran, DER pooled over the clips with true turns. */
export function totalSpeakers(rows: readonly DiarizationRow[]): DiarizationTotal {
  const ok = rows.filter((r) => !r.error);
  const countCorrect = ok.filter((r) => r.countCorrect).length;
  const withTurns = ok.filter((r) => r.scored !== undefined);
  const scored = withTurns.reduce((a, r) => a + (r.scored ?? 0), 0);
  const errors = withTurns.reduce((a, r) => a + (r.missed ?? 0) + (r.falseAlarm ?? 0) + (r.confusion ?? 0), 0);
  const audioSec = ok.reduce((a, r) => a + r.durationSec, 0);
  const seconds = ok.reduce((a, r) => a + r.seconds, 0);
  return {
    countCorrect,
    count: rows.length,
    countAccuracy: rows.length ? countCorrect / rows.length : 0,
    der: withTurns.length ? (scored > 0 ? errors / scored : 0) : undefined,
    derFiles: withTurns.length,
    audioSec,
    seconds,
    xRealtime: seconds > 0 ? audioSec / seconds : Infinity,
  };
}

/** Diarizes every item; a clip that fails becomes a row with `error` set (and counts as a wrong count). */
export async function runDiarization(
  items: readonly DiarizationItem[],
  engines: { vad: VadEngine; speakers: SpeakerEncoder },
  onFile?: (file: string, done: number, total: number) => void,
): Promise<DiarizationSection> {
  const rows: DiarizationRow[] = [];
  for (const [n, item] of items.entries()) {
    const base = { file: item.file, source: item.source };
    try {
      const pcm = await item.load();
      const t0 = performance.now();
      const found = await diarizePcm(pcm, engines.vad, engines.speakers);
      const seconds = (performance.now() - t0) / 1000;
      rows.push({ ...base, durationSec: pcm.length / SAMPLE_RATE, seconds, ...scoreSpeakers(item, found) });
    } catch (e) {
      rows.push({
        ...base,
        durationSec: 0,
        seconds: 0,
        trueSpeakers: item.speakers,
        foundSpeakers: 0,
        countCorrect: false,
        error: e instanceof Error ? e.message : String(e),
      });
    }
    onFile?.(item.file, n + 1, items.length);
  }
  return { engine: `${engines.vad.name} + ${engines.speakers.name}`, rows, total: totalSpeakers(rows) };
}
