// Polling of analysis progress: while any file is PROCESSING, its :analysis status (stage, fraction, result) is
// fetched every second and the list row and detail view follow it.
import { ApiError, type AnalysisStatus } from './api.js';
import { api } from './settings.js';
import { message, store, type Entry } from './state.js';
import { renderDetail } from './views/detail.js';
import { forget, renderRow } from './views/file-list.js';

const POLL_MS = 1000;
let pollTimer: number | undefined;

export function schedulePoll(): void {
  if (pollTimer !== undefined) return;
  pollTimer = window.setTimeout(poll, POLL_MS);
}

const processing = (e: Entry) => e.remote?.state === 'PROCESSING';

async function poll(): Promise<void> {
  pollTimer = undefined;
  await Promise.all([...store.entries.values()].filter(processing).map(pollOne));
  if ([...store.entries.values()].some(processing)) schedulePoll();
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
  if (store.selected === entry.key) {
    if (entry.remote.state === 'ACTIVE' && !entry.analysis) await loadAnalysis(entry);
    renderDetail();
  }
}

/** Fetches a settled file's analysis into its entry (or the reason it could not). */
export async function loadAnalysis(entry: Entry): Promise<void> {
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
