// The playground page: wires uploads, the file list, the selected file's waveform, player, transcript,
// sound timeline and the streaming ask box to Earshot's public HTTP API.
import './style.css';
import { ApiError, EarshotClient, fileId, type AnalysisStatus, type AudioAnalysis, type RemoteFile } from './api.js';
import { bytes, clock, expiresIn } from './format.js';
import { decodePeaks, WaveformView, type Peaks } from './waveform.js';

// ---------- state ----------

interface Entry {
  /** remote name ("files/abc") once known, else a local id for an upload in flight */
  key: string;
  remote?: RemoteFile;
  local?: File;
  upload?: { sent: number; total: number; error?: string };
  progress?: { stage: string; fraction: number };
  analysis?: AudioAnalysis;
  analysisError?: string;
  peaks?: Peaks | Promise<Peaks | null>;
  peaksError?: string;
  /** set by a delete that is waiting for its confirmation click */
  confirmUntil?: number;
}

const KEY_STORAGE = 'earshot.apiKey';
const MODEL_STORAGE = 'earshot.model';
const POLL_MS = 1000;

const entries = new Map<string, Entry>();
let selected: string | null = null;
let localSeq = 0;

const $ = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
};

const keyInput = $<HTMLInputElement>('api-key');
const keyToggle = $<HTMLButtonElement>('key-toggle');
const fileInput = $<HTMLInputElement>('file-input');
const drop = $<HTMLDivElement>('drop');
const filesList = $<HTMLUListElement>('files');
const filesStatus = $<HTMLParagraphElement>('files-status');
const refreshBtn = $<HTMLButtonElement>('refresh');
const detail = $<HTMLElement>('detail');
const detailTitle = $<HTMLHeadingElement>('detail-h');
const emptyView = $<HTMLDivElement>('empty');
const body = $<HTMLDivElement>('detail-body');
const meta = $<HTMLParagraphElement>('detail-meta');
const stateChip = $<HTMLParagraphElement>('detail-state');
const progressBox = $<HTMLDivElement>('analysis-progress');
const stageLabel = $<HTMLSpanElement>('stage-label');
const stagePct = $<HTMLSpanElement>('stage-pct');
const stageBar = $<HTMLProgressElement>('stage-bar');
const detailError = $<HTMLParagraphElement>('detail-error');
const canvas = $<HTMLCanvasElement>('wave');
const tNow = $<HTMLSpanElement>('t-now');
const tTotal = $<HTMLSpanElement>('t-total');
const player = $<HTMLAudioElement>('player');
const noLocal = $<HTMLDivElement>('no-local');
const attachInput = $<HTMLInputElement>('attach-input');
const warnings = $<HTMLUListElement>('warnings');
const transcript = $<HTMLOListElement>('transcript');
const trEngine = $<HTMLSpanElement>('tr-engine');
const sounds = $<HTMLDivElement>('sounds');
const sndEngine = $<HTMLSpanElement>('snd-engine');
const askForm = $<HTMLFormElement>('ask-form');
const question = $<HTMLTextAreaElement>('question');
const modelInput = $<HTMLInputElement>('model');
const askBtn = $<HTMLButtonElement>('ask-btn');
const askStop = $<HTMLButtonElement>('ask-stop');
const answer = $<HTMLDivElement>('answer');

const api = new EarshotClient(() => keyInput.value.trim());

// ---------- small DOM helper ----------

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v);
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

const message = (err: unknown) =>
  err instanceof ApiError || err instanceof Error ? err.message : String(err);

// ---------- API key ----------

keyInput.value = localStorage.getItem(KEY_STORAGE) ?? '';
modelInput.value = localStorage.getItem(MODEL_STORAGE) ?? modelInput.value;
keyInput.addEventListener('change', () => {
  localStorage.setItem(KEY_STORAGE, keyInput.value.trim());
  void refreshList();
});
$<HTMLFormElement>('key-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  keyInput.dispatchEvent(new Event('change'));
});
keyToggle.addEventListener('click', () => {
  const show = keyInput.type === 'password';
  keyInput.type = show ? 'text' : 'password';
  keyToggle.textContent = show ? 'Hide' : 'Show';
  keyToggle.setAttribute('aria-pressed', String(show));
});
modelInput.addEventListener('change', () => localStorage.setItem(MODEL_STORAGE, modelInput.value.trim()));

// ---------- uploads ----------

fileInput.addEventListener('change', () => {
  const files = [...(fileInput.files ?? [])];
  fileInput.value = '';
  files.forEach((f, i) => void startUpload(f, i === 0));
});

for (const type of ['dragenter', 'dragover'] as const) {
  drop.addEventListener(type, (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop'] as const) {
  drop.addEventListener(type, (e) => {
    e.preventDefault();
    if (type === 'dragleave' && drop.contains(e.relatedTarget as Node | null)) return;
    drop.classList.remove('over');
  });
}
drop.addEventListener('drop', (e) => {
  const files = [...(e.dataTransfer?.files ?? [])];
  files.forEach((f, i) => void startUpload(f, i === 0));
});
// Dropping a file anywhere else must not navigate away from the page.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

async function startUpload(file: File, selectIt: boolean): Promise<void> {
  const tempKey = `local:${++localSeq}`;
  const entry: Entry = { key: tempKey, local: file, upload: { sent: 0, total: file.size } };
  entries.set(tempKey, entry);
  if (selectIt) select(tempKey);
  renderList();
  try {
    let last = 0;
    const remote = await api.upload(file, (sent, total) => {
      entry.upload = { sent, total };
      const now = performance.now();
      if (now - last > 80 || sent === total) {
        last = now;
        renderRow(entry);
        if (selected === entry.key) renderDetailState();
      }
    });
    // Re-key the entry under its remote name, keeping the local bytes for playback.
    entries.delete(tempKey);
    entry.key = remote.name;
    entry.remote = remote;
    entry.upload = undefined;
    entries.set(remote.name, entry);
    rowCache.get(tempKey)?.remove();
    rowCache.delete(tempKey);
    if (selected === tempKey) selected = remote.name;
    renderList();
    if (selected === remote.name) renderDetail();
    schedulePoll();
  } catch (err) {
    entry.upload = { sent: entry.upload?.sent ?? 0, total: file.size, error: message(err) };
    renderRow(entry);
    if (selected === entry.key) renderDetail();
  }
}

// ---------- polling ----------

let pollTimer: number | undefined;

function schedulePoll(): void {
  if (pollTimer !== undefined) return;
  pollTimer = window.setTimeout(poll, POLL_MS);
}

async function poll(): Promise<void> {
  pollTimer = undefined;
  const pending = [...entries.values()].filter((e) => e.remote?.state === 'PROCESSING');
  await Promise.all(pending.map(pollOne));
  if ([...entries.values()].some((e) => e.remote?.state === 'PROCESSING')) schedulePoll();
}

async function pollOne(entry: Entry): Promise<void> {
  if (!entry.remote) return;
  let status: AnalysisStatus;
  try {
    status = await api.getAnalysis(entry.remote.name);
  } catch (err) {
    // The extension may be missing on a plain Gemini-compatible server: fall back to the File's state.
    if (err instanceof ApiError && err.status === 404) {
      try {
        entry.remote = await api.getFile(entry.remote.name);
      } catch (e2) {
        if (e2 instanceof ApiError && e2.status === 404) return forget(entry.key);
      }
    }
    renderRow(entry);
    return;
  }
  entry.progress = status.progress;
  if (status.analysis) entry.analysis = status.analysis;
  if (status.state !== entry.remote.state) {
    try {
      entry.remote = await api.getFile(entry.remote.name);
    } catch {
      entry.remote = { ...entry.remote, state: status.state };
    }
  }
  renderRow(entry);
  if (selected === entry.key) {
    if (entry.remote.state === 'ACTIVE' && !entry.analysis) await loadAnalysis(entry);
    renderDetail();
  }
}

async function loadAnalysis(entry: Entry): Promise<void> {
  if (!entry.remote) return;
  try {
    const status = await api.getAnalysis(entry.remote.name);
    entry.progress = status.progress;
    if (status.analysis) entry.analysis = status.analysis;
    entry.analysisError = undefined;
  } catch (err) {
    entry.analysisError = message(err);
  }
}

// ---------- file list ----------

refreshBtn.addEventListener('click', () => void refreshList());

async function refreshList(): Promise<void> {
  filesStatus.textContent = 'Loading…';
  filesStatus.classList.remove('error');
  try {
    const files = await api.listFiles();
    const seen = new Set<string>();
    for (const f of files) {
      seen.add(f.name);
      const e = entries.get(f.name);
      if (e) e.remote = f;
      else entries.set(f.name, { key: f.name, remote: f });
    }
    for (const [key, e] of entries) {
      if (e.remote && !seen.has(key)) forget(key, false);
    }
    filesStatus.textContent = files.length === 0 ? 'No files yet. Upload one above.' : '';
    renderList();
    if (selected) renderDetail();
    schedulePoll();
  } catch (err) {
    filesStatus.textContent = `Could not list files: ${message(err)}`;
    filesStatus.classList.add('error');
  }
}

function forget(key: string, render = true): void {
  entries.delete(key);
  rowCache.get(key)?.remove();
  rowCache.delete(key);
  if (selected === key) select(null);
  if (render) renderList();
}

function sortedEntries(): Entry[] {
  const time = (e: Entry) => (e.remote?.createTime ? Date.parse(e.remote.createTime) : Infinity);
  return [...entries.values()].sort((a, b) => time(b) - time(a) || a.key.localeCompare(b.key));
}

const rowCache = new Map<string, HTMLLIElement>();

function renderList(): void {
  const list = sortedEntries();
  list.forEach((e, i) => {
    const row = renderRow(e);
    if (filesList.children[i] !== row) filesList.insertBefore(row, filesList.children[i] ?? null);
  });
  while (filesList.children.length > list.length) filesList.lastElementChild?.remove();
  if (list.length > 0 && filesStatus.textContent?.startsWith('No files')) filesStatus.textContent = '';
}

interface StatusView {
  state: 'uploading' | 'processing' | 'active' | 'failed';
  label: string;
  fraction?: number;
}

function statusOf(e: Entry): StatusView {
  if (e.upload) {
    if (e.upload.error) return { state: 'failed', label: `Upload failed: ${e.upload.error}` };
    const f = e.upload.total > 0 ? e.upload.sent / e.upload.total : 1;
    return { state: 'uploading', label: `Uploading ${Math.floor(f * 100)}%`, fraction: f };
  }
  const s = e.remote?.state;
  if (s === 'ACTIVE') return { state: 'active', label: 'Active' };
  if (s === 'FAILED') return { state: 'failed', label: `Failed: ${e.remote?.error?.message ?? 'no reason given'}` };
  const stage = e.progress?.stage ? ` · ${e.progress.stage}` : '';
  const frac = e.progress?.fraction;
  const pct = frac !== undefined ? ` ${Math.floor(frac * 100)}%` : '';
  return { state: 'processing', label: `Processing${stage}${pct}`, fraction: frac };
}

function renderRow(e: Entry): HTMLLIElement {
  let row = rowCache.get(e.key);
  if (!row) {
    row = h('li', { class: 'file' });
    const open = h('button', { type: 'button', class: 'file-open' }, h('span', { class: 'file-name' }), h('span', { class: 'file-meta' }));
    const status = h('div', { class: 'file-status' }, h('span', { class: 'chip' }), h('progress', { max: '1' }));
    const del = h('button', { type: 'button', class: 'ghost small danger file-delete' });
    row.append(open, status, del);
    open.addEventListener('click', () => {
      const k = row!.dataset.key!;
      select(k);
      if (window.matchMedia('(max-width: 860px)').matches) detail.scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
    del.addEventListener('click', () => void onDelete(row!.dataset.key!));
    rowCache.set(e.key, row);
  }
  row.dataset.key = e.key;
  const name = e.remote?.displayName || e.local?.name || e.remote?.name || 'audio';
  const st = statusOf(e);
  row.dataset.state = st.state;
  row.classList.toggle('selected', selected === e.key);
  const open = row.querySelector<HTMLButtonElement>('.file-open')!;
  open.setAttribute('aria-current', selected === e.key ? 'true' : 'false');
  open.setAttribute('aria-label', `Open ${name}`);
  row.querySelector('.file-name')!.textContent = name;
  const size = bytes(e.remote?.sizeBytes ?? e.local?.size);
  const exp = expiresIn(e.remote?.expirationTime);
  const metaParts = [size, exp, e.remote ? fileId(e.remote.name) : ''].filter(Boolean);
  row.querySelector('.file-meta')!.textContent = metaParts.join(' · ');
  const chip = row.querySelector<HTMLSpanElement>('.chip')!;
  chip.textContent = st.label;
  chip.dataset.state = st.state;
  const bar = row.querySelector('progress')!;
  bar.hidden = st.state !== 'uploading' && st.state !== 'processing';
  if (st.fraction !== undefined) bar.value = st.fraction;
  else bar.removeAttribute('value');
  bar.setAttribute('aria-label', `${name}: ${st.label}`);
  const del = row.querySelector<HTMLButtonElement>('.file-delete')!;
  const confirming = (e.confirmUntil ?? 0) > Date.now();
  del.hidden = !!e.upload && !e.upload.error;
  del.textContent = e.upload?.error ? 'Dismiss' : confirming ? 'Confirm delete' : 'Delete';
  del.classList.toggle('confirming', confirming);
  del.setAttribute('aria-label', e.upload?.error ? `Dismiss ${name}` : confirming ? `Confirm: delete ${name}` : `Delete ${name}`);
  return row;
}

async function onDelete(key: string): Promise<void> {
  const e = entries.get(key);
  if (!e) return;
  if (!e.remote) return forget(key);
  if ((e.confirmUntil ?? 0) <= Date.now()) {
    e.confirmUntil = Date.now() + 4000;
    renderRow(e);
    setTimeout(() => renderRow(e), 4100);
    return;
  }
  e.confirmUntil = undefined;
  const row = rowCache.get(key);
  row?.classList.add('busy');
  try {
    await api.deleteFile(e.remote.name);
    forget(key);
    filesStatus.classList.remove('error');
    filesStatus.textContent = `Deleted ${e.remote.displayName ?? e.remote.name}.`;
    if (entries.size === 0) filesStatus.textContent += ' No files left.';
  } catch (err) {
    row?.classList.remove('busy');
    filesStatus.textContent = `Could not delete: ${message(err)}`;
    filesStatus.classList.add('error');
    renderRow(e);
  }
}

// ---------- the selected file ----------

let objectUrl: string | null = null;
const wave = new WaveformView(canvas, (t) => seek(t, false));

function select(key: string | null): void {
  const prev = selected;
  selected = key;
  if (prev && entries.has(prev)) renderRow(entries.get(prev)!);
  if (key && entries.has(key)) renderRow(entries.get(key)!);
  if (prev !== key) {
    answer.hidden = true;
    answer.textContent = '';
    setPlayerSource(key ? entries.get(key)?.local : undefined);
  }
  renderDetail();
  const e = key ? entries.get(key) : undefined;
  if (e?.remote?.state === 'ACTIVE' && !e.analysis && !e.analysisError) {
    void loadAnalysis(e).then(() => selected === e.key && renderDetail());
  }
}

function setPlayerSource(file: File | undefined): void {
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = file ? URL.createObjectURL(file) : null;
  if (objectUrl) player.src = objectUrl;
  else player.removeAttribute('src');
  player.load();
}

attachInput.addEventListener('change', () => {
  const file = attachInput.files?.[0];
  attachInput.value = '';
  const e = selected ? entries.get(selected) : undefined;
  if (!file || !e) return;
  e.local = file;
  e.peaks = undefined;
  e.peaksError = undefined;
  setPlayerSource(file);
  renderDetail();
});

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
  void job.then(() => selected === e.key && renderDetail());
}

function durationOf(e: Entry): number {
  if (e.analysis) return e.analysis.durationSec;
  if (e.peaks && !(e.peaks instanceof Promise)) return e.peaks.duration;
  return Number.isFinite(player.duration) ? player.duration : 0;
}

function renderDetailState(): void {
  const e = selected ? entries.get(selected) : undefined;
  if (!e) return;
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

let renderedAnalysisFor: AudioAnalysis | null = null;

function renderDetail(): void {
  const e = selected ? entries.get(selected) : undefined;
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
  tTotal.textContent = dur ? clock(dur) : '';
  canvas.setAttribute('aria-valuemax', String(Math.round(dur)));

  if (e.analysis !== renderedAnalysisFor) {
    renderedAnalysisFor = e.analysis ?? null;
    renderAnalysis(e);
  }
  const active = e.remote?.state === 'ACTIVE';
  askBtn.disabled = !active || askController !== null;
  askBtn.title = active ? '' : 'The file must be Active before you can ask about it.';
}

function renderAnalysis(e: Entry): void {
  const a = e.analysis;
  warnings.replaceChildren(...(a?.warnings ?? []).map((w) => h('li', { text: w })));
  wave.setRegions(a?.speechRegions ?? []);
  trEngine.textContent = a?.engines?.speech ? `by ${a.engines.speech}` : '';
  sndEngine.textContent = a?.engines?.sounds ? `by ${a.engines.sounds}` : '';

  if (!a) {
    const waiting = e.remote?.state === 'FAILED' || e.upload?.error ? 'No analysis.' : 'Appears when processing is done.';
    transcript.replaceChildren(h('li', { class: 'placeholder', text: waiting }));
    sounds.replaceChildren(h('p', { class: 'placeholder', text: waiting }));
    return;
  }

  if (a.segments.length === 0) {
    transcript.replaceChildren(h('li', { class: 'placeholder', text: 'No speech was transcribed.' }));
  } else {
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
  renderSounds(a);
}

function renderSounds(a: AudioAnalysis): void {
  const dur = a.durationSec || Math.max(0, ...a.soundEvents.map((s) => s.end));
  if (a.soundEvents.length === 0 || dur <= 0) {
    sounds.replaceChildren(h('p', { class: 'placeholder', text: 'No sounds were detected.' }));
    return;
  }
  // One lane per label, labels ordered by their strongest event.
  const byLabel = new Map<string, typeof a.soundEvents>();
  for (const ev of a.soundEvents) {
    const list = byLabel.get(ev.label) ?? [];
    list.push(ev);
    byLabel.set(ev.label, list);
  }
  const lanes = [...byLabel.entries()].sort(
    (x, y) => Math.max(...y[1].map((e) => e.score)) - Math.max(...x[1].map((e) => e.score)),
  );
  const MAX_LANES = 12;
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
  const more = lanes.length > MAX_LANES ? h('p', { class: 'muted small-text', text: `${lanes.length - MAX_LANES} more labels not shown.` }) : null;
  const playhead = h('div', { class: 'playhead', 'aria-hidden': 'true' });
  const axisRow = h('div', { class: 'lane axis-row' }, h('span', { class: 'lane-label' }), ticks);
  sounds.replaceChildren(h('div', { class: 'timeline' }, h('ol', { class: 'lanes' }, ...rows), axisRow, playhead), more ?? '');
  updatePlayhead();
}

function niceStep(dur: number): number {
  const target = dur / 5;
  for (const s of [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600]) if (s >= target) return s;
  return 3600;
}

// ---------- playback ----------

function seek(seconds: number, play: boolean): void {
  const e = selected ? entries.get(selected) : undefined;
  if (!e?.local) {
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

let currentSeg = -1;

function updateTime(): void {
  const t = player.currentTime;
  tNow.textContent = clock(t);
  canvas.setAttribute('aria-valuenow', String(Math.round(t)));
  canvas.setAttribute('aria-valuetext', clock(t));
  const e = selected ? entries.get(selected) : undefined;
  const segs = e?.analysis?.segments ?? [];
  let idx = -1;
  for (let i = 0; i < segs.length; i++) {
    if (t >= segs[i].start && t < segs[i].end) {
      idx = i;
      break;
    }
  }
  if (idx !== currentSeg) {
    transcript.querySelector('.seg.current')?.classList.remove('current');
    transcript.querySelector('.seg[aria-current]')?.removeAttribute('aria-current');
    const li = idx >= 0 ? transcript.querySelector<HTMLLIElement>(`.seg[data-index="${idx}"]`) : null;
    if (li) {
      li.classList.add('current');
      li.setAttribute('aria-current', 'true');
      if (!player.paused) scrollIntoViewIfNeeded(li);
    }
    currentSeg = idx;
  }
  updatePlayhead();
}

function updatePlayhead(): void {
  const e = selected ? entries.get(selected) : undefined;
  const head = sounds.querySelector<HTMLDivElement>('.playhead');
  const dur = e ? durationOf(e) : 0;
  if (!head) return;
  head.hidden = !e?.local || dur <= 0;
  head.style.setProperty('--at', String(Math.min(1, player.currentTime / (dur || 1))));
}

function scrollIntoViewIfNeeded(el: HTMLElement): void {
  const box = transcript.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (r.top < box.top || r.bottom > box.bottom) transcript.scrollTo({ top: el.offsetTop - transcript.offsetTop - 8, behavior: 'smooth' });
}

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
  const e = selected ? entries.get(selected) : undefined;
  if (e) tTotal.textContent = clock(durationOf(e));
});

// ---------- ask ----------

let askController: AbortController | null = null;

askForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  void ask();
});
question.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && (ev.metaKey || ev.ctrlKey)) {
    ev.preventDefault();
    askForm.requestSubmit();
  }
});
askStop.addEventListener('click', () => askController?.abort());

async function ask(): Promise<void> {
  const e = selected ? entries.get(selected) : undefined;
  const q = question.value.trim();
  if (!e?.remote || !q || askController) return;
  if (e.remote.state !== 'ACTIVE') {
    answer.hidden = false;
    answer.className = 'answer error';
    answer.textContent = 'Wait until the file is Active, then ask again.';
    return;
  }
  const controller = new AbortController();
  askController = controller;
  askBtn.disabled = true;
  askStop.hidden = false;
  answer.hidden = false;
  answer.className = 'answer streaming';
  answer.setAttribute('aria-busy', 'true');
  answer.textContent = '';
  const out = document.createTextNode('');
  answer.append(out);
  try {
    await api.ask(modelInput.value.trim() || 'gemini-2.5-flash', e.remote, q, (text) => out.appendData(text), controller.signal);
    if (!out.data.trim()) answer.append(h('span', { class: 'muted', text: '(The model returned no text.)' }));
    answer.className = 'answer done';
  } catch (err) {
    if (controller.signal.aborted) {
      answer.append(h('span', { class: 'muted', text: out.data ? ' — stopped.' : 'Stopped.' }));
      answer.className = 'answer done';
    } else {
      answer.className = 'answer error';
      answer.append(h('span', { text: `${out.data ? '\n' : ''}Could not answer: ${message(err)}` }));
    }
  } finally {
    answer.removeAttribute('aria-busy');
    askController = null;
    askStop.hidden = true;
    renderDetail();
  }
}

// ---------- start ----------

setInterval(() => {
  for (const e of entries.values()) renderRow(e);
  if (selected) renderDetail();
}, 60_000);

renderDetail();
void refreshList();
