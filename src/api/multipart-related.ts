// A streaming reader for multipart/related upload bodies (RFC 2387), as Google's multipart upload
// protocol sends them: a small JSON metadata part, then the media part. The metadata is buffered
// (bounded), the media part is handed on as a stream and never held in memory whole.
// (busboy and @fastify/multipart parse multipart/form-data only, hence this small reader.) Every byte is
// scanned once: searches resume where the previous chunk's search ended, and a body whose boundary never
// appears is refused after MAX_PREAMBLE_BYTES instead of being buffered whole.

import { PassThrough, type Readable } from 'node:stream';
import { EarshotError } from '../domain/errors.js';

/** Bytes allowed before the first boundary (RFC 2046 preambles are a line or two; Google sends none). */
export const MAX_PREAMBLE_BYTES = 64 * 1024;

export interface RelatedParts {
  metadata: { contentType: string; body: Buffer };
  media: { contentType: string; stream: Readable };
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/related\b/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

/**
 * Read the metadata part, then resolve with the media part as a stream (which ends at the closing
 * delimiter). Rejects with INVALID_ARGUMENT on malformed bodies.
 */
export function readRelated(body: Readable, boundary: string, maxMetadataBytes = 1 << 20): Promise<RelatedParts> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const media = new PassThrough({ highWaterMark: 1 << 20 });
  // A malformed tail can fail the media stream before its consumer has attached (it is still opening
  // the part file). The consumer sees the error through stream.errored; without a listener here the
  // 'error' event would be an uncaught exception that takes the whole server down.
  media.on('error', () => {});
  // Prepend CRLF so the first delimiter looks like every other one.
  let buf: Buffer = Buffer.from('\r\n');
  // bytes at the start of buf already searched for the current phase's marker (minus a possible partial match)
  let scanned = 0;
  const find = (marker: Buffer | string): number => {
    const len = marker.length;
    const i = buf.indexOf(marker, Math.max(0, scanned - len + 1));
    scanned = i < 0 ? buf.length : 0;
    return i;
  };
  let phase: 'preamble' | 'meta-headers' | 'meta-body' | 'media-headers' | 'media-body' | 'done' = 'preamble';
  let metadata: RelatedParts['metadata'] | undefined;
  let metaHeaders: Record<string, string> = {};
  let mediaType = 'application/octet-stream';

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (msg: string) => {
      const err = new EarshotError('API_MULTIPART_MALFORMED', { reason: msg });
      if (!settled) {
        settled = true;
        reject(err);
      } else media.destroy(err);
      // Stop parsing but leave the request itself alone: destroying it would cut the socket before the
      // 400 is sent. The HTTP layer closes the connection after answering.
      phase = 'done';
      body.removeListener('data', onData);
      body.removeListener('end', onEnd);
    };

    const step = (): boolean => {
      for (;;) {
        if (phase === 'preamble') {
          const i = find(delimiter);
          if (i < 0) {
            if (buf.length > MAX_PREAMBLE_BYTES)
              return (fail(`no boundary "${boundary.slice(0, 70)}" in the first ${MAX_PREAMBLE_BYTES} bytes`), false);
            return true;
          }
          buf = buf.subarray(i + delimiter.length);
          phase = 'meta-headers';
        } else if (phase === 'meta-headers' || phase === 'media-headers') {
          const end = find('\r\n\r\n');
          if (end < 0) {
            if (buf.length > 16384) return (fail('part headers too long'), false);
            return true;
          }
          const headers = parseHeaders(buf.subarray(0, end).toString('latin1'));
          buf = buf.subarray(end + 4);
          if (phase === 'meta-headers') {
            metaHeaders = headers;
            phase = 'meta-body';
          } else {
            mediaType = headers['content-type'] ?? mediaType;
            phase = 'media-body';
            if (!settled) {
              settled = true;
              resolve({ metadata: metadata!, media: { contentType: mediaType, stream: media } });
            }
          }
        } else if (phase === 'meta-body') {
          const i = find(delimiter);
          if (i < 0) {
            if (buf.length > maxMetadataBytes) return (fail(`metadata part larger than ${maxMetadataBytes} bytes`), false);
            return true;
          }
          metadata = { contentType: metaHeaders['content-type'] ?? 'application/json', body: Buffer.from(buf.subarray(0, i)) };
          buf = buf.subarray(i + delimiter.length);
          if (buf.subarray(0, 2).toString() === '--') return (fail('no media part'), false);
          phase = 'media-headers';
        } else if (phase === 'media-body') {
          const i = buf.indexOf(delimiter);
          if (i < 0) {
            // keep a tail that could be the start of the delimiter
            const keep = delimiter.length - 1;
            if (buf.length > keep) {
              const out = buf.subarray(0, buf.length - keep);
              buf = buf.subarray(buf.length - keep);
              return media.write(out);
            }
            return true;
          }
          media.write(buf.subarray(0, i));
          buf = Buffer.alloc(0);
          phase = 'done';
          media.end();
          return true;
        } else {
          return true; // epilogue ignored
        }
      }
    };

    const onData = (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (!step()) {
        body.pause();
        media.once('drain', () => body.resume());
      }
    };
    const onEnd = () => {
      if (phase !== 'done') fail(phase === 'media-body' ? 'closing boundary missing' : 'body ended early');
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', (e) => {
      if (!settled) {
        settled = true;
        reject(e);
      } else media.destroy(e);
    });
  });
}
