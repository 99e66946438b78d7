// Audio constants and rules every layer shares: the sample rate everything is decoded to, and how audio
// is counted in tokens. Pure values and functions; imports nothing.

/** Every engine sees 16 kHz mono Float32 PCM in -1..1. */
export const SAMPLE_RATE = 16_000;

/** Gemini counts 32 tokens per second of audio; a started 1/32 s still costs a token. */
export const AUDIO_TOKENS_PER_SECOND = 32;

export const audioTokens = (sec: number): number => Math.ceil(sec * AUDIO_TOKENS_PER_SECOND - 1e-6);

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
