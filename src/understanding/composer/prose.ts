// English prose for answers: lists and articles, durations and stretches in words, sound sentences, the
// overview sentence of a recording, language names, and the notes shown when speech was not analysed.

import type { AudioAnalysis } from '../../domain/analysis.js';
import { formatTime, type TimeRange } from '../time-references.js';
import { proseLabel } from '../labels.js';
import type { Intent } from '../intent.js';
import { soundSummary, speechSeconds, type LabelSummary } from './queries.js';

export function speechWarnings(a: AudioAnalysis): string {
  const ws = a.warnings.filter((w) => /speech|transcri|whisper|sphinx|asr|model|install/i.test(w));
  const list = ws.length ? ws : a.warnings;
  return list.length
    ? list.join(' ')
    : 'No speech engine produced a transcript for this file; install and configure one (whisper.cpp or PocketSphinx) and analyse the file again.';
}

export function outsideNote(outside: TimeRange[], a: AudioAnalysis): string {
  if (!outside.length) return '';
  const asked = outside.map((r) =>
    r.point
      ? formatTime(r.requestedStart)
      : `${formatTime(r.requestedStart)}${Number.isFinite(r.requestedEnd) ? '–' + formatTime(r.requestedEnd) : ' onwards'}`,
  );
  return `The audio is only ${formatTime(a.durationSec)} long (${round1(a.durationSec)} s), so there is nothing at ${asked.join(', ')}.`;
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function secondsPhrase(s: number): string {
  const r = s >= 10 ? Math.round(s) : round1(s);
  return `${r} second${r === 1 ? '' : 's'}`;
}

export function stretchList(st: { start: number; end: number }[], max = 5): string {
  const shown = st
    .slice(0, max)
    .map((s) => (s.end - s.start < 1.5 ? `at ${formatTime(s.start)}` : `from ${formatTime(s.start)} to ${formatTime(s.end)}`));
  const more = st.length > max ? ` and ${st.length - max} more time${st.length - max === 1 ? '' : 's'}` : '';
  return joinList(shown) + more;
}

export function joinList(xs: string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

export function article(word: string): string {
  if (/^\d/.test(word)) return /^(?:8|11|18)(?!\d)|^8\d(?!\d)|^8\d\d(?!\d)/.test(word) ? 'an' : 'a';
  return /^[aeiou]/i.test(word) && !/^(?:uni|eu|one)/i.test(word) ? 'an' : 'a';
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Sentences like "A siren is heard from 0:00 to 0:07 (7 seconds)." for the top sound labels. */
export function describeSounds(sums: LabelSummary[], maxLabels = 5): string {
  if (!sums.length) return '';
  const lines = sums.slice(0, maxLabels).map((s) => {
    const name = proseLabel(s.label);
    const lead = name === s.label.split(',')[0] && /^[A-Z]/.test(name) ? name : `${article(name)} ${name}`;
    const tag = name.toLowerCase() === s.label.toLowerCase() ? '' : ` (${s.label})`;
    const [st] = s.stretches;
    if (s.stretches.length === 1 && st) {
      return `${capitalise(lead)}${tag} is heard ${stretchList(s.stretches)}${st.end - st.start >= 1.5 ? ` (${secondsPhrase(st.end - st.start)})` : ''}.`;
    }
    return `${capitalise(lead)}${tag} is heard ${s.stretches.length} times: ${stretchList(s.stretches)}.`;
  });
  const rest = sums.slice(maxLabels).map((s) => s.label);
  if (rest.length) lines.push(`Also detected: ${joinList(rest.slice(0, 8))}${rest.length > 8 ? ' and others' : ''}.`);
  return lines.join(' ');
}

export function heardList(a: AudioAnalysis): string {
  const sums = soundSummary(a);
  if (!sums.length) return a.soundEvents.length ? 'only speech or background' : 'nothing it could label';
  return joinList(sums.slice(0, 6).map((s) => `${s.label} (${stretchList(s.stretches, 2)})`));
}

export function durationWords(a: AudioAnalysis): string {
  return `${formatTime(a.durationSec)} (${round1(a.durationSec)} s)`;
}

export function soundsTail(a: AudioAnalysis): string {
  const sums = soundSummary(a);
  return sums.length ? ` The sound classifier heard: ${heardList(a)}.` : '';
}

/** "A 0:11 recording, about 8 seconds (73%) of it speech." */
export function overviewSentence(a: AudioAnalysis): string {
  const sp = speechSeconds(a);
  const share = a.durationSec > 0 ? Math.round((100 * sp) / a.durationSec) : 0;
  const len =
    a.durationSec < 60
      ? `${secondsPhrase(a.durationSec).replace(' seconds', '-second').replace(' second', '-second')} recording (${formatTime(a.durationSec)})`
      : `${formatTime(a.durationSec)}-long recording`;
  const speech = sp > 0 ? `, about ${secondsPhrase(sp)} (${share}%) of it speech` : ', with no speech detected';
  return `${capitalise(article(len))} ${len}${speech}.`;
}

export function briefSpeech(a: AudioAnalysis, maxWords = 30): string {
  const text = a.segments.map((s) => s.text.trim()).join(' ');
  const ws = text.split(/\s+/).filter(Boolean);
  return ws.length <= maxWords ? text : ws.slice(0, maxWords).join(' ') + ' …';
}

export function subjectName(intent: Intent): string {
  const s = intent.subject;
  if (!s) return 'that';
  if (s.spoken) return `"${s.spoken}"`;
  if (s.speech) return 'speech';
  return s.phrase || (s.labels[0] ? proseLabel(s.labels[0]) : 'that');
}

export function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
