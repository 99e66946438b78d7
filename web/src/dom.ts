// The page's DOM: every element the playground drives, looked up once from index.html, and a tiny element builder.

const $ = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
};

/** The elements of index.html by role. A missing id fails at start-up, naming it. */
export const dom = {
  keyForm: $<HTMLFormElement>('key-form'),
  keyInput: $<HTMLInputElement>('api-key'),
  keyToggle: $<HTMLButtonElement>('key-toggle'),
  fileInput: $<HTMLInputElement>('file-input'),
  drop: $<HTMLDivElement>('drop'),
  filesList: $<HTMLUListElement>('files'),
  filesStatus: $<HTMLParagraphElement>('files-status'),
  refreshBtn: $<HTMLButtonElement>('refresh'),
  detail: $<HTMLElement>('detail'),
  detailTitle: $<HTMLHeadingElement>('detail-h'),
  emptyView: $<HTMLDivElement>('empty'),
  body: $<HTMLDivElement>('detail-body'),
  meta: $<HTMLParagraphElement>('detail-meta'),
  stateChip: $<HTMLParagraphElement>('detail-state'),
  progressBox: $<HTMLDivElement>('analysis-progress'),
  stageLabel: $<HTMLSpanElement>('stage-label'),
  stagePct: $<HTMLSpanElement>('stage-pct'),
  stageBar: $<HTMLProgressElement>('stage-bar'),
  detailError: $<HTMLParagraphElement>('detail-error'),
  canvas: $<HTMLCanvasElement>('wave'),
  tNow: $<HTMLSpanElement>('t-now'),
  tTotal: $<HTMLSpanElement>('t-total'),
  player: $<HTMLAudioElement>('player'),
  noLocal: $<HTMLDivElement>('no-local'),
  attachInput: $<HTMLInputElement>('attach-input'),
  warnings: $<HTMLUListElement>('warnings'),
  transcript: $<HTMLOListElement>('transcript'),
  speakers: $<HTMLUListElement>('speakers'),
  trLanguages: $<HTMLParagraphElement>('tr-languages'),
  trEngine: $<HTMLSpanElement>('tr-engine'),
  sounds: $<HTMLDivElement>('sounds'),
  sndEngine: $<HTMLSpanElement>('snd-engine'),
  askForm: $<HTMLFormElement>('ask-form'),
  question: $<HTMLTextAreaElement>('question'),
  modelInput: $<HTMLInputElement>('model'),
  askBtn: $<HTMLButtonElement>('ask-btn'),
  askStop: $<HTMLButtonElement>('ask-stop'),
  answer: $<HTMLDivElement>('answer'),
};

/** Builds an element: `class` and `text` are special props, the rest become attributes. */
export function h<K extends keyof HTMLElementTagNameMap>(
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
