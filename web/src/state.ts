// The playground's state in one store: the files it knows (uploads in flight and remote files), which one is
// selected, and the few handles shared between views; plus the status every view derives from an entry.
import { ApiError, type AudioAnalysis, type RemoteFile } from './api.js';
import type { Peaks } from './waveform.js';

export interface Entry {
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

export const store = {
  entries: new Map<string, Entry>(),
  /** key of the selected entry */
  selected: null as string | null,
  /** counter for the local keys of uploads in flight */
  localSeq: 0,
  /** the answer being streamed, if any */
  askController: null as AbortController | null,
};

/** The selected entry, if any. */
export function selectedEntry(): Entry | undefined {
  return store.selected ? store.entries.get(store.selected) : undefined;
}

export const message = (err: unknown) => (err instanceof ApiError || err instanceof Error ? err.message : String(err));

export interface StatusView {
  state: 'uploading' | 'processing' | 'active' | 'failed';
  label: string;
  fraction?: number;
}

/** What an entry is doing, as the list row and the detail header show it. */
export function statusOf(e: Entry): StatusView {
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
