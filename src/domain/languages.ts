// Names of the languages Earshot reports, by BCP-47 code: one table for answers, subtitles and the playground.

const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  fr: 'French',
  de: 'German',
  es: 'Spanish',
  it: 'Italian',
  pt: 'Portuguese',
  nl: 'Dutch',
  ru: 'Russian',
  zh: 'Chinese',
  ja: 'Japanese',
  ko: 'Korean',
  ar: 'Arabic',
  hi: 'Hindi',
  pl: 'Polish',
  tr: 'Turkish',
  sv: 'Swedish',
  da: 'Danish',
  no: 'Norwegian',
  fi: 'Finnish',
  cs: 'Czech',
  uk: 'Ukrainian',
  el: 'Greek',
  he: 'Hebrew',
  id: 'Indonesian',
  vi: 'Vietnamese',
  th: 'Thai',
  ro: 'Romanian',
  hu: 'Hungarian',
  ca: 'Catalan',
  fa: 'Persian',
  bn: 'Bengali',
  ur: 'Urdu',
};

/** "Spanish" for "es" or "es-MX"; the code itself when the language is not in the table. */
export function languageName(code: string): string {
  const [base = ''] = code.toLowerCase().split(/[-_]/); // split always yields at least one part
  return LANGUAGE_NAMES[base] ?? code;
}
