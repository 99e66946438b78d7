// The ask box: a question about the selected file, answered by streamGenerateContent with the text appearing as
// it streams; Stop aborts it.
import { dom, h } from '../dom.js';
import { api, model } from '../settings.js';
import { message, selectedEntry, store, type Entry } from '../state.js';
import { renderDetail } from './detail.js';

export function initAsk(): void {
  const { askForm, question, askStop } = dom;
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
  askStop.addEventListener('click', () => store.askController?.abort());
}

/** Hides the previous answer (another file was selected). */
export function resetAnswer(): void {
  dom.answer.hidden = true;
  dom.answer.textContent = '';
}

/** The Ask button is live only for an Active file and while no answer is streaming. */
export function renderAskState(e: Entry): void {
  const active = e.remote?.state === 'ACTIVE';
  dom.askBtn.disabled = !active || store.askController !== null;
  dom.askBtn.title = active ? '' : 'The file must be Active before you can ask about it.';
}

async function ask(): Promise<void> {
  const { answer, askBtn, askStop } = dom;
  const e = selectedEntry();
  const q = dom.question.value.trim();
  if (!e?.remote || !q || store.askController) return;
  if (e.remote.state !== 'ACTIVE') {
    answer.hidden = false;
    answer.className = 'answer error';
    answer.textContent = 'Wait until the file is Active, then ask again.';
    return;
  }
  const controller = new AbortController();
  store.askController = controller;
  askBtn.disabled = true;
  askStop.hidden = false;
  answer.hidden = false;
  answer.className = 'answer streaming';
  answer.setAttribute('aria-busy', 'true');
  answer.textContent = '';
  const out = document.createTextNode('');
  answer.append(out);
  try {
    await api.ask(model(), e.remote, q, (text) => out.appendData(text), controller.signal);
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
    store.askController = null;
    askStop.hidden = true;
    renderDetail();
  }
}
