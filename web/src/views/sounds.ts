// The sound timeline: one lane per detected label (strongest first, at most 12), each event a bar that plays
// from its start, a time axis and a playhead.
import type { AudioAnalysis } from '../api.js';
import { dom, h } from '../dom.js';
import { clock } from '../format.js';
import { selectedEntry } from '../state.js';
import { durationOf, seek } from './player.js';

const MAX_LANES = 12;

export function renderSoundsPlaceholder(placeholder: string): void {
  dom.sounds.replaceChildren(h('p', { class: 'placeholder', text: placeholder }));
}

export function renderSounds(a: AudioAnalysis): void {
  const { sounds } = dom;
  const dur = a.durationSec || Math.max(0, ...a.soundEvents.map((s) => s.end));
  if (a.soundEvents.length === 0 || dur <= 0) {
    renderSoundsPlaceholder('No sounds were detected.');
    return;
  }
  // One lane per label, labels ordered by their strongest event.
  const byLabel = new Map<string, typeof a.soundEvents>();
  for (const ev of a.soundEvents) {
    const list = byLabel.get(ev.label) ?? [];
    list.push(ev);
    byLabel.set(ev.label, list);
  }
  const lanes = [...byLabel.entries()].sort((x, y) => Math.max(...y[1].map((e) => e.score)) - Math.max(...x[1].map((e) => e.score)));
  const shown = lanes.slice(0, MAX_LANES);
  const pct = (t: number) => `${Math.min(100, Math.max(0, (t / dur) * 100)).toFixed(3)}%`;

  const rows = shown.map(([label, evs]) => {
    const track = h('div', { class: 'track' });
    for (const ev of evs) {
      const bar = h('button', {
        type: 'button',
        class: 'event',
        style: `left:${pct(ev.start)};width:max(4px, calc(${pct(ev.end)} - ${pct(ev.start)}));--score:${ev.score.toFixed(2)}`,
        'aria-label': `${label} from ${clock(ev.start, true)} to ${clock(ev.end, true)}, score ${Math.round(ev.score * 100)}%`,
        title: `${label} · ${clock(ev.start, true)}–${clock(ev.end, true)} · ${Math.round(ev.score * 100)}%`,
      });
      bar.addEventListener('click', () => seek(ev.start, true));
      track.append(bar);
    }
    return h('li', { class: 'lane' }, h('span', { class: 'lane-label', text: label, title: label }), track);
  });

  const ticks = h('div', { class: 'axis', 'aria-hidden': 'true' });
  const step = niceStep(dur);
  for (let t = 0; t <= dur + 1e-6; t += step) {
    ticks.append(h('span', { style: `left:${pct(t)}`, text: clock(t) }));
  }
  const more =
    lanes.length > MAX_LANES ? h('p', { class: 'muted small-text', text: `${lanes.length - MAX_LANES} more labels not shown.` }) : null;
  const playhead = h('div', { class: 'playhead', 'aria-hidden': 'true' });
  const axisRow = h('div', { class: 'lane axis-row' }, h('span', { class: 'lane-label' }), ticks);
  sounds.replaceChildren(h('div', { class: 'timeline' }, h('ol', { class: 'lanes' }, ...rows), axisRow, playhead), more ?? '');
  updatePlayhead(dom.player.currentTime);
}

function niceStep(dur: number): number {
  const target = dur / 5;
  for (const s of [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600]) if (s >= target) return s;
  return 3600;
}

/** Moves the timeline's playhead to `seconds` (hidden without a local copy to play). */
export function updatePlayhead(seconds: number): void {
  const e = selectedEntry();
  const head = dom.sounds.querySelector<HTMLDivElement>('.playhead');
  const dur = e ? durationOf(e) : 0;
  if (!head) return;
  head.hidden = !e?.local || dur <= 0;
  head.style.setProperty('--at', String(Math.min(1, seconds / (dur || 1))));
}
