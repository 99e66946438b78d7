// The languages multilingual Whisper models know, and the mapping between their codes and BCP-47: language hints
// from a request ("en-US", "es", "nb") become whisper.cpp codes, and detected codes become BCP-47 ("jw" → "jv").

import { EarshotError } from '../../domain/errors.js';

/** whisper.cpp's language codes, in its token order (the first 99 are every multilingual model's; "yue" is large-v3's). */
export const WHISPER_LANGUAGES: readonly string[] = (
  'en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur hr bg lt la mi ml ' +
  'cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si km sn yo so af oc ka be tg sd gu am ' +
  'yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha ba jw su yue'
).split(' ');

const KNOWN = new Set(WHISPER_LANGUAGES);

/** BCP-47 primary subtags (and legacy codes) whisper.cpp spells differently. */
const TO_WHISPER: Record<string, string> = { jv: 'jw', nb: 'no', iw: 'he', in: 'id', ji: 'yi', fil: 'tl', cmn: 'zh' };
const TO_BCP47: Record<string, string> = { jw: 'jv' };

/** A BCP-47 tag ("es", "en-US", "pt_BR") as whisper.cpp's code; throws SPEECH_LANGUAGE_UNSUPPORTED when it has none. */
export function toWhisperLanguage(tag: string): string {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  const code = TO_WHISPER[primary] ?? primary;
  if (!KNOWN.has(code)) throw new EarshotError('SPEECH_LANGUAGE_UNSUPPORTED', { language: tag });
  return code;
}

/** whisper.cpp's code ("jw") as BCP-47 ("jv"). */
export function toBcp47(code: string): string {
  return TO_BCP47[code] ?? code;
}

/** How one transcription call treats the language: detect freely, detect within hints, or force one. */
export type LanguagePlan = { mode: 'detect' } | { mode: 'force'; language: string } | { mode: 'hinted'; hints: [string, ...string[]] };

/**
 * The plan for the hints given (request `languageCodes`, or the single `language` option; "auto" means none):
 * one hint forces it; several let the model detect, and a detection outside them is redone forced to the first.
 */
export function planLanguage(languageCodes: readonly string[] | undefined, language: string | undefined): LanguagePlan {
  const tags = languageCodes?.length ? languageCodes : language && language !== 'auto' ? [language] : [];
  const hints = [...new Set(tags.map(toWhisperLanguage))];
  const [first, ...others] = hints;
  if (first === undefined) return { mode: 'detect' };
  if (others.length === 0) return { mode: 'force', language: first };
  return { mode: 'hinted', hints: [first, ...others] };
}
