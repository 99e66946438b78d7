// What /v1/audio/transcriptions and /v1/audio/translations answer, built from a stored analysis in each of OpenAI's
// response formats: json, text, srt, vtt, verbose_json (segments and/or words), diarized_json (speakers A, B, …)
// and the streamed events. Only facts the analysis holds are written: fields Whisper's API carries that Earshot does
// not compute (token ids, log probabilities, compression ratios) are left out rather than made up. `language` and
// `prompt` are transcription hints and a translation asks for Whisper's translate task: the analysis answering is the
// one made with them (src/analysis/hinted.ts); what the speech engine cannot do is said, not claimed.

import { majorityLanguage, type AudioAnalysis, type TranscriptSegment } from '../../domain/analysis.js';
import { EarshotError } from '../../domain/errors.js';
import type { TranscriptionHints } from '../../domain/hints.js';
import { checkedHints, unappliedNotices } from '../audio-transcription.js';
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
  return majorityLanguage(a.segments);
}

/** The transcription hints of a request: `language` and `prompt` (as vocabulary); a translation asks for English. */
export function formHints(form: AudioForm, task: AudioTask): TranscriptionHints {
  return checkedHints({
    ...(form.language ? { languageCodes: [form.language] } : {}),
    ...(form.prompt ? { vocabulary: [form.prompt] } : {}),
    ...(task === 'translate' ? { translate: true } : {}),
  });
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
  // a segment's own translation ('' when a neighbour's carries its words), else its text when it is English already
  const english = segments.map((s) => (a.hints?.translate && s.translation !== undefined ? s.translation : translationOf(s, 'en')));
  const missing = segments.filter((_, i) => english[i] === undefined);
  if (missing.length) {
    const engine = a.engines.speech ?? 'none';
    const langs = [...new Set(missing.map((s) => s.language).filter((l): l is string => !!l))];
    const reason = !langs.length
      ? `the speech engine (${engine}) did not identify the language, so Earshot cannot tell whether the speech is already English.`
      : a.hints?.translate
        ? `${missing.length} of ${segments.length} segments (in ${langs.join(', ')}) got no English from the translate task.`
        : `${missing.length} of ${segments.length} segments are in ${langs.join(', ')} and the speech engine (${engine}) cannot translate.`;
    throw new EarshotError('OPENAI_TRANSLATION_UNAVAILABLE', { reason });
  }
  // a translation has no word times of its own
  return segments.map((s, i) => ({ ...s, text: english[i]!, words: english[i] === s.text ? s.words : [] })).filter((s) => s.text.trim());
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

/** What the answer could not honour (hints the speech engine cannot use), for the x-earshot-notice header. */
export function formNotices(a: AudioAnalysis, form: AudioForm): string[] {
  const asked = { ...(form.language ? { languageCodes: [form.language] } : {}), ...(form.prompt ? { vocabulary: [form.prompt] } : {}) };
  return unappliedNotices(a, asked, { languages: 'language was', vocabulary: 'prompt' });
}
