// Playback of the selected file's local copy: the audio element, the waveform (click to seek), the clock, and
// following the playhead in the transcript and the sound timeline.
import { dom } from '../dom.js';
import { clock } from '../format.js';
import { selectedEntry, type Entry } from '../state.js';
import { WaveformView } from '../waveform.js';
import { updatePlayhead } from './sounds.js';
import { highlightSegmentAt } from './transcript.js';

export const wave = new WaveformView(dom.canvas, (t) => seek(t, false));

let objectUrl: string | null = null;

/** Plays `file` (the user's local copy) in the player, or clears it. */
export function setPlayerSource(file: File | undefined): void {
  const { player } = dom;
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = file ? URL.createObjectURL(file) : null;
  if (objectUrl) player.src = objectUrl;
  else player.removeAttribute('src');
  player.load();
}

/** The entry's length: from its analysis, else its decoded peaks, else the player. */
export function durationOf(e: Entry): number {
  if (e.analysis) return e.analysis.durationSec;
  if (e.peaks && !(e.peaks instanceof Promise)) return e.peaks.duration;
  return Number.isFinite(dom.player.duration) ? dom.player.duration : 0;
}

/** Moves playback to `seconds` (and plays when `play`); without a local copy, points at the attach box. */
export function seek(seconds: number, play: boolean): void {
  const { player, noLocal } = dom;
  if (!selectedEntry()?.local) {
    noLocal.classList.remove('flash');
    void noLocal.offsetWidth;
    noLocal.classList.add('flash');
    return;
  }
  player.currentTime = seconds;
  wave.setTime(seconds);
  updateTime();
  if (play) void player.play().catch(() => undefined);
}

function updateTime(): void {
  const { player, canvas } = dom;
  const t = player.currentTime;
  dom.tNow.textContent = clock(t);
  canvas.setAttribute('aria-valuenow', String(Math.round(t)));
  canvas.setAttribute('aria-valuetext', clock(t));
  highlightSegmentAt(t, selectedEntry()?.analysis?.segments ?? [], !player.paused);
  updatePlayhead(player.currentTime);
}

export function initPlayer(): void {
  const { player } = dom;
  let raf = 0;
  const tick = () => {
    wave.setTime(player.currentTime);
    updateTime();
    raf = player.paused ? 0 : requestAnimationFrame(tick);
  };
  player.addEventListener('play', () => {
    if (!raf) raf = requestAnimationFrame(tick);
  });
  player.addEventListener('timeupdate', () => {
    if (!raf) {
      wave.setTime(player.currentTime);
      updateTime();
    }
  });
  player.addEventListener('loadedmetadata', () => {
    const e = selectedEntry();
    if (e) dom.tTotal.textContent = clock(durationOf(e));
  });
}
