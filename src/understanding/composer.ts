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

import type { AudioAnalysis, SoundEvent, TranscriptSegment, Word } from '../domain/analysis.js';
import { findTimeReferences, formatTime, formatTimestamp, type TimeRange } from './time-references.js';
import { AMBIENT_LABELS, SPEECH_LABELS, proseLabel } from './labels.js';
import { audioParts, classifyIntent, type Intent } from './intent.js';
import { bestEnumValue, fillSchema, naturalJson, validateJson } from './schema.js';
import { STOP_WORDS, bm25, centroidScores, cosine, sentences, stem, terms, tfidfVectors, topTerms, words } from './text.js';
import type { AnswerData, AudioPart, ClipAnswer, ComposeOptions, ComposedAnswer, Conversation, Grounding, SegmentData, SoundData } from './types.js';

const DEFAULT_LLM_HINT = 'configure a text generator (a local GGUF model through llama.cpp, or an OpenAI-compatible server)';
const SOUND_MERGE_GAP = 0.5;

// ---------------------------------------------------------------------------------------------------------------
// analysis helpers

export type SpeechStatus = 'transcribed' | 'no-speech' | 'not-analysed';

/** Whether the analysis has a transcript, found no speech, or never ran speech recognition. */
export function speechStatus(a: AudioAnalysis): SpeechStatus {
  if (a.segments.length > 0) return 'transcribed';
  const engine = a.engines.speech;
  const warned = a.warnings.some((w) => /speech|transcri|whisper|sphinx|asr/i.test(w));
  if (!engine || engine === 'none' || warned) return 'not-analysed';
  return 'no-speech';
}

function speechWarnings(a: AudioAnalysis): string {
  const ws = a.warnings.filter((w) => /speech|transcri|whisper|sphinx|asr|model|install/i.test(w));
  const list = ws.length ? ws : a.warnings;
  return list.length
    ? list.join(' ')
    : 'No speech engine produced a transcript for this file; install and configure one (whisper.cpp or PocketSphinx) and analyse the file again.';
}

/** The segment's words, or evenly spread words when the engine gave none. */
export function segmentWords(seg: TranscriptSegment): Word[] {
  if (seg.words.length) return seg.words;
  const ws = seg.text.trim().split(/\s+/).filter(Boolean);
  const step = (seg.end - seg.start) / Math.max(1, ws.length);
  return ws.map((text, i) => ({ text, start: seg.start + i * step, end: seg.start + (i + 1) * step }));
}

function inRange(w: { start: number; end: number }, r: { start: number; end: number }, dur: number): boolean {
  const mid = (w.start + w.end) / 2;
  return mid >= r.start && (mid < r.end || (r.end >= dur && mid <= r.end));
}

/** A point reference widened to the segment(s) spanning it (see the header). */
export function widenPoint(t: number, a: AudioAnalysis): { start: number; end: number } {
  const spanning = a.segments.filter((s) => s.start <= t && s.end >= t);
  if (spanning.length) return { start: Math.min(...spanning.map((s) => s.start)), end: Math.max(...spanning.map((s) => s.end)) };
  const next = a.segments.find((s) => s.start > t && s.start - t <= 5);
  if (next) return { start: next.start, end: next.end };
  return { start: t, end: Math.min(a.durationSec, t + 5) };
}

/** The segments cut to a range: whole segments where every word is inside, else the inside words joined. */
export function sliceSegments(a: AudioAnalysis, r: { start: number; end: number }): SegmentData[] {
  const out: SegmentData[] = [];
  for (const seg of a.segments) {
    if (seg.end < r.start - 30 || seg.start > r.end + 30) continue;
    const ws = segmentWords(seg);
    const inside = ws.filter((w) => inRange(w, r, a.durationSec));
    if (!inside.length) continue;
    const text = inside.length === ws.length ? seg.text.trim() : inside.map((w) => w.text.trim()).join(' ').replace(/\s+([,.;:!?])/g, '$1');
    out.push({ start: inside[0].start, end: inside[inside.length - 1].end, text });
  }
  return out;
}

/** Resolve the time references of a text against an audio: concrete ranges plus the out-of-range ones. */
export function resolveRanges(text: string, a: AudioAnalysis): { ranges: (TimeRange & { shown: string })[]; outside: TimeRange[] } {
  const refs = findTimeReferences(text, a.durationSec);
  const ranges: (TimeRange & { shown: string })[] = [];
  const outside: TimeRange[] = [];
  for (const r of refs) {
    if (r.outOfRange) outside.push(r);
    else if (r.point) {
      const w = widenPoint(r.start, a);
      ranges.push({ ...r, start: w.start, end: w.end, shown: formatTime(r.start) });
    } else ranges.push({ ...r, shown: `${formatTime(r.start)}–${formatTime(r.end)}` });
  }
  return { ranges, outside };
}

function outsideNote(outside: TimeRange[], a: AudioAnalysis): string {
  if (!outside.length) return '';
  const asked = outside.map((r) => (r.point ? formatTime(r.requestedStart) : `${formatTime(r.requestedStart)}${Number.isFinite(r.requestedEnd) ? '–' + formatTime(r.requestedEnd) : ' onwards'}`));
  return `The audio is only ${formatTime(a.durationSec)} long (${round1(a.durationSec)} s), so there is nothing at ${asked.join(', ')}.`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function secondsPhrase(s: number): string {
  const r = s >= 10 ? Math.round(s) : round1(s);
  return `${r} second${r === 1 ? '' : 's'}`;
}

/** Merge events of the given labels (or all) into separated stretches per label set. */
export function mergeEvents(events: SoundEvent[], gap = SOUND_MERGE_GAP): { start: number; end: number; score: number; labels: string[] }[] {
  const sorted = [...events].sort((x, y) => x.start - y.start);
  const out: { start: number; end: number; score: number; labels: string[] }[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && e.start <= last.end + gap) {
      last.end = Math.max(last.end, e.end);
      last.score = Math.max(last.score, e.score);
      if (!last.labels.includes(e.label)) last.labels.push(e.label);
    } else out.push({ start: e.start, end: e.end, score: e.score, labels: [e.label] });
  }
  return out;
}

interface LabelSummary {
  label: string;
  stretches: { start: number; end: number; score: number }[];
  total: number;
  peak: number;
}

/** Sound events grouped by label, ranked by total duration × peak score; speech and ambience labels left out. */
function soundSummary(a: AudioAnalysis, range?: { start: number; end: number }, includeSpeech = false): LabelSummary[] {
  const by = new Map<string, SoundEvent[]>();
  for (const e of a.soundEvents) {
    if (!includeSpeech && (SPEECH_LABELS.has(e.label) || AMBIENT_LABELS.has(e.label))) continue;
    if (range && (e.end <= range.start || e.start >= range.end)) continue;
    const list = by.get(e.label) ?? [];
    list.push(e);
    by.set(e.label, list);
  }
  return [...by.entries()]
    .map(([label, evs]) => {
      const stretches = mergeEvents(evs).map(({ start, end, score }) => ({ start, end, score }));
      const total = stretches.reduce((s, x) => s + (x.end - x.start), 0);
      return { label, stretches, total, peak: Math.max(...evs.map((e) => e.score)) };
    })
    .sort((x, y) => y.total * y.peak - x.total * x.peak || (x.label < y.label ? -1 : 1));
}

function stretchList(st: { start: number; end: number }[], max = 5): string {
  const shown = st.slice(0, max).map((s) => (s.end - s.start < 1.5 ? `at ${formatTime(s.start)}` : `from ${formatTime(s.start)} to ${formatTime(s.end)}`));
  const more = st.length > max ? ` and ${st.length - max} more time${st.length - max === 1 ? '' : 's'}` : '';
  return joinList(shown) + more;
}

function joinList(xs: string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

function article(word: string): string {
  if (/^\d/.test(word)) return /^(?:8|11|18)(?!\d)|^8\d(?!\d)|^8\d\d(?!\d)/.test(word) ? 'an' : 'a';
  return /^[aeiou]/i.test(word) && !/^(?:uni|eu|one)/i.test(word) ? 'an' : 'a';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Sentences like "A siren is heard from 0:00 to 0:07 (7 seconds)." for the top sound labels. */
function describeSounds(sums: LabelSummary[], maxLabels = 5): string {
  if (!sums.length) return '';
  const lines = sums.slice(0, maxLabels).map((s) => {
    const name = proseLabel(s.label);
    const lead = name === s.label.split(',')[0] && /^[A-Z]/.test(name) ? name : `${article(name)} ${name}`;
    const tag = name.toLowerCase() === s.label.toLowerCase() ? '' : ` (${s.label})`;
    if (s.stretches.length === 1) {
      const st = s.stretches[0];
      return `${capitalise(lead)}${tag} is heard ${stretchList(s.stretches)}${st.end - st.start >= 1.5 ? ` (${secondsPhrase(st.end - st.start)})` : ''}.`;
    }
    return `${capitalise(lead)}${tag} is heard ${s.stretches.length} times: ${stretchList(s.stretches)}.`;
  });
  const rest = sums.slice(maxLabels).map((s) => s.label);
  if (rest.length) lines.push(`Also detected: ${joinList(rest.slice(0, 8))}${rest.length > 8 ? ' and others' : ''}.`);
  return lines.join(' ');
}

function heardList(a: AudioAnalysis): string {
  const sums = soundSummary(a);
  if (!sums.length) return a.soundEvents.length ? 'only speech or background' : 'nothing it could label';
  return joinList(sums.slice(0, 6).map((s) => `${s.label} (${stretchList(s.stretches, 2)})`));
}

function soundsData(a: AudioAnalysis, labels?: Set<string>, range?: { start: number; end: number }): SoundData[] {
  return a.soundEvents
    .filter((e) => (!labels || labels.has(e.label)) && (!range || (e.end > range.start && e.start < range.end)))
    .sort((x, y) => x.start - y.start || y.score - x.score)
    .map((e) => ({ label: e.label, start: e.start, end: e.end, score: e.score }));
}

/** All words of the transcript in time order. */
function allWords(a: AudioAnalysis): Word[] {
  return a.segments.flatMap((s) => segmentWords(s));
}

const norm = (w: string) => w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '').replace(/'s$/, '');

/** Occurrences of a spoken word or phrase (each token equal or with the same stem), with times. */
export function findSpoken(a: AudioAnalysis, phrase: string): { start: number; end: number; text: string }[] {
  const q = words(phrase).map(norm).filter(Boolean);
  if (!q.length) return [];
  const ws = allWords(a).map((w) => ({ ...w, n: norm(w.text) })).filter((w) => w.n);
  const out: { start: number; end: number; text: string }[] = [];
  for (let i = 0; i + q.length <= ws.length; i++) {
    let ok = true;
    for (let j = 0; j < q.length && ok; j++) ok = ws[i + j].n === q[j] || stem(ws[i + j].n) === stem(q[j]);
    if (ok) {
      out.push({ start: ws[i].start, end: ws[i + q.length - 1].end, text: ws.slice(i, i + q.length).map((w) => w.text.trim()).join(' ') });
      i += q.length - 1;
    }
  }
  return out;
}

function segmentAround(a: AudioAnalysis, t: number): TranscriptSegment | undefined {
  return a.segments.find((s) => s.start <= t && s.end >= t);
}

function durationWords(a: AudioAnalysis): string {
  return `${formatTime(a.durationSec)} (${round1(a.durationSec)} s)`;
}

function speechSeconds(a: AudioAnalysis): number {
  const regions = a.speechRegions.length ? a.speechRegions : a.segments;
  return regions.reduce((s, r) => s + Math.max(0, Math.min(r.end, a.durationSec) - Math.max(0, r.start)), 0);
}

const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English', fr: 'French', de: 'German', es: 'Spanish', it: 'Italian', pt: 'Portuguese', nl: 'Dutch', ru: 'Russian',
  zh: 'Chinese', ja: 'Japanese', ko: 'Korean', ar: 'Arabic', hi: 'Hindi', pl: 'Polish', tr: 'Turkish', sv: 'Swedish',
  da: 'Danish', no: 'Norwegian', fi: 'Finnish', cs: 'Czech', uk: 'Ukrainian', el: 'Greek', he: 'Hebrew', id: 'Indonesian',
  vi: 'Vietnamese', th: 'Thai', ro: 'Romanian', hu: 'Hungarian', ca: 'Catalan', fa: 'Persian', bn: 'Bengali', ur: 'Urdu',
};

export function languageName(code: string): string {
  const base = code.toLowerCase().split(/[-_]/)[0];
  return LANGUAGE_NAMES[base] ?? code;
}

// ---------------------------------------------------------------------------------------------------------------
// per-clip answers

interface ClipResult {
  clip: ClipAnswer;
  grounding: Grounding[];
}

function transcriptAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const { ranges, outside } = resolveRanges(intent.timeText, a);
  const note = outsideNote(outside, a);
  const status = speechStatus(a);
  if (status === 'not-analysed') {
    clip.answer = `I can't give a transcript: speech in this audio was not analysed. ${speechWarnings(a)}${soundsTail(a)}`;
    return;
  }
  if (outside.length && !ranges.length) {
    clip.answer = note;
    clip.segments = [];
    clip.transcript = '';
    return;
  }
  let segs: SegmentData[];
  if (ranges.length) {
    segs = [];
    for (const r of ranges) {
      const cut = sliceSegments(a, r);
      for (const s of cut) if (!segs.some((x) => x.start === s.start && x.text === s.text)) segs.push(s);
    }
    segs.sort((x, y) => x.start - y.start);
  } else segs = a.segments.map((s) => ({ start: s.start, end: s.end, text: s.text.trim() }));
  clip.segments = segs;
  clip.transcript = segs.map((s) => s.text).join(' ');
  for (const s of segs) g.push({ audioIndex: part.index, start: s.start, end: s.end });
  if (!segs.length) {
    const where = ranges.length ? ` between ${joinList(ranges.map((r) => r.shown))}` : '';
    clip.answer = status === 'no-speech' && !ranges.length ? `No speech was detected in this audio.${soundsTail(a)}` : `No speech was transcribed${where}.`;
    if (note) clip.answer += ' ' + note;
    return;
  }
  const body = intent.timestamps ? segs.map((s) => `[${formatTimestamp(s.start)}] ${s.text}`).join('\n') : clip.transcript;
  const clampedNote = ranges.some((r) => r.clamped && !r.point && Number.isFinite(r.requestedEnd)) ? `\n(The audio ends at ${formatTime(a.durationSec)}.)` : '';
  clip.answer = body + clampedNote + (note ? `\n${note}` : '');
}

function soundsTail(a: AudioAnalysis): string {
  const sums = soundSummary(a);
  return sums.length ? ` The sound classifier heard: ${heardList(a)}.` : '';
}

interface Unit {
  text: string;
  start: number;
  end: number;
}

function speechUnits(a: AudioAnalysis, range?: { start: number; end: number }): Unit[] {
  const out: Unit[] = [];
  for (const seg of a.segments) {
    const text = seg.text.trim();
    const ss = sentences(text);
    const len = text.length || 1;
    for (const s of ss.length ? ss : [{ text, from: 0, to: len }]) {
      const u = { text: s.text, start: seg.start + ((seg.end - seg.start) * s.from) / len, end: seg.start + ((seg.end - seg.start) * s.to) / len };
      if (!range || inRange(u, range, a.durationSec)) out.push(u);
    }
  }
  return out;
}

/** Surface forms for stemmed keywords: the most frequent original word with that stem. */
function surfaceKeywords(wordLists: string[][], termLists: string[][], k: number): string[] {
  const top = topTerms(termLists, k);
  const wanted = new Set(top);
  const forms = new Map<string, Map<string, number>>();
  for (const ws of wordLists) for (const w of ws) {
    const s = stem(w);
    if (!wanted.has(s)) continue;
    const m = forms.get(s) ?? new Map<string, number>();
    m.set(w, (m.get(w) ?? 0) + 1);
    forms.set(s, m);
  }
  return top.map((t) => [...(forms.get(t)?.entries() ?? [[t, 1]])].sort((x, y) => y[1] - x[1])[0][0]);
}

function summaryAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const { ranges, outside } = resolveRanges(intent.timeText, a);
  const status = speechStatus(a);
  const overview = overviewSentence(a);
  if (outside.length && !ranges.length) {
    clip.answer = outsideNote(outside, a);
    return;
  }
  const range = ranges.length ? { start: Math.min(...ranges.map((r) => r.start)), end: Math.max(...ranges.map((r) => r.end)) } : undefined;
  const sounds = describeSounds(soundSummary(a, range), 3);
  if (status !== 'transcribed') {
    const speech = status === 'not-analysed' ? `Speech was not analysed, so this summary covers sounds only: ${speechWarnings(a)}` : 'There is no speech in it.';
    clip.summary = [overview, sounds].filter(Boolean).join(' ');
    clip.answer = [overview, speech, sounds || 'The sound classifier found no distinct sounds.'].join(' ');
    clip.description = clip.summary;
    return;
  }
  const units = speechUnits(a, range);
  const wordLists = units.map((u) => words(u.text));
  const termLists = wordLists.map((ws) => ws.filter((w) => !STOP_WORDS.has(w)).map(stem));
  const totalWords = wordLists.reduce((s, ws) => s + ws.length, 0);
  let chosen: Unit[];
  let how: string;
  if (totalWords <= 60) {
    chosen = units;
    how = units.length ? 'The speech is short, so here it is in full:' : '';
  } else {
    const vecs = tfidfVectors(termLists);
    const scores = centroidScores(vecs);
    const k = Math.max(1, Math.min(7, Math.round(Math.sqrt(units.length))));
    const ranked = units
      .map((u, i) => ({ u, i, s: scores[i] * (termLists[i].length < 4 ? 0.5 : 1) }))
      .sort((x, y) => y.s - x.s || x.i - y.i);
    // greedy, skipping near-repeats of what is already picked (cosine > 0.6) and staying near 160 words
    const picked: ((typeof ranked)[number] & { set: Set<string> })[] = [];
    let budget = 160;
    for (const r of ranked.slice(0, 40 * k)) {
      if (picked.length >= k) break;
      const set = contentSet(termLists[r.i]);
      if (picked.some((p) => cosine(vecs[p.i], vecs[r.i]) > 0.6 || jaccard(p.set, set) > 0.7)) continue;
      const n = wordLists[r.i].length;
      if (picked.length && n > budget) continue;
      picked.push({ ...r, set });
      budget -= n;
    }
    chosen = picked.sort((x, y) => x.i - y.i).map((x) => x.u);
    how = `Summary (extractive: the ${chosen.length} most representative of ${units.length} spoken sentences, in time order):`;
  }
  clip.keywords = surfaceKeywords(wordLists, termLists, 6);
  for (const u of chosen) g.push({ audioIndex: part.index, start: u.start, end: u.end });
  const lines = chosen.map((u) => `- [${formatTimestamp(u.start)}] ${u.text}`);
  clip.summary = chosen.map((u) => u.text).join(' ');
  clip.segments = chosen.map((u) => ({ start: u.start, end: u.end, text: u.text }));
  const tail = [
    range ? `This covers ${joinList(ranges.map((r) => r.shown))} of ${overview.replace(/\.$/, '').replace(/^A/, 'a')}.` : overview,
    clip.keywords.length && totalWords > 60 ? `Frequent terms: ${clip.keywords.join(', ')}.` : '',
    sounds,
    outsideNote(outside, a),
  ].filter(Boolean);
  clip.answer = `${how}\n${lines.join('\n')}\n${tail.join(' ')}`.trim();
}

/** content terms without numbers, so "Part 5: x" and "Part 9: x" count as repeats */
function contentSet(ts: string[]): Set<string> {
  return new Set(ts.filter((t) => !/^\d+$/.test(t)));
}

function jaccard(A: Set<string>, B: Set<string>): number {
  let both = 0;
  for (const t of A) if (B.has(t)) both++;
  const union = A.size + B.size - both;
  return union ? both / union : 0;
}

/** "A 0:11 recording, about 8 seconds (73%) of it speech." */
function overviewSentence(a: AudioAnalysis): string {
  const sp = speechSeconds(a);
  const share = a.durationSec > 0 ? Math.round((100 * sp) / a.durationSec) : 0;
  const len = a.durationSec < 60 ? `${secondsPhrase(a.durationSec).replace(' seconds', '-second').replace(' second', '-second')} recording (${formatTime(a.durationSec)})` : `${formatTime(a.durationSec)}-long recording`;
  const speech = sp > 0 ? `, about ${secondsPhrase(sp)} (${share}%) of it speech` : ', with no speech detected';
  return `${capitalise(article(len))} ${len}${speech}.`;
}

function briefSpeech(a: AudioAnalysis, maxWords = 30): string {
  const text = a.segments.map((s) => s.text.trim()).join(' ');
  const ws = text.split(/\s+/).filter(Boolean);
  return ws.length <= maxWords ? text : ws.slice(0, maxWords).join(' ') + ' …';
}

function descriptionAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const status = speechStatus(a);
  const { ranges } = resolveRanges(intent.timeText, a);
  const range = ranges.length ? { start: Math.min(...ranges.map((r) => r.start)), end: Math.max(...ranges.map((r) => r.end)) } : undefined;
  const out: string[] = [overviewSentence(a)];
  if (status === 'transcribed') {
    const lang = a.language ? ` in ${languageName(a.language)}` : '';
    const said = range ? sliceSegments(a, range).map((s) => s.text).join(' ') : briefSpeech(a);
    if (said) out.push(`The speech${lang} says: "${said}"`);
    const sp = a.segments;
    if (sp.length) g.push({ audioIndex: part.index, start: sp[0].start, end: sp[sp.length - 1].end });
  } else if (status === 'not-analysed') {
    if (a.speechRegions.length) out.push(`Speech was detected in ${a.speechRegions.length} stretch${a.speechRegions.length === 1 ? '' : 'es'} but not transcribed.`);
    out.push(speechWarnings(a));
  }
  const sums = soundSummary(a, range);
  const sounds = describeSounds(sums);
  if (sounds) out.push(sounds);
  else out.push(a.soundEvents.length ? 'Apart from speech, the sound classifier found no distinct sounds.' : 'The sound classifier found no distinct sounds.');
  for (const s of sums.slice(0, 5)) for (const st of s.stretches) g.push({ audioIndex: part.index, start: st.start, end: st.end });
  if (a.loudnessDb < -45 && Number.isFinite(a.loudnessDb)) out.push(`It is very quiet (${Math.round(a.loudnessDb)} dBFS on average).`);
  clip.description = out.join(' ');
  clip.sounds = soundsData(a, new Set(sums.map((s) => s.label)), range);
  clip.answer = clip.description;
}

function soundsAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const sums = soundSummary(a);
  clip.sounds = soundsData(a, new Set(sums.map((s) => s.label)));
  for (const s of sums.slice(0, 5)) for (const st of s.stretches) g.push({ audioIndex: part.index, start: st.start, end: st.end });
  if (!sums.length) {
    clip.answer = speechStatus(a) === 'transcribed' || a.speechRegions.length
      ? 'The sound classifier heard only speech in this audio, no other distinct sounds.'
      : 'The sound classifier found no distinct sounds in this audio.';
    return;
  }
  const top = sums[0];
  clip.answer = `The sound classifier's strongest detection is ${top.label} (peak score ${top.peak.toFixed(2)}). ${describeSounds(sums)}`;
}

function questionAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const status = speechStatus(a);
  const { ranges } = resolveRanges(intent.timeText, a);
  if (status !== 'transcribed') {
    const why = status === 'not-analysed' ? `Speech in this audio was not analysed, so I can't answer from what is said. ${speechWarnings(a)}` : 'There is no speech in this audio to answer from.';
    clip.answer = `${why} The sound classifier heard: ${heardList(a)}.`;
    return;
  }
  const segs = ranges.length ? ranges.flatMap((r) => sliceSegments(a, r)) : a.segments.map((s) => ({ start: s.start, end: s.end, text: s.text.trim() }));
  const q = terms(intent.prompt);
  const scored = bm25(segs.map((s) => terms(s.text)), q).filter((s) => s.score > 0).sort((x, y) => y.score - x.score).slice(0, 3);
  if (!scored.length) {
    const allText = segs.map((s) => s.text).join(' ');
    clip.answer = words(allText).length <= 80
      ? `No passage of the transcript shares words with the question, and answering it needs reasoning the built-in answerer does not do. The whole transcript is: "${allText}"`
      : 'No passage of the transcript shares words with the question; answering it needs reasoning the built-in answerer does not do.';
    clip.segments = [];
    return;
  }
  const hits = scored.map((s) => segs[s.index]).sort((x, y) => x.start - y.start);
  clip.segments = hits;
  for (const h of hits) g.push({ audioIndex: part.index, start: h.start, end: h.end });
  const quoted = hits.map((h) => `[${formatTimestamp(h.start)}–${formatTimestamp(h.end)}] "${h.text}"`).join('\n');
  clip.answer = `From the transcript (found by matching the question's words, not by reasoning), the relevant passage${hits.length > 1 ? 's are' : ' is'}:\n${quoted}`;
}

function subjectName(intent: Intent): string {
  const s = intent.subject;
  if (!s) return 'that';
  if (s.spoken) return `"${s.spoken}"`;
  if (s.speech) return 'speech';
  return s.phrase || (s.labels[0] ? proseLabel(s.labels[0]) : 'that');
}

function timeAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const s = intent.subject;
  const edge = intent.edge ?? 'start';
  if (!s) {
    clip.answer = `I couldn't tell what you want the time of. The sound classifier heard: ${heardList(a)}.`;
    return;
  }
  if (s.spoken && !s.labels.length) {
    if (speechStatus(a) === 'not-analysed') {
      clip.answer = `I can't find when ${subjectName(intent)} is said: speech was not analysed. ${speechWarnings(a)}`;
      return;
    }
    const occ = findSpoken(a, s.spoken);
    if (!occ.length) {
      clip.answer = `${capitalise(subjectName(intent))} is not said in the transcript.`;
      clip.present = false;
      clip.count = 0;
      return;
    }
    const first = occ[0];
    clip.time = edge === 'end' ? first.end : first.start;
    clip.count = occ.length;
    clip.present = true;
    clip.segments = occ.map((o) => ({ ...o }));
    for (const o of occ) g.push({ audioIndex: part.index, start: o.start, end: o.end });
    const ctx = segmentAround(a, first.start);
    const at = occ.map((o) => formatTime(edge === 'end' ? o.end : o.start, true));
    clip.answer = `${capitalise(subjectName(intent))} is said at ${joinList(at)}${ctx ? ` (first in: "${ctx.text.trim()}")` : ''}.`;
    return;
  }
  let stretches: { start: number; end: number }[];
  let what: string;
  if (s.speech) {
    if (a.speechRegions.length) stretches = mergeEvents(a.speechRegions.map((r) => ({ ...r, label: 'Speech', score: 1 })));
    else stretches = mergeEvents(a.segments.map((r) => ({ start: r.start, end: r.end, label: 'Speech', score: 1 })));
    what = 'Speech';
  } else {
    const set = new Set(s.labels);
    stretches = mergeEvents(a.soundEvents.filter((e) => set.has(e.label)));
    what = `The ${s.phrase || proseLabel(s.labels[0])}`;
  }
  if (!stretches.length) {
    clip.answer = s.speech
      ? 'No speech was detected in this audio.'
      : s.labels.length
        ? `${what} is not detected in this audio (looked for ${joinList(s.labels.slice(0, 6))}); the sound classifier heard: ${heardList(a)}.`
        : `"${s.phrase}" matches none of the sound classifier's labels; it heard: ${heardList(a)}.`;
    clip.present = false;
    return;
  }
  const first = stretches[0];
  clip.present = true;
  clip.count = stretches.length;
  clip.segments = stretches.map((x) => ({ start: x.start, end: x.end, text: what }));
  for (const x of stretches) g.push({ audioIndex: part.index, start: x.start, end: x.end });
  const matched = s.speech ? '' : ` (detected as ${joinList(uniq(a.soundEvents.filter((e) => s.labels.includes(e.label) && e.start < first.end + SOUND_MERGE_GAP && e.end > first.start - SOUND_MERGE_GAP).map((e) => e.label)))})`;
  let main: string;
  if (edge === 'end') {
    const last = stretches[stretches.length - 1];
    clip.time = last.end;
    main = `${what}${matched} stops at ${formatTime(last.end, true)}${stretches.length > 1 ? ` (its last stretch runs from ${formatTime(last.start, true)})` : ''}.`;
  } else if (edge === 'duration') {
    clip.time = first.start;
    const total = stretches.reduce((t, x) => t + x.end - x.start, 0);
    main = `${what}${matched} lasts ${secondsPhrase(total)} in total${stretches.length > 1 ? ` over ${stretches.length} stretches` : ''}, from ${formatTime(first.start, true)} to ${formatTime(stretches[stretches.length - 1].end, true)}.`;
  } else {
    clip.time = first.start;
    main = `${what}${matched} starts at ${formatTime(first.start, true)} and lasts until ${formatTime(first.end, true)}.`;
  }
  const more = stretches.length > 1 ? ` It is heard ${stretches.length} times: ${stretchList(stretches)}.` : '';
  clip.answer = main + more;
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function presenceAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const s = intent.subject;
  if (!s) {
    clip.answer = `I couldn't tell which sound you are asking about. The sound classifier heard: ${heardList(a)}.`;
    return;
  }
  if (s.speech) {
    const has = a.segments.length > 0 || a.speechRegions.length > 0;
    clip.present = has;
    const regions = a.speechRegions.length ? a.speechRegions : a.segments;
    for (const r of regions) g.push({ audioIndex: part.index, start: r.start, end: r.end });
    clip.answer = has
      ? `Yes, there is speech: about ${secondsPhrase(speechSeconds(a))} of it, ${stretchList(mergeEvents(regions.map((r) => ({ ...r, label: 'Speech', score: 1 }))), 4)}.${a.segments.length ? ` It begins: "${briefSpeech(a, 15)}"` : ''}`
      : `No, no speech was detected in this audio.${speechStatus(a) === 'not-analysed' ? ' ' + speechWarnings(a) : ''}`;
    if (/\b(?:man|woman|men|women|male|female|child|girl|boy)\b/i.test(s.phrase)) clip.answer += ' (The analysis does not tell voices apart, so I can\'t say who is speaking.)';
    return;
  }
  if (s.labels.length) {
    const set = new Set(s.labels);
    const hits = a.soundEvents.filter((e) => set.has(e.label));
    const stretches = mergeEvents(hits);
    clip.sounds = soundsData(a, set);
    clip.count = stretches.length;
    clip.present = stretches.length > 0;
    if (stretches.length) {
      for (const x of stretches) g.push({ audioIndex: part.index, start: x.start, end: x.end });
      const labelsHeard = uniq(hits.sort((x, y) => y.score - x.score).map((e) => e.label));
      clip.answer = `Yes. The sound classifier detected ${joinList(labelsHeard.slice(0, 4))} ${stretchList(stretches)} (peak score ${Math.max(...hits.map((h) => h.score)).toFixed(2)}).`;
    } else {
      clip.answer = `No ${s.phrase} was detected (the sound classifier heard: ${heardList(a)}). It may miss sounds that are very quiet or brief.`;
    }
    return;
  }
  if (s.spoken) {
    if (speechStatus(a) === 'not-analysed') {
      clip.answer = `"${s.phrase}" matches none of the sound classifier's labels, and speech was not analysed, so I can't check whether it is mentioned. ${speechWarnings(a)}`;
      return;
    }
    const occ = findSpoken(a, s.spoken);
    clip.present = occ.length > 0;
    clip.count = occ.length;
    for (const o of occ) g.push({ audioIndex: part.index, start: o.start, end: o.end });
    clip.answer = occ.length
      ? `Yes, "${s.spoken}" is said ${occ.length === 1 ? 'once' : `${occ.length} times`}, at ${joinList(occ.map((o) => formatTime(o.start, true)))}.`
      : `No. "${s.spoken}" is not said in the transcript, and it matches none of the sounds the classifier heard (${heardList(a)}).`;
    return;
  }
  clip.answer = `I couldn't match "${s.phrase}" to a sound or a word. The sound classifier heard: ${heardList(a)}.`;
}

function countAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const s = intent.subject;
  const { ranges } = resolveRanges(intent.timeText, a);
  const range = ranges.length ? { start: Math.min(...ranges.map((r) => r.start)), end: Math.max(...ranges.map((r) => r.end)) } : undefined;
  const within = <T extends { start: number; end: number }>(xs: T[]) => (range ? xs.filter((x) => inRange(x, range, a.durationSec)) : xs);
  if (!s) {
    clip.answer = `I couldn't tell what to count. The sound classifier heard: ${heardList(a)}.`;
    return;
  }
  if (s.words) {
    if (speechStatus(a) === 'not-analysed') {
      clip.answer = `I can't count words: speech was not analysed. ${speechWarnings(a)}`;
      return;
    }
    const n = within(allWords(a)).filter((w) => norm(w.text)).length;
    clip.count = n;
    clip.answer = `The transcript has ${n} word${n === 1 ? '' : 's'}${range ? ` in ${joinList(ranges.map((r) => r.shown))}` : ''}.`;
    return;
  }
  if (s.spoken && !s.labels.length) {
    if (speechStatus(a) === 'not-analysed') {
      clip.answer = `I can't count how often ${subjectName(intent)} is said: speech was not analysed. ${speechWarnings(a)}`;
      return;
    }
    const occ = within(findSpoken(a, s.spoken));
    clip.count = occ.length;
    clip.present = occ.length > 0;
    for (const o of occ) g.push({ audioIndex: part.index, start: o.start, end: o.end });
    clip.answer = occ.length
      ? `${capitalise(subjectName(intent))} is said ${occ.length === 1 ? 'once' : `${occ.length} times`} in the transcript, at ${joinList(occ.map((o) => formatTime(o.start, true)))}.`
      : `${capitalise(subjectName(intent))} is not said in the transcript (0 times).`;
    return;
  }
  if (s.speech) {
    const regions = within(a.speechRegions.length ? a.speechRegions : a.segments);
    clip.count = regions.length;
    clip.answer = `Speech is heard in ${regions.length} separate stretch${regions.length === 1 ? '' : 'es'} (speech regions from voice activity detection).`;
    return;
  }
  const set = new Set(s.labels);
  const stretches = within(mergeEvents(a.soundEvents.filter((e) => set.has(e.label))));
  clip.count = stretches.length;
  clip.present = stretches.length > 0;
  clip.sounds = soundsData(a, set, range);
  for (const x of stretches) g.push({ audioIndex: part.index, start: x.start, end: x.end });
  const how = `Counted as separate detections by the sound classifier of ${joinList(s.labels.slice(0, 5))}${s.labels.length > 5 ? ' and related labels' : ''}, with detections that overlap or are less than ${SOUND_MERGE_GAP} s apart merged; the classifier works on frames of about 1 s, so sounds closer together than that count as one.`;
  clip.answer = stretches.length
    ? `${stretches.length} time${stretches.length === 1 ? '' : 's'}: ${stretchList(stretches, 8)}. ${how}`
    : `0 times: no ${s.phrase || 'such sound'} was detected (the sound classifier heard: ${heardList(a)}).`;
}

function languageAnswer(part: AudioPart, clip: ClipAnswer): void {
  const a = part.analysis;
  const status = speechStatus(a);
  if (status === 'not-analysed') {
    clip.answer = `I can't tell the language: speech was not analysed. ${speechWarnings(a)}`;
  } else if (status === 'no-speech') {
    clip.answer = 'There is no speech in this audio, so there is no spoken language.';
  } else if (a.language) {
    clip.language = a.language;
    clip.answer = `The speech is in ${languageName(a.language)} (${a.language}), as identified by the speech engine.`;
  } else {
    clip.answer = 'The speech engine did not report a language for this audio.';
  }
}

function speakersAnswer(part: AudioPart, clip: ClipAnswer): void {
  const a = part.analysis;
  const regions = a.speechRegions.length ? a.speechRegions : a.segments;
  clip.answer = regions.length
    ? `The analysis does not tell speakers apart (no diarization), so I can't say how many people speak or who they are. Speech was detected in ${regions.length} stretch${regions.length === 1 ? '' : 'es'}, about ${secondsPhrase(speechSeconds(a))} in all.`
    : 'No speech was detected in this audio, so there are no speakers.';
}

function clipAnswer(intent: Intent, part: AudioPart): ClipResult {
  const a = part.analysis;
  const clip: ClipAnswer = { audioIndex: part.index, name: part.displayName, durationSec: a.durationSec, answer: '' };
  if (a.language) clip.language = a.language;
  const g: Grounding[] = [];
  switch (intent.kind) {
    case 'transcript': transcriptAnswer(intent, part, clip, g); break;
    case 'summary': summaryAnswer(intent, part, clip, g); break;
    case 'description': descriptionAnswer(intent, part, clip, g); break;
    case 'sounds': soundsAnswer(intent, part, clip, g); break;
    case 'question': questionAnswer(intent, part, clip, g); break;
    case 'time': timeAnswer(intent, part, clip, g); break;
    case 'presence': presenceAnswer(intent, part, clip, g); break;
    case 'count': countAnswer(intent, part, clip, g); break;
    case 'language': languageAnswer(part, clip); break;
    case 'duration': clip.answer = `The audio is ${durationWords(a)} long.`; break;
    case 'speakers': speakersAnswer(part, clip); break;
    default: {
      descriptionAnswer(intent, part, clip, g);
      clip.answer = `What the analysis holds: ${clip.answer}`;
    }
  }
  const transcribed = speechStatus(a) === 'transcribed';
  clip.fallback = {
    transcript: transcribed ? a.segments.map((s) => s.text.trim()).join(' ') : undefined,
    segments: a.segments.map((s) => ({ start: s.start, end: s.end, text: s.text.trim() })),
    sounds: soundsData(a, new Set(soundSummary(a).map((s) => s.label))),
  };
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
  const results = chosen.map((p) => clipAnswer(intent, p));
  let answer: string;
  if (results.length === 1) answer = results[0].clip.answer;
  else {
    answer = results
      .map((r, i) => {
        const part = chosen[i];
        const pos = parts.indexOf(part);
        const body = r.clip.answer;
        return `${clipHeading(part, pos)}:${body.includes('\n') ? '\n' : ' '}${body}`;
      })
      .join('\n\n');
  }
  if (intent.kind === 'reasoning') answer = `${reasoningPreface(hint)}\n\n${answer}`;
  return {
    data: { kind: intent.kind, answer, clips: results.map((r) => r.clip) },
    grounding: results.flatMap((r) => r.grounding),
  };
}

/** Default token count when none is supplied: about four characters per token. */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Cut text at the earliest stop sequence (the sequence itself is not included). */
export function applyStopSequences(text: string, stops: string[] | undefined): { text: string; stopped: boolean } {
  let cut = -1;
  for (const s of stops ?? []) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  return cut >= 0 ? { text: text.slice(0, cut), stopped: true } : { text, stopped: false };
}

/** The longest prefix (ending at a word boundary where possible) with at most `max` tokens. */
export function truncateToTokens(text: string, max: number, count: (t: string) => number): { text: string; truncated: boolean } {
  if (count(text) <= max) return { text, truncated: false };
  if (max <= 0) return { text: '', truncated: true };
  // candidate cut points: ends of words (and of the text)
  const cuts: number[] = [];
  for (const m of text.matchAll(/\S+/g)) cuts.push((m.index ?? 0) + m[0].length);
  let lo = 0;
  let hi = cuts.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (count(text.slice(0, cuts[mid])) <= max) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best >= 0) return { text: text.slice(0, cuts[best]), truncated: true };
  // a single first word longer than the budget: cut by characters
  let l = 0;
  let h = cuts[0] ?? text.length;
  while (l < h) {
    const mid = (l + h + 1) >> 1;
    if (count(text.slice(0, mid)) <= max) l = mid;
    else h = mid - 1;
  }
  return { text: text.slice(0, l), truncated: true };
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

function pickEnum(schema: object | undefined, data: AnswerData): string {
  const values = ((schema as { enum?: unknown[] } | undefined)?.enum ?? []).filter((v): v is string => typeof v === 'string');
  if (!values.length) {
    throw new Error('responseMimeType "text/x.enum" needs a responseSchema with an enum of strings; add one or use text/plain.');
  }
  return bestEnumValue(values, data);
}
