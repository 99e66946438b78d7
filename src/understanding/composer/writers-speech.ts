// Answer writers that work from the transcript: transcript (whole or cut to a time range), extractive summary,
// and retrieval answers to content questions.

import type { Intent } from '../intent.js';
import type { AudioPart, ClipAnswer, Grounding, SegmentData } from '../types.js';
import { formatTime, formatTimestamp } from '../time-references.js';
import { STOP_WORDS, bm25, centroidScores, cosine, stem, terms, tfidfVectors, topTerms, words } from '../text.js';
import { resolveRanges, sliceSegments, soundSummary, speechStatus, speechUnits, type Unit } from './queries.js';
import { diarizationUnavailable, hasDiarization, speakerName, withFacts } from '../facts.js';
import { describeSounds, heardList, joinList, outsideNote, overviewSentence, soundsTail, speechWarnings } from './prose.js';

export function transcriptAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
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
    clip.answer =
      status === 'no-speech' && !ranges.length
        ? `No speech was detected in this audio.${soundsTail(a)}`
        : `No speech was transcribed${where}.`;
    if (note) clip.answer += ' ' + note;
    return;
  }
  let body = intent.timestamps ? segs.map((s) => `[${formatTimestamp(s.start)}] ${s.text}`).join('\n') : clip.transcript;
  if (intent.speakerLabels) {
    // speaker-labelled lines from diarization; without it, the plain timed transcript and why there are no labels
    const labelled = withFacts(a, segs);
    clip.segments = labelled;
    const line = (s: SegmentData) => `[${formatTimestamp(s.start)}] ${s.speaker ? `${speakerName(s.speaker)}: ` : ''}${s.text}`;
    body = hasDiarization(a)
      ? labelled.map(line).join('\n')
      : `${diarizationUnavailable(a)} The transcript without speaker labels:\n${labelled.map(line).join('\n')}`;
  }
  const clampedNote = ranges.some((r) => r.clamped && !r.point && Number.isFinite(r.requestedEnd))
    ? `\n(The audio ends at ${formatTime(a.durationSec)}.)`
    : '';
  clip.answer = body + clampedNote + (note ? `\n${note}` : '');
}

/** Surface forms for stemmed keywords: the most frequent original word with that stem. */
function surfaceKeywords(wordLists: string[][], termLists: string[][], k: number): string[] {
  const top = topTerms(termLists, k);
  const wanted = new Set(top);
  const forms = new Map<string, Map<string, number>>();
  for (const ws of wordLists)
    for (const w of ws) {
      const s = stem(w);
      if (!wanted.has(s)) continue;
      const m = forms.get(s) ?? new Map<string, number>();
      m.set(w, (m.get(w) ?? 0) + 1);
      forms.set(s, m);
    }
  return top.map((t) => [...(forms.get(t)?.entries() ?? [])].sort((x, y) => y[1] - x[1])[0]?.[0] ?? t);
}

export function summaryAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
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
    const speech =
      status === 'not-analysed'
        ? `Speech was not analysed, so this summary covers sounds only: ${speechWarnings(a)}`
        : 'There is no speech in it.';
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
    // units, wordLists, termLists, vecs and scores are parallel (one entry per unit): index i is in range in each
    const ranked = units
      .map((u, i) => ({
        u,
        i,
        terms: termLists[i]!,
        vec: vecs[i]!,
        n: wordLists[i]!.length,
        s: scores[i]! * (termLists[i]!.length < 4 ? 0.5 : 1),
      }))
      .sort((x, y) => y.s - x.s || x.i - y.i);
    // greedy, skipping near-repeats of what is already picked (cosine > 0.6) and staying near 160 words
    const picked: ((typeof ranked)[number] & { set: Set<string> })[] = [];
    let budget = 160;
    for (const r of ranked.slice(0, 40 * k)) {
      if (picked.length >= k) break;
      const set = contentSet(r.terms);
      if (picked.some((p) => cosine(p.vec, r.vec) > 0.6 || jaccard(p.set, set) > 0.7)) continue;
      const { n } = r;
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

export function questionAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const status = speechStatus(a);
  const { ranges } = resolveRanges(intent.timeText, a);
  if (status !== 'transcribed') {
    const why =
      status === 'not-analysed'
        ? `Speech in this audio was not analysed, so I can't answer from what is said. ${speechWarnings(a)}`
        : 'There is no speech in this audio to answer from.';
    clip.answer = `${why} The sound classifier heard: ${heardList(a)}.`;
    return;
  }
  const segs = ranges.length
    ? ranges.flatMap((r) => sliceSegments(a, r))
    : a.segments.map((s) => ({ start: s.start, end: s.end, text: s.text.trim() }));
  const q = terms(intent.prompt);
  const scored = bm25(
    segs.map((s) => terms(s.text)),
    q,
  )
    .filter((s) => s.score > 0)
    .sort((x, y) => y.score - x.score)
    .slice(0, 3);
  if (!scored.length) {
    const allText = segs.map((s) => s.text).join(' ');
    clip.answer =
      words(allText).length <= 80
        ? `No passage of the transcript shares words with the question, and answering it needs reasoning the built-in answerer does not do. The whole transcript is: "${allText}"`
        : 'No passage of the transcript shares words with the question; answering it needs reasoning the built-in answerer does not do.';
    clip.segments = [];
    return;
  }
  const hits = scored.flatMap((s) => segs[s.index] ?? []).sort((x, y) => x.start - y.start);
  clip.segments = hits;
  for (const h of hits) g.push({ audioIndex: part.index, start: h.start, end: h.end });
  const quoted = hits.map((h) => `[${formatTimestamp(h.start)}–${formatTimestamp(h.end)}] "${h.text}"`).join('\n');
  clip.answer = `From the transcript (found by matching the question's words, not by reasoning), the relevant passage${hits.length > 1 ? 's are' : ' is'}:\n${quoted}`;
}
