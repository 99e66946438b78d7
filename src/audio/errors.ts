// The audio layer's failures for a user's file: catalogued AUDIO_* errors (src/domain/errors.ts), thrown as
// AudioError so callers can still read the machine `reason`. Branch on `code` (or `reason`), never on text.

import { AUDIO_REASON, EarshotError, type AudioErrorCode, type AudioErrorReason, type ErrorParams, type ParamArgs } from '../domain/errors.js';

export type { AudioErrorCode, AudioErrorReason } from '../domain/errors.js';

const CODE_OF_REASON = Object.fromEntries(Object.entries(AUDIO_REASON).map(([code, reason]) => [reason, code])) as Record<
  AudioErrorReason,
  AudioErrorCode
>;

export class AudioError<C extends AudioErrorCode = AudioErrorCode> extends EarshotError<C> {
  constructor(code: C, params: ErrorParams<C>, options?: { detail?: string; cause?: unknown });
  /** @deprecated transitional form for callers that still write their own sentence (src/analysis/media.ts) */
  constructor(reason: AudioErrorReason, message: string, options?: { detail?: string; cause?: unknown });
  constructor(codeOrReason: C | AudioErrorReason, params: ErrorParams<C> | string, options?: { detail?: string; cause?: unknown }) {
    const code = (codeOrReason in AUDIO_REASON ? codeOrReason : CODE_OF_REASON[codeOrReason as AudioErrorReason]) as C;
    const p = (typeof params === 'string' ? { case: 'legacy', message: params } : params) as ErrorParams<C>;
    const rest = { cause: options?.cause, ...(options?.detail ? { facts: { detail: options.detail } } : {}) };
    // EarshotError's rest tuple cannot be narrowed for a generic C; every AUDIO_* entry takes params
    super(code, ...([p, rest] as unknown as ParamArgs<C>));
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
