// What /v1/audio/transcriptions and /v1/audio/translations answer, built from a stored analysis in each of OpenAI's
// response formats: json, text, srt, vtt, verbose_json (segments and/or words), diarized_json (speakers A, B, …)
// and the streamed events. Only facts the analysis holds are written: fields Whisper's API carries that Earshot does
// not compute (token ids, log probabilities, compression ratios) are left out rather than made up.

import type { AudioAnalysis, TranscriptSegment } from '../../domain/analysis.js';
import { EarshotError } from '../../domain/errors.js';
import { toSrt, toText, toVtt } from '../../domain/subtitles.js';
import { diarizationUnavailable, hasDiarization, translationOf } from '../../understanding/facts.js';
import { speechStatus } from '../../understanding/composer/queries.js';
import { speechWarnings } from '../../understanding/composer/prose.js';
import type { AudioForm, AudioTask } from './form.js';

export interface Answer {
  contentType: string;
  /** a JSON value, or text for text/srt/vtt */
  body: unknown;
}

const baseCode = (code: string) => code.toLowerCase().split(/[-_]/)[0]!;
const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** The language the speech was identified as (most of the segments), as a BCP-47 code; undefined when not identified. */
export function identifiedLanguage(a: AudioAnalysis): string | undefined {
  const counts = new Map<string, number>();
  for (const s of a.segments) if (s.language) counts.set(s.language, (counts.get(s.language) ?? 0) + (s.end - s.start));
  if (!counts.size) return undefined;
  return [...counts.entries()].sort((x, y) => y[1] - x[1])[0]![0];
}

/** verbose_json's `language`: the English name in lower case, as Whisper's API writes it ("english"), or "unknown". */
function languageField(a: AudioAnalysis): string {
  const code = identifiedLanguage(a);
  if (!code) return 'unknown';
  try {
    return (languageNames.of(baseCode(code)) ?? code).toLowerCase();
  } catch {
    return code.toLowerCase();
  }
}

/** "spk_1" → "A", "spk_2" → "B", … "spk_27" → "AA" (OpenAI's diarized_json labels speakers with capital letters). */
export function letterOf(label: string): string {
  const n = Number(/^spk_(\d+)$/.exec(label)?.[1]);
  if (!Number.isInteger(n) || n < 1) return label;
  let out = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) out = String.fromCharCode(65 + ((k - 1) % 26)) + out;
  return out;
}

/** The segments the answer is made of: the transcript, or for translations each segment's English text. */
export function answerSegments(a: AudioAnalysis, task: AudioTask): TranscriptSegment[] {
  if (speechStatus(a) === 'not-analysed') throw new EarshotError('API_TRANSCRIPTION_NOT_ANALYSED', { reason: speechWarnings(a) });
  const segments = a.segments.filter((s) => s.text.trim());
  if (task === 'transcribe') return segments;
  const english = segments.map((s) => translationOf(s, 'en'));
  const missing = segments.filter((_, i) => english[i] === undefined);
  if (missing.length) {
    const langs = [...new Set(missing.map((s) => s.language).filter((l): l is string => !!l))];
    const reason = langs.length
      ? `${missing.length} of ${segments.length} segments are in ${langs.join(', ')} and the analysis holds no English translation for them.`
      : `the speech engine (${a.engines.speech ?? 'none'}) did not identify the language, so Earshot cannot tell whether the speech is already English.`;
    throw new EarshotError('OPENAI_TRANSLATION_UNAVAILABLE', { reason });
  }
  // a translation has no word times of its own
  return segments.map((s, i) => ({ ...s, text: english[i]!, words: english[i] === s.text ? s.words : [] }));
}

/** A word with times the engine measured (not spread evenly over its segment for want of any). */
const timed = (w: { text: string; approximate?: boolean }) => w.text.trim() !== '' && w.approximate !== true;

/** Seconds to the millisecond (the analysis' float sums show as 8.152000000000001 otherwise). */
const ms = (sec: number) => Math.round(sec * 1000) / 1000;

const plainText = (segments: readonly TranscriptSegment[]) => segments.map((s) => s.text.trim()).join(' ');
const usageOf = (a: AudioAnalysis) => ({ type: 'duration', seconds: Math.ceil(a.durationSec) });

function diarized(a: AudioAnalysis, segments: readonly TranscriptSegment[]) {
  if (!hasDiarization(a)) throw new EarshotError('API_DIARIZATION_UNAVAILABLE', { reason: diarizationUnavailable(a) });
  return segments.map((s, i) => ({
    type: 'transcript.text.segment',
    id: `seg_${i}`,
    start: ms(s.start),
    end: ms(Math.max(s.end, s.start)),
    text: s.text.trim(),
    speaker: s.speaker ? letterOf(s.speaker) : 'unknown',
  }));
}

/** The answer in the asked response format. */
export function buildAnswer(a: AudioAnalysis, form: AudioForm, task: AudioTask): Answer {
  const segments = answerSegments(a, task);
  const text = plainText(segments);
  switch (form.responseFormat) {
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: toText(segments) };
    case 'srt':
      return { contentType: 'text/plain; charset=utf-8', body: toSrt(segments) };
    case 'vtt':
      return { contentType: 'text/vtt; charset=utf-8', body: toVtt(segments) };
    case 'diarized_json':
      return {
        contentType: 'application/json',
        body: { task: 'transcribe', duration: ms(a.durationSec), text, segments: diarized(a, segments), usage: usageOf(a) },
      };
    case 'verbose_json': {
      const g = form.granularities;
      const body: Record<string, unknown> = { task, language: languageField(a), duration: ms(a.durationSec), text };
      if (g.size === 0 || g.has('segment')) {
        body.segments = segments.map((s, id) => ({
          id,
          start: ms(s.start),
          end: ms(Math.max(s.end, s.start)),
          text: s.text.trim(),
          ...(s.language ? { language: s.language } : {}),
        }));
      }
      if (g.has('word')) {
        body.words = segments.flatMap((s) =>
          s.words.filter(timed).map((w) => ({ word: w.text.trim(), start: ms(w.start), end: ms(Math.max(w.end, w.start)) })),
        );
      }
      body.usage = usageOf(a);
      return { contentType: 'application/json', body };
    }
    default: {
      const code = identifiedLanguage(a);
      return {
        contentType: 'application/json',
        body: { text, ...(task === 'transcribe' && code ? { languages: [{ code: baseCode(code) }] } : {}), usage: usageOf(a) },
      };
    }
  }
}

/** The streamed answer (stream=true): a delta (or, for diarized_json, a segment) event per segment, then done. */
export function streamEvents(a: AudioAnalysis, form: AudioForm, task: AudioTask): object[] {
  const segments = answerSegments(a, task);
  const events: object[] =
    form.responseFormat === 'diarized_json'
      ? diarized(a, segments)
      : segments.map((s, i) => ({ type: 'transcript.text.delta', delta: i === 0 ? s.text.trim() : ` ${s.text.trim()}` }));
  events.push({ type: 'transcript.text.done', text: plainText(segments) });
  return events;
}

/** What the answer could not honour, for the x-earshot-notice header (the analysis is made once, without hints). */
export function formNotices(a: AudioAnalysis, form: AudioForm): string[] {
  const notices: string[] = [];
  if (form.prompt) notices.push('prompt was not applied: the audio was transcribed once, when it was analysed, without it.');
  if (form.language) {
    const heard = identifiedLanguage(a);
    if (!heard)
      notices.push(
        'language was not applied: the speech engine did not identify the language, and the audio was transcribed once, without hints.',
      );
    else if (baseCode(heard) !== baseCode(form.language))
      notices.push(`language was not applied: the speech was identified as ${heard} and transcribed as such.`);
  }
  return notices;
}
