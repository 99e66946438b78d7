// Small formatters for the playground: clock times, byte sizes, relative expiry.

/** 3.4 → "0:03", 75 → "1:15", 3725 → "1:02:05" (with tenths when `tenths`). */
export function clock(seconds: number, tenths = false): string {
  const s = Math.max(0, seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = tenths ? (s % 60).toFixed(1).padStart(4, '0') : String(Math.floor(s % 60)).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function bytes(n: number | string | undefined): string {
  const v = typeof n === 'string' ? Number(n) : n;
  if (v === undefined || !Number.isFinite(v)) return '';
  if (v < 1024) return `${v} B`;
  const units = ['KB', 'MB', 'GB'];
  let x = v / 1024;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x < 10 ? x.toFixed(1) : Math.round(x)} ${units[i]}`;
}

/** "expires in 47 h", "expires in 12 min", "expired" — for a Gemini expirationTime. */
export function expiresIn(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const ms = t - now;
  if (ms <= 0) return 'expired';
  const min = Math.round(ms / 60_000);
  if (min < 1) return 'expires in < 1 min';
  if (min < 90) return `expires in ${min} min`;
  const h = Math.round(ms / 3_600_000);
  if (h < 72) return `expires in ${h} h`;
  return `expires in ${Math.round(ms / 86_400_000)} days`;
}
