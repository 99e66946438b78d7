// The transcript view: one row per segment with a timestamp button that plays from there, words under 50%
// confidence marked, and the segment being played highlighted.
import type { AudioAnalysis, TranscriptSegment } from '../api.js';
import { dom, h } from '../dom.js';
import { clock } from '../format.js';
import { seek } from './player.js';

let currentSeg = -1;

/** Shows `placeholder` instead of segments (no analysis yet, or none to come). */
export function renderTranscriptPlaceholder(placeholder: string): void {
  dom.transcript.replaceChildren(h('li', { class: 'placeholder', text: placeholder }));
}

export function renderTranscript(a: AudioAnalysis): void {
  const { transcript } = dom;
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
      return h('li', { class: 'seg', 'data-index': String(i) }, ts, text);
    }),
  );
}

/** Marks the segment playing at `t` as current (scrolling to it while `follow`). */
export function highlightSegmentAt(t: number, segs: readonly TranscriptSegment[], follow: boolean): void {
  const { transcript } = dom;
  let idx = -1;
  for (let i = 0; i < segs.length; i++) {
    if (t >= segs[i].start && t < segs[i].end) {
      idx = i;
      break;
    }
  }
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
