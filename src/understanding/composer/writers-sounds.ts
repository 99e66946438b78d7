// Answer writers about what is heard and when: description, sound list, when something starts or stops,
// whether something is present, and how often it happens.

import type { Intent } from '../intent.js';
import type { AudioPart, ClipAnswer, Grounding } from '../types.js';
import { formatTime } from '../time-references.js';
import { proseLabel } from '../labels.js';
import {
  SOUND_MERGE_GAP,
  allWords,
  findSpoken,
  inRange,
  mergeEvents,
  norm,
  resolveRanges,
  segmentAround,
  sliceSegments,
  soundSummary,
  soundsData,
  speechSeconds,
  speechStatus,
} from './queries.js';
import { languageName } from '../../domain/languages.js';
import {
  briefSpeech,
  capitalise,
  describeSounds,
  heardList,
  joinList,
  overviewSentence,
  secondsPhrase,
  speechWarnings,
  stretchList,
  subjectName,
  uniq,
} from './prose.js';

export function descriptionAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const status = speechStatus(a);
  const { ranges } = resolveRanges(intent.timeText, a);
  const range = ranges.length ? { start: Math.min(...ranges.map((r) => r.start)), end: Math.max(...ranges.map((r) => r.end)) } : undefined;
  const out: string[] = [overviewSentence(a)];
  if (status === 'transcribed') {
    const lang = a.language ? ` in ${languageName(a.language)}` : '';
    const said = range
      ? sliceSegments(a, range)
          .map((s) => s.text)
          .join(' ')
      : briefSpeech(a);
    if (said) out.push(`The speech${lang} says: "${said}"`);
    const [firstSeg] = a.segments;
    const lastSeg = a.segments.at(-1);
    if (firstSeg && lastSeg) g.push({ audioIndex: part.index, start: firstSeg.start, end: lastSeg.end });
  } else if (status === 'not-analysed') {
    if (a.speechRegions.length)
      out.push(`Speech was detected in ${a.speechRegions.length} stretch${a.speechRegions.length === 1 ? '' : 'es'} but not transcribed.`);
    out.push(speechWarnings(a));
  }
  const sums = soundSummary(a, range);
  const sounds = describeSounds(sums);
  if (sounds) out.push(sounds);
  else
    out.push(
      a.soundEvents.length
        ? 'Apart from speech, the sound classifier found no distinct sounds.'
        : 'The sound classifier found no distinct sounds.',
    );
  for (const s of sums.slice(0, 5)) for (const st of s.stretches) g.push({ audioIndex: part.index, start: st.start, end: st.end });
  if (a.loudnessDb < -45 && Number.isFinite(a.loudnessDb)) out.push(`It is very quiet (${Math.round(a.loudnessDb)} dBFS on average).`);
  clip.description = out.join(' ');
  clip.sounds = soundsData(a, new Set(sums.map((s) => s.label)), range);
  clip.answer = clip.description;
}

export function soundsAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
  const a = part.analysis;
  const sums = soundSummary(a);
  clip.sounds = soundsData(a, new Set(sums.map((s) => s.label)));
  for (const s of sums.slice(0, 5)) for (const st of s.stretches) g.push({ audioIndex: part.index, start: st.start, end: st.end });
  const [top] = sums; // the strongest detection
  if (!top) {
    clip.answer =
      speechStatus(a) === 'transcribed' || a.speechRegions.length
        ? 'The sound classifier heard only speech in this audio, no other distinct sounds.'
        : 'The sound classifier found no distinct sounds in this audio.';
    return;
  }
  clip.answer = `The sound classifier's strongest detection is ${top.label} (peak score ${top.peak.toFixed(2)}). ${describeSounds(sums)}`;
}

export function timeAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
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
    const [first] = occ;
    if (!first) {
      clip.answer = `${capitalise(subjectName(intent))} is not said in the transcript.`;
      clip.present = false;
      clip.count = 0;
      return;
    }
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
    const [label] = s.labels;
    what = `The ${s.phrase || (label ? proseLabel(label) : 'sound')}`;
  }
  const [first] = stretches;
  const last = stretches.at(-1);
  if (!first || !last) {
    clip.answer = s.speech
      ? 'No speech was detected in this audio.'
      : s.labels.length
        ? `${what} is not detected in this audio (looked for ${joinList(s.labels.slice(0, 6))}); the sound classifier heard: ${heardList(a)}.`
        : `"${s.phrase}" matches none of the sound classifier's labels; it heard: ${heardList(a)}.`;
    clip.present = false;
    return;
  }
  clip.present = true;
  clip.count = stretches.length;
  clip.segments = stretches.map((x) => ({ start: x.start, end: x.end, text: what }));
  for (const x of stretches) g.push({ audioIndex: part.index, start: x.start, end: x.end });
  const matched = s.speech
    ? ''
    : ` (detected as ${joinList(uniq(a.soundEvents.filter((e) => s.labels.includes(e.label) && e.start < first.end + SOUND_MERGE_GAP && e.end > first.start - SOUND_MERGE_GAP).map((e) => e.label)))})`;
  let main: string;
  if (edge === 'end') {
    clip.time = last.end;
    main = `${what}${matched} stops at ${formatTime(last.end, true)}${stretches.length > 1 ? ` (its last stretch runs from ${formatTime(last.start, true)})` : ''}.`;
  } else if (edge === 'duration') {
    clip.time = first.start;
    const total = stretches.reduce((t, x) => t + x.end - x.start, 0);
    main = `${what}${matched} lasts ${secondsPhrase(total)} in total${stretches.length > 1 ? ` over ${stretches.length} stretches` : ''}, from ${formatTime(first.start, true)} to ${formatTime(last.end, true)}.`;
  } else {
    clip.time = first.start;
    main = `${what}${matched} starts at ${formatTime(first.start, true)} and lasts until ${formatTime(first.end, true)}.`;
  }
  const more = stretches.length > 1 ? ` It is heard ${stretches.length} times: ${stretchList(stretches)}.` : '';
  clip.answer = main + more;
}

export function presenceAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
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
    if (/\b(?:man|woman|men|women|male|female|child|girl|boy)\b/i.test(s.phrase))
      clip.answer += " (The analysis does not tell voices apart, so I can't say who is speaking.)";
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

export function countAnswer(intent: Intent, part: AudioPart, clip: ClipAnswer, g: Grounding[]): void {
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
