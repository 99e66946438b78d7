// The one error type the audio layer throws for problems with a user's file: a machine reason plus a
// sentence a person can act on.

export type AudioErrorReason = 'not-audio' | 'corrupt' | 'truncated' | 'empty' | 'too-long' | 'unsupported';

export class AudioError extends Error {
  readonly reason: AudioErrorReason;
  /** decoder output (stderr tail) when a decoder was involved */
  readonly detail?: string;

  constructor(reason: AudioErrorReason, message: string, options?: { detail?: string; cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'AudioError';
    this.reason = reason;
    if (options?.detail) this.detail = options.detail;
  }
}

export function isAudioError(e: unknown): e is AudioError {
  return e instanceof AudioError;
}
