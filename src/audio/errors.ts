// The audio layer's failures for a user's file: catalogued AUDIO_* errors (src/domain/errors.ts), thrown as
// AudioError so callers can still read the machine `reason`. Branch on `code` (or `reason`), never on text.

import {
  AUDIO_REASON,
  EarshotError,
  type AudioErrorCode,
  type AudioErrorReason,
  type ErrorParams,
  type ParamArgs,
} from '../domain/errors.js';

export type { AudioErrorCode, AudioErrorReason } from '../domain/errors.js';

export class AudioError<C extends AudioErrorCode = AudioErrorCode> extends EarshotError<C> {
  constructor(code: C, params: ErrorParams<C>, options?: { detail?: string; cause?: unknown }) {
    const rest = { cause: options?.cause, ...(options?.detail ? { facts: { detail: options.detail } } : {}) };
    // EarshotError's rest tuple cannot be narrowed for a generic C; every AUDIO_* entry takes params
    super(code, ...([params, rest] as unknown as ParamArgs<C>));
    this.name = 'AudioError';
  }

  get reason(): AudioErrorReason {
    return AUDIO_REASON[this.code];
  }

  /** the decoder's own output (stderr tail), when a decoder was involved */
  get detail(): string | undefined {
    return this.facts?.detail;
  }
}

/** True for any catalogued audio failure (AUDIO_*), whichever class threw it. */
export function isAudioError(e: unknown): e is EarshotError<AudioErrorCode> {
  return e instanceof EarshotError && e.code in AUDIO_REASON;
}

/** A decoder's stderr tail with the file's directory taken out (its base name stays), so messages never carry server paths. */
export function withoutPath(text: string, file: string): string {
  const dir = file.slice(0, file.lastIndexOf('/') + 1);
  return dir ? text.split(`file:${dir}`).join('').split(dir).join('') : text;
}
