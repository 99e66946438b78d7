// The waveform view: decodes a local audio File with Web Audio, reduces it to min/max peaks,
// and draws them on a canvas with the played part, a playhead and shaded speech regions (in the speaker's colour
// when diarization ran).
import type { Region } from './speakers.js';

export interface Peaks {
  min: Float32Array;
  max: Float32Array;
  duration: number;
}

/** Decodes `file` in the browser and reduces it to `buckets` min/max pairs (all channels mixed). */
export async function decodePeaks(file: Blob, buckets = 4000): Promise<Peaks> {
  const data = await file.arrayBuffer();
  const ctx = new OfflineAudioContext(1, 1, 44_100);
  const audio = await ctx.decodeAudioData(data);
  const channels = Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c));
  const n = audio.length;
  const count = Math.max(1, Math.min(buckets, n));
  const min = new Float32Array(count);
  const max = new Float32Array(count);
  for (let b = 0; b < count; b++) {
    const from = Math.floor((b * n) / count);
    const to = Math.max(from + 1, Math.floor(((b + 1) * n) / count));
    let lo = 1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      let v = 0;
      for (const ch of channels) v += ch[i]!; // i < to <= audio.length, every channel's length
      v /= channels.length;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[b] = lo;
    max[b] = hi;
  }
  return { min, max, duration: audio.duration };
}

export class WaveformView {
  private peaks: Peaks | null = null;
  private time = 0;
  private regions: Region[] = [];
  private readonly resize = new ResizeObserver(() => this.draw());

  constructor(
    readonly canvas: HTMLCanvasElement,
    onSeek: (seconds: number) => void,
  ) {
    this.resize.observe(canvas);
    const seekAt = (clientX: number) => {
      if (!this.peaks) return;
      const rect = canvas.getBoundingClientRect();
      const f = Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
      onSeek(f * this.peaks.duration);
    };
    canvas.addEventListener('click', (e) => seekAt(e.clientX));
    canvas.addEventListener('keydown', (e) => {
      if (!this.peaks) return;
      const step = e.shiftKey ? 10 : 2;
      if (e.key === 'ArrowRight') onSeek(Math.min(this.peaks.duration, this.time + step));
      else if (e.key === 'ArrowLeft') onSeek(Math.max(0, this.time - step));
      else return;
      e.preventDefault();
    });
  }

  get hasPeaks(): boolean {
    return this.peaks !== null;
  }

  set(peaks: Peaks | null): void {
    this.peaks = peaks;
    this.time = 0;
    this.draw();
  }

  setRegions(regions: Region[]): void {
    this.regions = regions;
    this.draw();
  }

  setTime(seconds: number): void {
    this.time = seconds;
    this.draw();
  }

  draw(): void {
    const { canvas } = this;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (w === 0 || h === 0) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const g = canvas.getContext('2d');
    if (!g) return;
    const css = getComputedStyle(canvas);
    const color = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const mid = h / 2;

    if (!this.peaks) {
      g.strokeStyle = color('--line', '#ddd');
      g.beginPath();
      g.moveTo(0, mid);
      g.lineTo(w, mid);
      g.stroke();
      return;
    }
    const { min, max, duration } = this.peaks;

    const plain = color('--region', 'rgba(0,0,0,0.05)');
    for (const r of this.regions) {
      const x0 = (r.start / duration) * w;
      const x1 = (r.end / duration) * w;
      g.globalAlpha = r.colour ? 0.22 : 1;
      g.fillStyle = r.colour ?? plain;
      g.fillRect(x0, 0, Math.max(1, x1 - x0), h);
      if (r.colour) {
        // a solid strip along the bottom names the speaker even where the waveform covers the shading
        g.globalAlpha = 0.9;
        g.fillRect(x0, h - 3, Math.max(1, x1 - x0), 3);
      }
    }
    g.globalAlpha = 1;

    const playedX = duration > 0 ? (this.time / duration) * w : 0;
    const bar = 2;
    const gap = 1;
    const columns = Math.floor(w / (bar + gap));
    const played = color('--accent', '#0f766e');
    const rest = color('--wave', '#9aa0a6');
    for (let c = 0; c < columns; c++) {
      const from = Math.floor((c * min.length) / columns);
      const to = Math.max(from + 1, Math.floor(((c + 1) * min.length) / columns));
      let lo = 0;
      let hi = 0;
      for (let i = from; i < to && i < min.length; i++) {
        const low = min[i]!; // i < min.length === max.length
        const high = max[i]!;
        if (low < lo) lo = low;
        if (high > hi) hi = high;
      }
      const x = c * (bar + gap);
      const top = mid - Math.max(0.5, hi * mid * 0.95);
      const bottom = mid - Math.min(-0.5, lo * mid * 0.95);
      g.fillStyle = x < playedX ? played : rest;
      g.fillRect(x, top, bar, bottom - top);
    }

    g.fillStyle = color('--ink', '#222');
    g.fillRect(Math.min(w - 1, Math.max(0, playedX - 0.5)), 0, 1.5, h);
  }
}
