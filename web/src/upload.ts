// Uploads: the file picker and drag-and-drop feed resumable uploads whose progress shows in the list and detail.
import { dom } from './dom.js';
import { schedulePoll } from './polling.js';
import { api } from './settings.js';
import { message, store, type Entry } from './state.js';
import { renderDetail, renderDetailState, select } from './views/detail.js';
import { dropRow, renderList, renderRow } from './views/file-list.js';

export function initUpload(): void {
  const { fileInput, drop } = dom;
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
}

async function startUpload(file: File, selectIt: boolean): Promise<void> {
  const tempKey = `local:${++store.localSeq}`;
  const entry: Entry = { key: tempKey, local: file, upload: { sent: 0, total: file.size } };
  store.entries.set(tempKey, entry);
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
        if (store.selected === entry.key) renderDetailState();
      }
    });
    // Re-key the entry under its remote name, keeping the local bytes for playback.
    store.entries.delete(tempKey);
    entry.key = remote.name;
    entry.remote = remote;
    entry.upload = undefined;
    store.entries.set(remote.name, entry);
    dropRow(tempKey);
    if (store.selected === tempKey) store.selected = remote.name;
    renderList();
    if (store.selected === remote.name) renderDetail();
    schedulePoll();
  } catch (err) {
    entry.upload = { sent: entry.upload?.sent ?? 0, total: file.size, error: message(err) };
    renderRow(entry);
    if (store.selected === entry.key) renderDetail();
  }
}
