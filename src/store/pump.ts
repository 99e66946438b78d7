// Streams an upload body into a part file: each chunk is counted and hashed the moment it arrives (so the
// SHA-256 runs on the event loop while earlier bytes are being written by the thread pool), and the writes
// go out in large batches (fs.WriteStream's writev). The source is never destroyed: it is a request body,
// and destroying it would kill the socket before the error response could be sent.

import { createWriteStream } from 'node:fs';
import { finished, type Readable } from 'node:stream';
import type { Hash } from 'node:crypto';

/** Bytes buffered for the file before the socket is paused: a few writes' worth, bounded per upload. */
const WRITE_BUFFER = 4 << 20;

export interface PumpOptions {
  file: string;
  /** byte offset in the (existing) file */
  start: number;
  mode: number;
  hash: Hash;
  /** most bytes accepted; one more is refused with tooMuch() */
  max: number;
  tooMuch: () => Error;
}

/** Resolves with the bytes written once they are all in the file (and the file is closed). */
export function pumpInto(body: Readable, opts: PumpOptions): Promise<number> {
  const dest = createWriteStream(opts.file, { flags: 'r+', mode: opts.mode, start: opts.start, highWaterMark: WRITE_BUFFER });
  let count = 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    const onData = (chunk: Buffer) => {
      count += chunk.length;
      if (count > opts.max) return fail(opts.tooMuch());
      opts.hash.update(chunk);
      if (!dest.write(chunk)) body.pause();
    };
    const onDrain = () => {
      if (!failed) body.resume();
    };
    const onEnd = () => dest.end();
    // a body that dies (client gone) fails the pump; its normal end is handled by onEnd
    const stopWatching = finished(body, { writable: false }, (err) => {
      if (err) fail(err);
    });
    const detach = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      dest.off('drain', onDrain);
      stopWatching();
    };
    function fail(err: Error): void {
      if (failed) return;
      failed = true;
      detach();
      body.pause();
      // settle only once the file is closed, so the caller may cut it back safely
      if (dest.closed) {
        reject(err);
        return;
      }
      dest.once('close', () => reject(err));
      dest.destroy();
    }
    dest.on('drain', onDrain);
    dest.on('error', fail);
    dest.once('close', () => {
      if (failed) return;
      detach();
      resolve(count);
    });
    body.on('data', onData);
    body.once('end', onEnd);
    body.resume();
  });
}
