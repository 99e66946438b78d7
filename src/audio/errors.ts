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

/** "1 h 02 min", "3 min 20 s", "12.5 s" */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return String(sec);
  if (sec < 60) return `${Math.round(sec * 10) / 10} s`;
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(r).padStart(2, '0')} s`;
}
