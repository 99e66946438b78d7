// Renders a conversation for a language-model backend: each audio part becomes a text block of its analysis
// (duration, transcript with [MM:SS-MM:SS] per segment and, where the analysis has them, the segment's speaker and
// language, sound events with times), cut to the requested time range
// when the last turn asks for one, under a system instruction to answer only from that analysis and cite times.

import type { AudioAnalysis } from '../domain/analysis.js';
import type { ChatMessage } from '../engines/types.js';
import { formatTime, formatTimestamp } from './time-references.js';
import { mergeEvents, resolveRanges, sliceSegments, speechStatus } from './composer/queries.js';
import { languageName } from '../domain/languages.js';
import { audioParts, classifyIntent, type IntentKind } from './intent.js';
import { composeData } from './composer.js';
import { hasDiarization, speakerLabels, withFacts } from './facts.js';
import { SPEECH_LABELS } from './labels.js';
import type { AudioPart, Conversation } from './types.js';

export interface ContextOptions {
  /** the sound classifier's labels, for reading which sound a question names */
  labels?: readonly string[];
  /** at most this many sound-event lines per audio (default 200) */
  maxEventLines?: number;
  /** give describe / summarise / question prompts the composer's exact answer as facts to write from (default true) */
  digest?: boolean;
}

export const GROUNDING_INSTRUCTION =
  'You answer questions about audio recordings. You cannot hear them: each recording is given as its analysis, a ' +
  'machine transcript with [MM:SS-MM:SS] times and the sounds a classifier detected, with their AudioSet labels. ' +
  'Answer only from this analysis and cite times as [MM:SS]. Never add sounds, words or events the analysis does ' +
  'not list; if it does not hold what is asked, say so.';

/**
 * What the model is asked to do for each kind of open prompt, placed right before the prompt together with the
 * composer's exact answer to it (the description, the extractive summary, the passages matching the question):
 * a small model follows the instruction nearest its answer, and rewriting computed facts keeps it grounded.
 */
const TASKS: Partial<Record<IntentKind, string>> = {
  description:
    'Task: describe the recording in two or three sentences from these facts. Name the sounds by their labels and say whether there is speech.',
  summary: 'Task: summarise the recording in a few sentences from these facts: what is said and the main sounds, by their labels.',
  question: 'Task: answer the question in one or two sentences from the transcript, quoting the words the answer rests on.',
};

function span(start: number, end: number): string {
  return `[${formatTimestamp(start)}-${formatTimestamp(end)}]`;
}

/** The analysis of one audio as text, optionally cut to time ranges. */
export function renderAnalysis(
  part: AudioPart,
  ordinal: number,
  ranges?: { start: number; end: number; label: string }[],
  maxEventLines = 200,
): string {
  const a: AudioAnalysis = part.analysis;
  const head = `Audio ${ordinal} (${[part.displayName, `${formatTime(a.durationSec)} long`].filter(Boolean).join(', ')}${a.language ? `, language: ${languageName(a.language)}` : ''})`;
  const lines: string[] = [head + ':'];
  const inside = (s: { start: number; end: number }) => !ranges || ranges.some((r) => s.end > r.start && s.start < r.end);
  if (ranges) lines.push(`Only the requested part is shown: ${ranges.map((r) => r.label).join(', ')}.`);
  const status = speechStatus(a);
  if (status === 'transcribed') {
    const cut = ranges
      ? ranges.flatMap((r) => sliceSegments(a, r))
      : a.segments.map((s) => ({ start: s.start, end: s.end, text: s.text.trim() }));
    const segs = withFacts(a, cut);
    lines.push(
      hasDiarization(a) ? `Speakers (diarization): ${speakerLabels(a).join(', ') || 'none'}` : 'Speakers: not identified (no diarization).',
    );
    lines.push('Transcript:');
    const tag = (s: (typeof segs)[number]) =>
      s.speaker || s.language ? `${[s.speaker, s.language && `(${s.language})`].filter(Boolean).join(' ')}: ` : '';
    if (segs.length) for (const s of segs) lines.push(`${span(s.start, s.end)} ${tag(s)}${s.text}`);
    else lines.push('(no speech in this part)');
  } else if (status === 'no-speech') {
    lines.push('Transcript: (no speech detected)');
  } else {
    lines.push(`Transcript: (not available: ${a.warnings.join(' ') || 'speech was not analysed'})`);
    if (a.speechRegions.length)
      lines.push(
        `Speech detected (not transcribed) at: ${a.speechRegions
          .filter(inside)
          .map((r) => span(r.start, r.end))
          .join(', ')}`,
      );
  }
  const events = a.soundEvents.filter((e) => !SPEECH_LABELS.has(e.label) && inside(e));
  lines.push('Sound events:');
  if (!events.length) lines.push('(none besides speech)');
  else {
    const byLabel = new Map<string, typeof events>();
    for (const e of events) byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), e]);
    const rows = [...byLabel.entries()]
      .map(([label, evs]) => ({ label, stretches: mergeEvents(evs), peak: Math.max(...evs.map((e) => e.score)) }))
      .sort((x, y) => (x.stretches[0]?.start ?? Infinity) - (y.stretches[0]?.start ?? Infinity) || y.peak - x.peak); // never empty: each label has events
    for (const r of rows.slice(0, maxEventLines)) {
      lines.push(`${r.stretches.map((s) => span(s.start, s.end)).join(', ')} ${r.label} (peak ${r.peak.toFixed(2)})`);
    }
    if (rows.length > maxEventLines) lines.push(`(${rows.length - maxEventLines} more labels left out)`);
  }
  return lines.join('\n');
}

/**
 * The conversation as chat messages grounded in the analyses: a system message (the grounding instruction plus the
 * conversation's own system instruction), then each turn with its audio parts replaced by their rendered analysis.
 * Audio parts the last user turn targets with a time range are cut to that range (exact words, see composer.ts).
 */
export function renderGroundedContext(conversation: Conversation, options: ContextOptions = {}): ChatMessage[] {
  const parts = audioParts(conversation);
  const intent = parts.length ? classifyIntent(conversation, { labels: options.labels }) : undefined;
  const ordinalOf = new Map(parts.map((p, i) => [p.index, i + 1]));
  const lastUser = conversation.turns.map((t) => t.role).lastIndexOf('user');
  const system = [GROUNDING_INSTRUCTION, conversation.system?.trim()].filter(Boolean).join('\n\n');
  const messages: ChatMessage[] = [{ role: 'system', content: system }];
  const rangesFor = (p: AudioPart) => {
    if (!intent || !intent.targets.includes(p.index)) return undefined;
    const { ranges } = resolveRanges(intent.timeText, p.analysis);
    return ranges.length ? ranges.map((r) => ({ start: r.start, end: r.end, label: r.shown })) : undefined;
  };
  const task = intent && TASKS[intent.kind];
  conversation.turns.forEach((turn, ti) => {
    const blocks: string[] = [];
    const lastText = ti === lastUser ? turn.parts.map((p) => p.kind).lastIndexOf('text') : -1;
    turn.parts.forEach((p, pi) => {
      if (p.kind === 'text') {
        if (pi === lastText && task) {
          if (options.digest !== false)
            blocks.push(`Facts computed from the analysis:\n${composeData(conversation, { labels: options.labels }).data.answer}`);
          blocks.push(task);
        }
        blocks.push(p.text);
      } else {
        // ranges apply to the request being answered: only audio rendered for the last user turn's targets is cut
        const cut = ti <= lastUser ? rangesFor(p) : undefined;
        blocks.push(renderAnalysis(p, ordinalOf.get(p.index) ?? p.index + 1, cut, options.maxEventLines));
      }
    });
    messages.push({ role: turn.role === 'model' ? 'assistant' : 'user', content: blocks.join('\n\n') });
  });
  return messages;
}
