// The file list: one row per upload or remote file (name, size, expiry, status, progress, delete with a
// confirming second click), kept in step with the server's files.list.
import { fileId } from '../api.js';
import { dom, h } from '../dom.js';
import { bytes, expiresIn } from '../format.js';
import { schedulePoll } from '../polling.js';
import { api } from '../settings.js';
import { message, statusOf, store, type Entry } from '../state.js';
import { renderDetail, select } from './detail.js';

/** The row element of each entry, by key, reused across renders. */
const rowCache = new Map<string, HTMLLIElement>();

export function initFileList(): void {
  dom.refreshBtn.addEventListener('click', () => void refreshList());
}

export async function refreshList(): Promise<void> {
  const { filesStatus } = dom;
  filesStatus.textContent = 'Loading…';
  filesStatus.classList.remove('error');
  try {
    const files = await api.listFiles();
    const seen = new Set<string>();
    for (const f of files) {
      seen.add(f.name);
      const e = store.entries.get(f.name);
      if (e) e.remote = f;
      else store.entries.set(f.name, { key: f.name, remote: f });
    }
    for (const [key, e] of store.entries) {
      if (e.remote && !seen.has(key)) forget(key, false);
    }
    filesStatus.textContent = files.length === 0 ? 'No files yet. Upload one above.' : '';
    renderList();
    if (store.selected) renderDetail();
    schedulePoll();
  } catch (err) {
    filesStatus.textContent = `Could not list files: ${message(err)}`;
    filesStatus.classList.add('error');
  }
}

/** Removes an entry's row element (the entry itself stays). */
export function dropRow(key: string): void {
  rowCache.get(key)?.remove();
  rowCache.delete(key);
}

/** Forgets an entry: its row goes, and the selection if it was selected. */
export function forget(key: string, render = true): void {
  store.entries.delete(key);
  dropRow(key);
  if (store.selected === key) select(null);
  if (render) renderList();
}

function sortedEntries(): Entry[] {
  const time = (e: Entry) => (e.remote?.createTime ? Date.parse(e.remote.createTime) : Infinity);
  return [...store.entries.values()].sort((a, b) => time(b) - time(a) || a.key.localeCompare(b.key));
}

export function renderList(): void {
  const { filesList, filesStatus } = dom;
  const list = sortedEntries();
  list.forEach((e, i) => {
    const row = renderRow(e);
    if (filesList.children[i] !== row) filesList.insertBefore(row, filesList.children[i] ?? null);
  });
  while (filesList.children.length > list.length) filesList.lastElementChild?.remove();
  if (list.length > 0 && filesStatus.textContent?.startsWith('No files')) filesStatus.textContent = '';
}

/** Brings an entry's row up to date, creating it on first use. */
export function renderRow(e: Entry): HTMLLIElement {
  let row = rowCache.get(e.key);
  if (!row) {
    const li = h('li', { class: 'file' });
    const open = h('button', { type: 'button', class: 'file-open' }, h('span', { class: 'file-name' }), h('span', { class: 'file-meta' }));
    const status = h('div', { class: 'file-status' }, h('span', { class: 'chip' }), h('progress', { max: '1' }));
    const del = h('button', { type: 'button', class: 'ghost small danger file-delete' });
    li.append(open, status, del);
    open.addEventListener('click', () => {
      select(li.dataset.key!);
      if (window.matchMedia('(max-width: 860px)').matches) dom.detail.scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
    del.addEventListener('click', () => void onDelete(li.dataset.key!));
    rowCache.set(e.key, li);
    row = li;
  }
  row.dataset.key = e.key;
  const name = e.remote?.displayName || e.local?.name || e.remote?.name || 'audio';
  const st = statusOf(e);
  const isSelected = store.selected === e.key;
  row.dataset.state = st.state;
  row.classList.toggle('selected', isSelected);
  const open = row.querySelector<HTMLButtonElement>('.file-open')!;
  open.setAttribute('aria-current', isSelected ? 'true' : 'false');
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
  const { filesStatus } = dom;
  const e = store.entries.get(key);
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
    if (store.entries.size === 0) filesStatus.textContent += ' No files left.';
  } catch (err) {
    row?.classList.remove('busy');
    filesStatus.textContent = `Could not delete: ${message(err)}`;
    filesStatus.classList.add('error');
    renderRow(e);
  }
}
