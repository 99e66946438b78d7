// The selected file's detail: title, metadata, state and analysis progress, errors, the waveform and player
// of its local copy (or attaching one), warnings, and the transcript and sound views of its analysis.
import type { AudioAnalysis } from '../api.js';
import { dom, h } from '../dom.js';
import { bytes, clock, expiresIn } from '../format.js';
import { loadAnalysis } from '../polling.js';
import { message, selectedEntry, statusOf, store, type Entry } from '../state.js';
import { decodePeaks } from '../waveform.js';
import { waveRegions } from '../speakers.js';
import { renderAskState, resetAnswer } from './ask.js';
import { renderRow } from './file-list.js';
import { durationOf, setPlayerSource, wave } from './player.js';
import { renderSounds, renderSoundsPlaceholder } from './sounds.js';
import { renderTranscript, renderTranscriptPlaceholder } from './transcript.js';

/** The analysis the transcript and sound views show now (they are rebuilt only when it changes). */
let renderedAnalysisFor: AudioAnalysis | null = null;

export function initDetail(): void {
  const { attachInput } = dom;
  attachInput.addEventListener('change', () => {
    const file = attachInput.files?.[0];
    attachInput.value = '';
    const e = selectedEntry();
    if (!file || !e) return;
    e.local = file;
    e.peaks = undefined;
    e.peaksError = undefined;
    setPlayerSource(file);
    renderDetail();
  });
}

/** Selects an entry (or none): its row is marked, the answer cleared, its local copy loaded in the player. */
export function select(key: string | null): void {
  const prev = store.selected;
  store.selected = key;
  if (prev && store.entries.has(prev)) renderRow(store.entries.get(prev)!);
  if (key && store.entries.has(key)) renderRow(store.entries.get(key)!);
  if (prev !== key) {
    resetAnswer();
    setPlayerSource(key ? store.entries.get(key)?.local : undefined);
  }
  renderDetail();
  const e = selectedEntry();
  if (e?.remote?.state === 'ACTIVE' && !e.analysis && !e.analysisError) {
    void loadAnalysis(e).then(() => store.selected === e.key && renderDetail());
  }
}

function ensurePeaks(e: Entry): void {
  if (!e.local || e.peaks || e.peaksError) return;
  const job = decodePeaks(e.local).then(
    (p) => {
      e.peaks = p;
      return p;
    },
    (err) => {
      e.peaks = undefined;
      e.peaksError = `The browser could not decode this file for the waveform (${message(err)}).`;
      return null;
    },
  );
  e.peaks = job;
  void job.then(() => store.selected === e.key && renderDetail());
}

/** The state chip and the progress bar of the selected entry. */
export function renderDetailState(): void {
  const e = selectedEntry();
  if (!e) return;
  const { stateChip, progressBox, stageLabel, stagePct, stageBar } = dom;
  const st = statusOf(e);
  stateChip.textContent = st.label;
  stateChip.dataset.state = st.state;
  const showProgress = st.state === 'uploading' || st.state === 'processing';
  progressBox.hidden = !showProgress;
  if (showProgress) {
    stageLabel.textContent = st.state === 'uploading' ? 'Uploading' : `Analysing${e.progress?.stage ? ` · ${e.progress.stage}` : '…'}`;
    stagePct.textContent = st.fraction !== undefined ? `${Math.floor(st.fraction * 100)}%` : '';
    if (st.fraction !== undefined) stageBar.value = st.fraction;
    else stageBar.removeAttribute('value');
  }
}

export function renderDetail(): void {
  const { emptyView, body, detailTitle, meta, detailError, noLocal, player, canvas } = dom;
  const e = selectedEntry();
  emptyView.hidden = !!e;
  body.hidden = !e;
  if (!e) {
    detailTitle.textContent = 'No file selected';
    wave.set(null);
    renderedAnalysisFor = null;
    return;
  }
  const name = e.remote?.displayName || e.local?.name || 'audio';
  detailTitle.textContent = name;
  const parts = [
    e.remote?.mimeType ?? e.local?.type,
    bytes(e.remote?.sizeBytes ?? e.local?.size),
    e.analysis ? clock(e.analysis.durationSec, true) : '',
    e.analysis ? `${e.analysis.loudnessDb.toFixed(1)} dBFS` : '',
    expiresIn(e.remote?.expirationTime),
  ].filter(Boolean);
  meta.textContent = parts.join(' · ');
  renderDetailState();

  const errors = [
    e.upload?.error ? `Upload failed: ${e.upload.error}` : '',
    e.remote?.state === 'FAILED' ? `Processing failed: ${e.remote.error?.message ?? 'the server gave no reason.'}` : '',
    e.analysisError ? `Could not load the analysis: ${e.analysisError}` : '',
    e.peaksError ?? '',
  ].filter(Boolean);
  detailError.hidden = errors.length === 0;
  detailError.textContent = errors.join(' ');

  // waveform + player
  noLocal.hidden = !!e.local;
  player.hidden = !e.local;
  canvas.parentElement!.hidden = !e.local;
  if (e.local) {
    ensurePeaks(e);
    const p = e.peaks && !(e.peaks instanceof Promise) ? e.peaks : null;
    if (p && !wave.hasPeaks) wave.set(p);
    else if (!p && wave.hasPeaks) wave.set(null);
  } else if (wave.hasPeaks) {
    wave.set(null);
  }
  const dur = durationOf(e);
  dom.tTotal.textContent = dur ? clock(dur) : '';
  canvas.setAttribute('aria-valuemax', String(Math.round(dur)));

  if (e.analysis !== renderedAnalysisFor) {
    renderedAnalysisFor = e.analysis ?? null;
    renderAnalysis(e);
  }
  renderAskState(e);
}

function renderAnalysis(e: Entry): void {
  const a = e.analysis;
  dom.warnings.replaceChildren(...(a?.warnings ?? []).map((w) => h('li', { text: w })));
  wave.setRegions(a ? waveRegions(a) : []);
  dom.trEngine.textContent = a?.engines?.speech ? `by ${a.engines.speech}` : '';
  dom.sndEngine.textContent = a?.engines?.sounds ? `by ${a.engines.sounds}` : '';
  if (!a) {
    const waiting = e.remote?.state === 'FAILED' || e.upload?.error ? 'No analysis.' : 'Appears when processing is done.';
    renderTranscriptPlaceholder(waiting);
    renderSoundsPlaceholder(waiting);
    return;
  }
  renderTranscript(a);
  renderSounds(a);
}
