// The transcript view: one row per segment with a timestamp button that plays from there, its speaker (a colour
// per speaker, with a legend) and language when the analysis has them, words under 50% confidence marked, and the
// segment being played highlighted.
import type { AudioAnalysis, TranscriptSegment } from '../api.js';
import { dom, h } from '../dom.js';
import { clock } from '../format.js';
import { seek } from './player.js';
import { languageBadge, segmentSpeaker, speakerColours, speakerLegend, speakerName, transcriptLanguages } from '../speakers.js';

let currentSeg = -1;

/** Shows `placeholder` instead of segments (no analysis yet, or none to come). */
export function renderTranscriptPlaceholder(placeholder: string): void {
  dom.transcript.replaceChildren(h('li', { class: 'placeholder', text: placeholder }));
  dom.speakers.replaceChildren();
  dom.speakers.hidden = true;
  dom.trLanguages.hidden = true;
}

/** The legend: one swatch per speaker with its speaking time; hidden when diarization did not run. */
function renderLegend(a: AudioAnalysis): void {
  const rows = speakerLegend(a);
  dom.speakers.replaceChildren(
    ...rows.map((r) =>
      h(
        'li',
        { class: 'speaker', 'data-speaker': r.label, style: `--spk: ${r.colour}`, title: r.label },
        h('span', { class: 'swatch', 'aria-hidden': 'true' }),
        `${r.name} · ${clock(r.seconds)}`,
      ),
    ),
  );
  dom.speakers.hidden = rows.length === 0;
  const langs = transcriptLanguages(a).map((code) => languageBadge({ language: code, start: 0, end: 0, text: '', words: [] })!.name);
  dom.trLanguages.textContent = langs.length ? `Language${langs.length > 1 ? 's' : ''}: ${langs.join(', ')}` : '';
  dom.trLanguages.hidden = langs.length === 0;
}

export function renderTranscript(a: AudioAnalysis): void {
  const { transcript } = dom;
  renderLegend(a);
  const colours = speakerColours(a);
  if (a.segments.length === 0) {
    transcript.replaceChildren(h('li', { class: 'placeholder', text: 'No speech was transcribed.' }));
    return;
  }
  transcript.replaceChildren(
    ...a.segments.map((s, i) => {
      const ts = h('button', {
        type: 'button',
        class: 'ts',
        'data-start': String(s.start),
        'aria-label': `Play from ${clock(s.start)}`,
        text: clock(s.start),
      });
      ts.addEventListener('click', () => seek(s.start, true));
      const text = h('p', { class: 'seg-text' });
      if (s.words.length > 0) {
        s.words.forEach((w, j) => {
          const span = h('span', { text: w.text });
          if (w.confidence !== undefined && w.confidence < 0.5) {
            span.className = 'low';
            span.title = `confidence ${Math.round(w.confidence * 100)}%`;
          }
          text.append(span, j < s.words.length - 1 ? ' ' : '');
        });
      } else {
        text.textContent = s.text;
      }
      const spk = segmentSpeaker(a, s);
      const lang = languageBadge(s);
      const tags =
        spk || lang
          ? h(
              'span',
              { class: 'seg-tags' },
              spk ? h('span', { class: 'spk', text: speakerName(spk), title: spk }) : null,
              lang ? h('span', { class: 'lang', text: lang.code, title: lang.name, lang: lang.code }) : null,
            )
          : null;
      const colour = spk ? colours.get(spk) : undefined;
      return h(
        'li',
        {
          class: spk ? 'seg has-speaker' : 'seg',
          'data-index': String(i),
          'data-speaker': spk,
          style: colour ? `--spk: ${colour}` : undefined,
        },
        ts,
        h('div', { class: 'seg-body' }, tags, text),
      );
    }),
  );
}

/** Marks the segment playing at `t` as current (scrolling to it while `follow`). */
export function highlightSegmentAt(t: number, segs: readonly TranscriptSegment[], follow: boolean): void {
  const { transcript } = dom;
  const idx = segs.findIndex((s) => t >= s.start && t < s.end);
  if (idx === currentSeg) return;
  transcript.querySelector('.seg.current')?.classList.remove('current');
  transcript.querySelector('.seg[aria-current]')?.removeAttribute('aria-current');
  const li = idx >= 0 ? transcript.querySelector<HTMLLIElement>(`.seg[data-index="${idx}"]`) : null;
  if (li) {
    li.classList.add('current');
    li.setAttribute('aria-current', 'true');
    if (follow) scrollIntoViewIfNeeded(li);
  }
  currentSeg = idx;
}

function scrollIntoViewIfNeeded(el: HTMLElement): void {
  const { transcript } = dom;
  const box = transcript.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (r.top < box.top || r.bottom > box.bottom) transcript.scrollTo({ top: el.offsetTop - transcript.offsetTop - 8, behavior: 'smooth' });
}
