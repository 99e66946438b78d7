// The API key and model fields (kept in localStorage) and the API client that sends the key.
import { EarshotClient } from './api.js';
import { dom } from './dom.js';
import { refreshList } from './views/file-list.js';

const KEY_STORAGE = 'earshot.apiKey';
const MODEL_STORAGE = 'earshot.model';

export const api = new EarshotClient(() => dom.keyInput.value.trim());

/** The model to ask, as typed (or the default). */
export function model(): string {
  return dom.modelInput.value.trim() || 'gemini-2.5-flash';
}

export function initSettings(): void {
  const { keyInput, keyToggle, modelInput } = dom;
  keyInput.value = localStorage.getItem(KEY_STORAGE) ?? '';
  modelInput.value = localStorage.getItem(MODEL_STORAGE) ?? modelInput.value;
  keyInput.addEventListener('change', () => {
    localStorage.setItem(KEY_STORAGE, keyInput.value.trim());
    void refreshList();
  });
  dom.keyForm.addEventListener('submit', (ev) => {
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
}
