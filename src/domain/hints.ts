// Transcription hints as data (languages, vocabulary, translation to English): their one canonical form and key, and
// which of them a speech engine can use, so an analysis made with hints is found again whatever order they came in.

/** What a request may ask the recogniser to use; absent fields ask nothing. */
export interface TranscriptionHints {
  /** BCP-47 codes: one forces it, several restrict detection (the first is the fallback) — order matters */
  languageCodes?: string[];
  /** words and names the speech is likely to contain (Gemini's customVocabulary, OpenAI's prompt) — a set */
  vocabulary?: string[];
  /** also translate the speech to English (Whisper's translate task) */
  translate?: boolean;
}

/** What a speech engine can do with hints (SpeechEngine's flags, as the worker reports them). */
export interface HintCapabilities {
  /** it identifies and can be told the spoken language (multilingual Whisper) */
  languageIdentification?: boolean;
  /** it translates speech to English */
  translation?: boolean;
  /** it takes a vocabulary (Whisper's initial prompt) */
  vocabulary?: boolean;
}

/** "EN_us" → "en-US": BCP-47's conventional case (language lower, region upper, script title), "_" read as "-". */
function canonicalTag(tag: string): string {
  const [lang = '', ...rest] = tag.trim().replace(/_/g, '-').split('-');
  const subtags = rest.map((s) =>
    s.length === 2 ? s.toUpperCase() : s.length === 4 ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s.toLowerCase(),
  );
  return [lang.toLowerCase(), ...subtags].join('-');
}

/**
 * The canonical form: language codes in BCP-47 case, blanks dropped, de-duplicated, in the order given (the first is
 * the fallback); vocabulary terms with whitespace collapsed, blanks dropped, de-duplicated and sorted (a set);
 * translate only when true. Fields with nothing left are absent.
 */
export function normaliseHints(hints: TranscriptionHints | undefined): TranscriptionHints {
  const out: TranscriptionHints = {};
  const codes = [...new Set((hints?.languageCodes ?? []).map(canonicalTag).filter(Boolean))];
  if (codes.length) out.languageCodes = codes;
  const terms = [...new Set((hints?.vocabulary ?? []).map((v) => v.replace(/\s+/g, ' ').trim()).filter(Boolean))].sort();
  if (terms.length) out.vocabulary = terms;
  if (hints?.translate === true) out.translate = true;
  return out;
}

/**
 * The one key of a set of hints: '' for none (the file's base analysis), else a compact JSON of the canonical form
 * with its fields in a fixed order, so equal hints always give the same key. (The store bounds long keys.)
 */
export function hintsKey(hints: TranscriptionHints | undefined): string {
  const h = normaliseHints(hints);
  if (!h.languageCodes && !h.vocabulary && !h.translate) return '';
  return JSON.stringify({
    ...(h.languageCodes ? { l: h.languageCodes } : {}),
    ...(h.vocabulary ? { v: h.vocabulary } : {}),
    ...(h.translate ? { t: 1 } : {}),
  });
}

/** Whether any hint is asked. */
export function hasHints(hints: TranscriptionHints | undefined): boolean {
  return hintsKey(hints) !== '';
}

/**
 * The hints an engine with these capabilities can use (canonical form); the rest are dropped, so that asking an engine
 * for what it cannot do never re-runs the recogniser for nothing: with none left, the base analysis answers.
 * Unknown capabilities (a node that has no engines loaded) keep every hint; the worker decides again.
 */
export function usableHints(hints: TranscriptionHints | undefined, caps: HintCapabilities | undefined): TranscriptionHints {
  const h = normaliseHints(hints);
  if (!caps) return h;
  const out: TranscriptionHints = {};
  if (h.languageCodes && caps.languageIdentification) out.languageCodes = h.languageCodes;
  if (h.vocabulary && caps.vocabulary) out.vocabulary = h.vocabulary;
  if (h.translate && caps.translation) out.translate = true;
  return out;
}

/** The hints asked that the analysis was not made with (by field), e.g. ['vocabulary'] when the engine takes none. */
export function unappliedHints(
  asked: TranscriptionHints | undefined,
  applied: TranscriptionHints | undefined,
): (keyof TranscriptionHints)[] {
  const a = normaliseHints(asked);
  const got = normaliseHints(applied);
  const out: (keyof TranscriptionHints)[] = [];
  if (a.languageCodes && !got.languageCodes) out.push('languageCodes');
  if (a.vocabulary && !got.vocabulary) out.push('vocabulary');
  if (a.translate && !got.translate) out.push('translate');
  return out;
}
