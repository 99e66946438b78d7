// The built-in answerer: composes a grounded answer from audio analyses alone, deterministically and without a
// language model (exact transcripts, extractive summaries, descriptions, retrieval answers, times, presence, counts),
// then applies the response format (JSON / enum) and the output limits (stop sequences, maxOutputTokens).
//
// Documented rules:
// - A word belongs to a time range when its midpoint lies in [start, end) (the range's end is inclusive when it is
//   the end of the audio). Segments without word times get evenly spread word times.
// - A point reference ("at 1:05") widens to the transcript segment(s) spanning that instant; when none does, to
//   the first segment starting within 5 s after it, else to [t, t + 5 s].
// - Summaries are extractive: sentences scored by cosine similarity of their TF-IDF vector to the centroid of all
//   sentences (MEAD-style centrality), the top √n (1..7) kept in time order; speech under 60 words is given whole.
// - Content questions are answered by retrieval: the (up to 3) segments with the highest BM25 score against the
//   question's content words, quoted with their times; the answer says it is retrieval.
// - Counts of sounds: the classifier's events for the matching labels, with overlapping events or gaps under 0.5 s
//   merged; every merged stretch counts once.
// The parts live in composer/: queries over an analysis, English prose, one writer per intent (writers.ts holds
// the table), and output shaping (stop sequences, token limits, enum answers).

import type { AnswerData, AudioPart, ClipAnswer, ComposeOptions, ComposedAnswer, Conversation, Grounding } from './types.js';
import { audioParts, classifyIntent, type Intent } from './intent.js';
import { fillSchema, naturalJson, validateJson } from './schema.js';
import { formatTime } from './time-references.js';
import { soundSummary, soundsData, speechStatus } from './composer/queries.js';
import { uniq } from './composer/prose.js';
import { WRITERS } from './composer/writers.js';
import { diarizationUnavailable, hasDiarization, speakerLabels, withFacts } from './facts.js';
import { applyStopSequences, approxTokens, pickEnum, truncateToTokens } from './composer/output.js';

export {
  findSpoken,
  mergeEvents,
  resolveRanges,
  segmentWords,
  sliceSegments,
  speechStatus,
  widenPoint,
  type SpeechStatus,
} from './composer/queries.js';
export { applyStopSequences, approxTokens, truncateToTokens } from './composer/output.js';

const DEFAULT_LLM_HINT = 'configure a text generator (a local GGUF model through llama.cpp, or an OpenAI-compatible server)';

interface ClipResult {
  clip: ClipAnswer;
  grounding: Grounding[];
}

function clipAnswer(intent: Intent, part: AudioPart, forSchema: boolean): ClipResult {
  const a = part.analysis;
  const clip: ClipAnswer = { audioIndex: part.index, name: part.displayName, durationSec: a.durationSec, answer: '' };
  if (a.language) clip.language = a.language;
  const g: Grounding[] = [];
  WRITERS[intent.kind](intent, part, clip, g);
  const transcribed = speechStatus(a) === 'transcribed';
  clip.fallback = {
    transcript: transcribed ? a.segments.map((s) => s.text.trim()).join(' ') : undefined,
    segments: withFacts(
      a,
      a.segments.map((s) => ({ start: s.start, end: s.end, text: s.text.trim() })),
    ),
    sounds: soundsData(a, new Set(soundSummary(a).map((s) => s.label))),
  };
  if (clip.segments) clip.segments = withFacts(a, clip.segments);
  if (hasDiarization(a)) clip.speakers = speakerLabels(a);
  else clip.speakersUnavailable = diarizationUnavailable(a);
  // a schema may ask for a summary whatever the prompt asked: the extractive summary, computed only then
  if (forSchema && clip.summary === undefined) {
    const scratch: ClipAnswer = { ...clip, answer: '' };
    WRITERS.summary({ ...intent, kind: 'summary', timeText: '' }, part, scratch, []);
    clip.fallback.summary = scratch.summary;
  }
  return { clip, grounding: g };
}

// ---------------------------------------------------------------------------------------------------------------
// the whole answer

const ORDINAL_WORDS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

function clipHeading(part: AudioPart, i: number): string {
  const ord = ORDINAL_WORDS[i] ? `The ${ORDINAL_WORDS[i]} clip` : `Clip ${i + 1}`;
  const bits = [part.displayName, formatTime(part.analysis.durationSec)].filter(Boolean);
  return `${ord} (${bits.join(', ')})`;
}

function reasoningPreface(hint: string): string {
  return `This request needs reasoning that Earshot's built-in answerer cannot do: it transcribes, summarises extractively, describes sounds, and finds words and sounds with their times, but does not interpret, translate or judge. To answer it, ${hint}.`;
}

/** The answer text and structure before output formatting and limits. */
export function composeData(conversation: Conversation, options: ComposeOptions = {}): { data: AnswerData; grounding: Grounding[] } {
  const parts = audioParts(conversation);
  const hint = options.llmHint ?? DEFAULT_LLM_HINT;
  const labels = uniq([...(options.labels ?? []), ...parts.flatMap((p) => p.analysis.soundEvents.map((e) => e.label))]);
  const intent = classifyIntent(conversation, { labels });
  if (parts.length === 0) {
    const answer = `There is no audio in this request. Earshot's built-in answerer only answers about audio; for text-only prompts a language model must be configured: ${hint}.`;
    return { data: { kind: 'text-only', answer, clips: [] }, grounding: [] };
  }
  const targets = parts.filter((p) => intent.targets.includes(p.index));
  const chosen = targets.length ? targets : parts;
  const forSchema = !!options.responseSchema && (options.responseMimeType ?? '').toLowerCase() === 'application/json';
  const results = chosen.map((part) => ({ part, ...clipAnswer(intent, part, forSchema) }));
  let answer: string;
  const [only] = results;
  if (results.length === 1 && only) answer = only.clip.answer;
  else {
    answer = results
      .map(({ part, ...r }) => {
        const pos = parts.indexOf(part);
        const body = r.clip.answer;
        return `${clipHeading(part, pos)}:${body.includes('\n') ? '\n' : ' '}${body}`;
      })
      .join('\n\n');
  }
  if (intent.kind === 'reasoning') answer = `${reasoningPreface(hint)}\n\n${answer}`;
  if (results.some((r) => r.clip.needs)) answer = `${answer}\n\nTo configure a language model: ${hint}.`;
  return {
    data: { kind: intent.kind, answer, clips: results.map((r) => r.clip) },
    grounding: results.flatMap((r) => r.grounding),
  };
}

/**
 * Compose the answer to the conversation's last user turn from its audio analyses.
 * JSON mode (responseMimeType application/json) returns JSON valid against responseSchema (checked with ajv);
 * 'text/x.enum' returns one value of the schema's enum. Stop sequences cut first (finishReason STOP), then
 * maxOutputTokens (finishReason MAX_TOKENS; in JSON mode this cuts the JSON, as Gemini does).
 */
export function composeAnswer(conversation: Conversation, options: ComposeOptions = {}): ComposedAnswer {
  const { data, grounding } = composeData(conversation, options);
  let text = data.answer;
  const mime = (options.responseMimeType ?? 'text/plain').toLowerCase();
  if (mime === 'application/json') {
    const value = options.responseSchema ? fillSchema(options.responseSchema, data) : naturalJson(data);
    if (options.responseSchema) validateJson(options.responseSchema, value);
    text = JSON.stringify(value);
  } else if (mime === 'text/x.enum') {
    text = pickEnum(options.responseSchema, data);
  }
  const stop = applyStopSequences(text, options.stopSequences);
  text = stop.text;
  let finishReason: 'STOP' | 'MAX_TOKENS' = 'STOP';
  if (options.maxOutputTokens !== undefined && options.maxOutputTokens !== null) {
    const cut = truncateToTokens(text, options.maxOutputTokens, options.countTokens ?? approxTokens);
    text = cut.text;
    if (cut.truncated) finishReason = 'MAX_TOKENS';
  }
  return { text, finishReason, grounding, data };
}
