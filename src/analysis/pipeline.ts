// The once-per-file analysis, one clear pipeline from bytes to an AudioAnalysis:
//   pass 1 streams the decoded 16 kHz audio in blocks through voice activity detection, the sound
//          classifier and a loudness meter (constant memory, whatever the length);
//   pass 2 plans ASR windows at the speech pauses VAD found and transcribes only those windows, mapping
//          every time back to the file's clock. Silence and noise never reach the recogniser, so no
//          words are invented there.
// Engines and the decoder are injected; this module knows no backend.

import {
  majorityLanguage,
  type AudioAnalysis,
  type SoundEvent,
  type SpeakerTurn,
  type SpeechRegion,
  type TranscriptSegment,
} from '../domain/analysis.js';
import type { PipelineEngines, SoundFrame } from '../engines/types.js';
import { planWindows } from '../engines/vad/windows.js';
import { SAMPLE_RATE } from '../domain/audio.js';
import { assignSpeakers, embedRegions, type EmbeddedWindow } from '../engines/speakers/diarize.js';
import { attachSpeakers } from './speakers.js';
import { BoundedTasks } from './bounded-tasks.js';

export type DecodeFn = (range?: { start?: number; end?: number }, signal?: AbortSignal) => AsyncIterable<Float32Array>;

export type { PipelineEngines } from '../engines/types.js';

export interface PipelineOptions {
  sha256: string;
  durationSec: number;
  language?: string;
  /** seconds of audio handled per block in pass 1 (a multiple of YAMNet's 0.48 s hop) */
  blockSec?: number;
  /** longest ASR window */
  maxWindowSec?: number;
  /** speaker-count hints for diarization */
  speakers?: { numSpeakers?: number; minSpeakers?: number; maxSpeakers?: number };
  onProgress?: (stage: 'listening' | 'transcribing', fraction: number) => void;
  signal?: AbortSignal;
}

/** Audio this short is kept in memory after pass 1 instead of being decoded twice. */
const KEEP_IN_MEMORY_SEC = 600;
/** Words further than this from any speech region are dropped (recogniser drift on noise). */
const REGION_SLACK_SEC = 0.5;

export async function analyzeAudio(decode: DecodeFn, engines: PipelineEngines, opts: PipelineOptions): Promise<AudioAnalysis> {
  const blockSamples = Math.round((opts.blockSec ?? 300) * SAMPLE_RATE);
  const keep = opts.durationSec <= KEEP_IN_MEMORY_SEC;
  const kept: Float32Array[] = [];
  const regions: SpeechRegion[] = [];
  const frames: SoundFrame[] = [];
  let sumSquares = 0;
  let total = 0;

  const block = new Float32Array(blockSamples);
  let filled = 0;
  const flush = async () => {
    if (filled === 0) return;
    const pcm = block.subarray(0, filled);
    const offset = (total - filled) / SAMPLE_RATE;
    if (keep) kept.push(pcm.slice());
    if (engines.vad) for (const r of await engines.vad.detect(pcm)) appendRegion(regions, { start: r.start + offset, end: r.end + offset });
    if (engines.sounds)
      for (const f of await engines.sounds.classify(pcm)) frames.push({ start: f.start + offset, end: f.end + offset, scores: f.scores });
    filled = 0;
    opts.onProgress?.('listening', Math.min(1, total / SAMPLE_RATE / Math.max(opts.durationSec, 1e-9)));
  };

  for await (const chunk of decode(undefined, opts.signal)) {
    for (let i = 0; i < chunk.length; i++) sumSquares += chunk[i]! * chunk[i]!; // hot loop over every sample; i < chunk.length
    let pos = 0;
    while (pos < chunk.length) {
      const n = Math.min(chunk.length - pos, blockSamples - filled);
      block.set(chunk.subarray(pos, pos + n), filled);
      filled += n;
      total += n;
      pos += n;
      if (filled === blockSamples) await flush();
    }
  }
  await flush();
  opts.onProgress?.('listening', 1);

  const durationSec = total / SAMPLE_RATE;
  const soundEvents: SoundEvent[] = engines.sounds ? engines.sounds.events(frames) : [];
  let segments: TranscriptSegment[] = [];
  /** the first window's language: the file's only where no segment carries one (an engine that labels none) */
  let firstLanguage: string | undefined;
  let speakers: SpeakerTurn[] | undefined;
  const voices: EmbeddedWindow[] = [];
  if ((engines.speech || engines.speakers) && regions.length) {
    const speech = engines.speech;
    const encoder = engines.speakers;
    const windows = planWindows(regions, { maxWindowSec: opts.maxWindowSec ?? 30 });
    const speechTotal = windows.reduce((s, w) => s + (w.end - w.start), 0);
    const tasks = new BoundedTasks(speech?.parallelism ?? 1);
    let languageFrom = Infinity;
    let done = 0;
    const source = keep ? fromMemory(kept) : decode(undefined, opts.signal);
    for await (const w of cutWindows(source, windows)) {
      // voices first, on this window's speech only (the window is released once transcribed)
      if (encoder) voices.push(...(await embedRegions(encoder, w.pcm, w.start, regions, SAMPLE_RATE)));
      if (!speech) {
        done += w.end - w.start;
        opts.onProgress?.('transcribing', done / speechTotal);
        continue;
      }
      const started = await tasks.add(() =>
        speech.transcribe(w.pcm, { language: opts.language, signal: opts.signal }).then((result) => {
          if (result.language && w.start < languageFrom) [firstLanguage, languageFrom] = [result.language, w.start];
          for (const s of result.segments) segments.push(shift(s, w.start));
          done += w.end - w.start;
          opts.onProgress?.('transcribing', done / speechTotal);
        }),
      );
      if (!started) break;
    }
    await tasks.drain();
    segments.sort((a, b) => a.start - b.start);
    segments = keepNearSpeech(segments, regions);
    if (encoder) {
      speakers = assignSpeakers(voices, regions, opts.speakers);
      segments = attachSpeakers(segments, speakers);
    }
  } else if (engines.speakers) speakers = [];
  opts.onProgress?.('transcribing', 1);

  return {
    sha256: opts.sha256,
    durationSec,
    speechRegions: regions,
    segments,
    // the language most of the speech is in (by duration), not the first window's
    language: majorityLanguage(segments) ?? firstLanguage,
    soundEvents,
    ...(speakers ? { speakers } : {}),
    loudnessDb: total ? 10 * Math.log10(sumSquares / total + 1e-20) : -Infinity,
    engines: engines.names,
    warnings: engines.warnings,
  };
}

/** Append a region, merging it with the previous one when they touch (regions split by a block edge). */
function appendRegion(regions: SpeechRegion[], r: SpeechRegion): void {
  const last = regions[regions.length - 1];
  if (last && r.start - last.end <= 0.05) last.end = Math.max(last.end, r.end);
  else regions.push(r);
}

export async function* fromMemory(blocks: Float32Array[]): AsyncGenerator<Float32Array> {
  yield* blocks;
}

/** Cut windows (sorted, disjoint, in seconds) out of a PCM stream without holding more than one window. */
export async function* cutWindows(
  source: AsyncIterable<Float32Array>,
  windows: readonly { start: number; end: number }[],
): AsyncGenerator<{ start: number; end: number; pcm: Float32Array }> {
  let wi = 0;
  let pos = 0; // sample index of the start of the current chunk
  let current: Float32Array | null = null;
  const bounds = (w: { start: number; end: number }) => [Math.round(w.start * SAMPLE_RATE), Math.round(w.end * SAMPLE_RATE)] as const;
  for await (const chunk of source) {
    const chunkEnd = pos + chunk.length;
    // w is windows[wi] until the plan runs out
    for (let w = windows[wi]; w; w = windows[wi]) {
      const [ws, we] = bounds(w);
      if (ws >= chunkEnd) break;
      current ??= new Float32Array(we - ws);
      const from = Math.max(ws, pos);
      const to = Math.min(we, chunkEnd);
      if (to > from) current.set(chunk.subarray(from - pos, to - pos), from - ws);
      if (we > chunkEnd) break;
      yield { start: w.start, end: w.end, pcm: current };
      current = null;
      wi++;
    }
    pos = chunkEnd;
  }
  // audio shorter than the plan: hand over what there is
  const rest = windows[wi];
  if (current && rest) {
    const [ws] = bounds(rest);
    yield { start: rest.start, end: Math.min(rest.end, pos / SAMPLE_RATE), pcm: current.subarray(0, Math.max(0, pos - ws)) };
  }
}

export function shift(s: TranscriptSegment, offset: number): TranscriptSegment {
  return {
    ...s,
    start: s.start + offset,
    end: s.end + offset,
    words: s.words.map((w) => ({ ...w, start: w.start + offset, end: w.end + offset })),
  };
}

/** Drop words (and emptied segments) that lie away from every speech region. */
export function keepNearSpeech(segments: TranscriptSegment[], regions: SpeechRegion[]): TranscriptSegment[] {
  const near = (t0: number, t1: number) => regions.some((r) => t1 >= r.start - REGION_SLACK_SEC && t0 <= r.end + REGION_SLACK_SEC);
  const out: TranscriptSegment[] = [];
  for (const s of segments) {
    if (s.words.length === 0) {
      if (near(s.start, s.end) && s.text.trim()) out.push(s);
      continue;
    }
    const words = s.words.filter((w) => near(w.start, w.end));
    const [first] = words;
    const last = words.at(-1);
    if (!first || !last) continue;
    out.push(
      words.length === s.words.length ? s : { ...s, start: first.start, end: last.end, words, text: words.map((w) => w.text).join(' ') },
    );
  }
  return out;
}
