// Reads raw native-endian float32 PCM from a byte stream (ffmpeg's stdout) into fresh Float32Arrays, with a
// bounded queue: the stream is read eagerly (so the producer rarely waits on a full pipe) and paused only
// when `highBytes` are waiting, and each pull hands over everything queued (up to a cap) in one copy.

import type { Readable } from 'node:stream';

export class PcmQueue {
  private readonly chunks: Buffer[] = [];
  /** bytes of chunks[0] already handed over */
  private head = 0;
  private bytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private paused = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly stream: Readable,
    private readonly highBytes: number,
  ) {
    stream.on('data', (b: Buffer) => {
      this.chunks.push(b);
      this.bytes += b.length;
      if (this.bytes >= this.highBytes && !this.paused) {
        this.paused = true;
        stream.pause();
      }
      this.notify();
    });
    stream.on('end', () => this.finish());
    // destroyed without 'end' (killed child, abort): whatever is queued is still handed over
    stream.on('close', () => this.finish());
    stream.on('error', (err: Error) => {
      this.failure ??= err;
      this.finish();
    });
  }

  /** Throws `err` from the next pull (after waking a pull that is waiting). */
  fail(err: Error): void {
    this.failure ??= err;
    this.finish();
  }

  /**
   * Up to `maxSamples` whole samples as a fresh Float32Array: what is queued now, or waits for the next
   * data. Undefined once the stream has ended and fewer than 4 bytes are left.
   */
  async next(maxSamples: number): Promise<Float32Array | undefined> {
    const n = await this.available(maxSamples);
    if (n === 0) return undefined;
    // allocUnsafe: not zero-filled first (every byte is overwritten below); above 4 KB it has its own memory
    const raw = Buffer.allocUnsafe(Math.max(n * 4, 8192));
    this.take(n * 4, raw);
    return new Float32Array(raw.buffer, raw.byteOffset, n);
  }

  /** Discards up to `samples` samples; resolves with how many were discarded (0 at the end). */
  async skip(samples: number): Promise<number> {
    const n = await this.available(samples);
    this.take(n * 4, undefined);
    return n;
  }

  private async available(maxSamples: number): Promise<number> {
    while (this.bytes < 4 && !this.ended && !this.failure) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.failure) throw this.failure;
    return Math.min(maxSamples, Math.floor(this.bytes / 4));
  }

  /** Moves `count` queued bytes into `into` (or drops them) and resumes the stream when the queue drains. */
  private take(count: number, into: Buffer | undefined): void {
    let at = 0;
    while (at < count) {
      const c = this.chunks[0]!;
      const len = Math.min(c.length - this.head, count - at);
      if (into) c.copy(into, at, this.head, this.head + len);
      at += len;
      this.head += len;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.bytes -= count;
    if (this.paused && this.bytes < this.highBytes / 2 && !this.ended) {
      this.paused = false;
      this.stream.resume();
    }
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
