// A hinted analysis: the file's base analysis with only its speech re-run under a request's hints (languages,
// vocabulary, translation to English). Speech regions, sound events, speakers and loudness are the base's — VAD, the
// sound classifier and diarization run once per file — and the ASR windows are planned from the same regions.

import { majorityLanguage, type AudioAnalysis, type TranscriptSegment } from '../domain/analysis.js';
import { usableHints, type HintCapabilities, type TranscriptionHints } from '../domain/hints.js';
import type { PipelineEngines, SpeechEngine, TranscribeOptions } from '../engines/types.js';
import { planWindows } from '../engines/vad/windows.js';
import { cutWindows, keepNearSpeech, shift, type DecodeFn } from './pipeline.js';
import { attachSpeakers } from './speakers.js';
import { BoundedTasks } from './bounded-tasks.js';

export interface HintedOptions {
  hints: TranscriptionHints;
  /** longest ASR window (as the base analysis used) */
  maxWindowSec?: number;
  onProgress?: (stage: 'transcribing', fraction: number) => void;
  signal?: AbortSignal;
}

/** What a speech engine can do with hints, from its own flags. */
export function hintCapabilities(speech: SpeechEngine | undefined): HintCapabilities {
  return {
    languageIdentification: speech?.languageIdentification === true,
    translation: speech?.translation === true,
    vocabulary: speech?.vocabulary === true,
  };
}

/** A window's translated segments, on the file's clock. */
export interface TranslatedWindow {
  start: number;
  end: number;
  translated: TranscriptSegment[];
}

const overlap = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  Math.min(a.end, b.end) - Math.max(a.start, b.start);
const gap = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  Math.max(0, Math.max(a.start, b.start) - Math.min(a.end, b.end));

/**
 * Puts the English of each window onto the transcript's own segments by time: each translated segment goes to the
 * segment of that window it overlaps most (the nearest when it overlaps none), in order. A segment of a translated
 * window that received nothing gets '' (its words were rendered in a neighbour's translation); the segments of a window
 * that gave no translation at all keep none, so a gap is never hidden.
 */
export function mapTranslations(segments: readonly TranscriptSegment[], windows: readonly TranslatedWindow[]): TranscriptSegment[] {
  const texts = segments.map(() => [] as string[]);
  const translatedWindow = segments.map(() => false);
  const windowOf = (s: TranscriptSegment) => {
    let best = -1;
    for (const [i, w] of windows.entries()) if (best < 0 || overlap(s, w) > overlap(s, windows[best]!)) best = i;
    return best;
  };
  const owner = segments.map(windowOf);
  for (const [wi, w] of windows.entries()) {
    const mine = segments.map((_, i) => i).filter((i) => owner[i] === wi && segments[i]!.text.trim());
    const parts = w.translated.filter((t) => t.text.trim());
    if (!mine.length || !parts.length) continue;
    for (const i of mine) translatedWindow[i] = true;
    for (const t of parts) {
      let best = mine[0]!;
      for (const i of mine) {
        const s = segments[i]!;
        const b = segments[best]!;
        const better = overlap(t, s) > overlap(t, b) || (overlap(t, b) <= 0 && overlap(t, s) <= 0 && gap(t, s) < gap(t, b));
        if (better) best = i;
      }
      texts[best]!.push(t.text.trim());
    }
  }
  return segments.map((s, i) => (translatedWindow[i] ? { ...s, translation: texts[i]!.join(' ') } : s));
}

const isEnglish = (s: TranscriptSegment) => !s.text.trim() || (s.language ?? '').toLowerCase().split(/[-_]/)[0] === 'en';

/**
 * The base analysis re-transcribed with the hints the engine can use (the others are dropped and recorded as not
 * applied by their absence from `hints`). Languages or vocabulary re-run the recogniser over the base's windows;
 * translation runs Whisper's translate task over them and maps its English onto the transcript's segments (skipped
 * when every segment was identified as English already: its translation is itself). With nothing usable, the base
 * transcript is returned as it is and no audio is decoded.
 */
export async function analyzeWithHints(
  decode: DecodeFn,
  engines: PipelineEngines,
  base: AudioAnalysis,
  opts: HintedOptions,
): Promise<AudioAnalysis> {
  const speech = engines.speech;
  const hints = usableHints(opts.hints, hintCapabilities(speech));
  const retranscribe = !!(hints.languageCodes || hints.vocabulary);
  const translate = !!hints.translate && !base.segments.every(isEnglish);
  const { hints: _baseHints, ...rest } = base;
  const result: AudioAnalysis = { ...rest, hints };
  if (!speech || (!retranscribe && !translate) || base.speechRegions.length === 0) {
    opts.onProgress?.('transcribing', 1);
    return result;
  }

  const windows = planWindows(base.speechRegions, { maxWindowSec: opts.maxWindowSec ?? 30 });
  const total = windows.reduce((s, w) => s + (w.end - w.start), 0) * ((retranscribe ? 1 : 0) + (translate ? 1 : 0));
  const transcribed: TranscriptSegment[] = [];
  const translatedWindows: TranslatedWindow[] = [];
  const options: TranscribeOptions = {
    ...(hints.languageCodes ? { languageCodes: hints.languageCodes } : {}),
    ...(hints.vocabulary ? { vocabulary: hints.vocabulary } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  const tasks = new BoundedTasks(speech.parallelism ?? 1);
  let done = 0;
  const progressed = (sec: number) => {
    done += sec;
    opts.onProgress?.('transcribing', Math.min(1, done / Math.max(total, 1e-9)));
  };
  for await (const w of cutWindows(decode(undefined, opts.signal), windows)) {
    const started = await tasks.add(async () => {
      if (retranscribe) {
        const r = await speech.transcribe(w.pcm, options);
        for (const s of r.segments) transcribed.push(shift(s, w.start));
        progressed(w.end - w.start);
      }
      if (translate) {
        const t = await speech.transcribe(w.pcm, { ...options, translate: true });
        translatedWindows.push({ start: w.start, end: w.end, translated: t.segments.map((s) => shift(s, w.start)) });
        progressed(w.end - w.start);
      }
    });
    if (!started) break;
  }
  await tasks.drain();

  let segments = base.segments;
  if (retranscribe) {
    transcribed.sort((a, b) => a.start - b.start);
    segments = keepNearSpeech(transcribed, base.speechRegions);
    if (base.speakers?.length) segments = attachSpeakers(segments, base.speakers);
  }
  if (translate) {
    translatedWindows.sort((a, b) => a.start - b.start);
    for (const w of translatedWindows) w.translated = keepNearSpeech(w.translated, base.speechRegions);
    segments = mapTranslations(segments, translatedWindows);
  }
  opts.onProgress?.('transcribing', 1);
  const language = majorityLanguage(segments) ?? (retranscribe ? undefined : base.language);
  const { language: _baseLanguage, ...withoutLanguage } = result;
  return {
    ...withoutLanguage,
    segments,
    ...(language ? { language } : {}),
    engines: { ...base.engines, ...(engines.names.speech ? { speech: engines.names.speech } : {}) },
  };
}
