// Content-addressed blobs in S3-compatible object storage (AWS S3, MinIO, Ceph RGW, SeaweedFS, R2…): bytes live
// once at <prefix>blobs/<sha256>. An upload's chunks become S3 multipart parts, so any node can continue it from
// the state kept in the database; only a completed, committed upload gets a content address.
//
// Parts: S3 wants every part but the last ≥ 5 MiB. Bytes are cut into parts of PART_BYTES as they arrive; what a
// chunk leaves over (under MIN_PART_BYTES) is staged as a small object <prefix>uploads/<id>/tail-<offset> and
// prepended to the next chunk (or sent as the last part at finalize). A node buffers at most PART_BYTES plus a
// tail per upload in flight.
//
// SHA-256: Node's Hash cannot be serialised, so the node receiving the chunks keeps it in memory. When every
// chunk came to one node (the usual case) finalize has the digest at once. When a session moved between nodes
// (or this node restarted), finalize completes the multipart object and hashes it by one streaming read: the
// cost is one extra GET of the file's bytes, paid only by uploads that changed node.
//
// Paths: ffmpeg needs a file, so localPath downloads the object once into <dataDir>/blob-cache/<sha256> (content-
// addressed, so never stale) and reuses it; pruneLocal removes copies unused for a while.

import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { finished, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { Blobs, ByteRange, ChunkLimits, UploadTarget } from './blob-store.js';
import { DIR_MODE, FILE_MODE } from './database.js';

export const PART_BYTES = 8 << 20;
export const MIN_PART_BYTES = 5 << 20;

/** What the database keeps of an S3 upload (blob_state). */
interface S3State {
  /** the multipart upload's id, once the first part is sent */
  mp?: string;
  parts: { n: number; etag: string; size: number }[];
  /** bytes after the last part, staged as a small object */
  tail?: { key: string; size: number };
}

export interface S3BlobsOptions {
  /** s3://bucket or s3://bucket/prefix */
  url: string;
  /** a non-AWS endpoint (path-style addressing) */
  endpoint?: string;
  /** the bucket's region (config s3Region / AWS_REGION) */
  region?: string;
  /** where local copies for decoders are kept */
  dataDir: string;
  client?: S3Client;
}

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

export class S3Blobs implements Blobs {
  readonly kind = 's3';
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  private readonly cacheDir: string;
  /** running SHA-256 per upload this node received every chunk of, valid for its first `bytes` bytes */
  private readonly hashes = new Map<string, { hash: Hash; bytes: number }>();
  private readonly downloads = new Map<string, Promise<string>>();

  constructor(opts: S3BlobsOptions) {
    const [, bucket, prefix] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(opts.url) ?? [];
    if (!bucket) throw new Error(`not an s3:// URL: ${opts.url}`);
    this.bucket = bucket;
    this.prefix = prefix ? prefix.replace(/\/*$/, '/') : '';
    // credentials and region: the SDK's default chain (AWS_ACCESS_KEY_ID…, profiles, instance roles)
    this.client =
      opts.client ??
      new S3Client({
        region: opts.region ?? 'us-east-1',
        ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
      });
    this.cacheDir = path.join(opts.dataDir, 'blob-cache');
  }

  private blobKey(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return `${this.prefix}blobs/${sha256}`;
  }

  private uploadPrefix(id: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error(`bad upload id: ${id}`);
    return `${this.prefix}uploads/${id}/`;
  }

  async init(): Promise<void> {
    await mkdir(this.cacheDir, { recursive: true, mode: DIR_MODE });
  }

  async appendChunk(upload: UploadTarget, body: Readable, limits: ChunkLimits): Promise<{ written: number; blobState: string | null }> {
    const state: S3State = upload.blobState ? JSON.parse(upload.blobState) : { parts: [] };
    const parts = [...state.parts];
    let mp = state.mp;
    const memo = this.hashes.get(upload.id);
    // hashing goes on only where it covers every byte so far; otherwise finalize hashes the object
    const hash = upload.received === 0 ? createHash('sha256') : memo?.bytes === upload.received ? memo.hash : undefined;
    this.hashes.delete(upload.id);
    let buf: Buffer[] = state.tail ? [await this.readAll(state.tail.key)] : [];
    let buffered = state.tail?.size ?? 0;
    const sendPart = async () => {
      const data = Buffer.concat(buf, buffered);
      buf = [];
      buffered = 0;
      mp ??= (
        await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: `${this.uploadPrefix(upload.id)}object` }))
      ).UploadId!;
      const n = parts.length + 1;
      const out = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: `${this.uploadPrefix(upload.id)}object`,
          UploadId: mp,
          PartNumber: n,
          Body: data,
        }),
      );
      parts.push({ n, etag: out.ETag!, size: data.length });
    };
    const written = await consume(body, limits, (chunk) => {
      hash?.update(chunk);
      buf.push(chunk);
      buffered += chunk.length;
      return buffered >= PART_BYTES ? sendPart() : undefined;
    });
    const received = upload.received + written;
    let tail: S3State['tail'];
    if (buffered >= MIN_PART_BYTES) await sendPart();
    else if (buffered > 0) {
      tail = { key: `${this.uploadPrefix(upload.id)}tail-${received}`, size: buffered };
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: tail.key, Body: Buffer.concat(buf, buffered) }));
    }
    if (hash) this.hashes.set(upload.id, { hash, bytes: received });
    const next: S3State = { ...(mp ? { mp } : {}), parts, ...(tail ? { tail } : {}) };
    return { written, blobState: JSON.stringify(next) };
  }

  async digest(upload: UploadTarget): Promise<string> {
    const memo = this.hashes.get(upload.id);
    if (memo?.bytes === upload.received) return memo.hash.copy().digest('hex');
    const source = await this.assemble(upload);
    const hash = createHash('sha256');
    if (source) for await (const chunk of await this.get(source)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /**
   * The key of one object holding all the upload's bytes (undefined for none): the tail alone, or the
   * multipart object completed with the tail as its last part. Safe to repeat (a completed upload is reused).
   */
  private async assemble(upload: UploadTarget): Promise<string | undefined> {
    if (upload.received === 0) return undefined;
    const state: S3State = JSON.parse(upload.blobState ?? '{"parts":[]}');
    if (!state.mp) return state.tail?.key;
    const key = `${this.uploadPrefix(upload.id)}object`;
    const parts = state.parts.map((p) => ({ PartNumber: p.n, ETag: p.etag }));
    try {
      if (state.tail) {
        const n = state.parts.length + 1;
        const body = await this.readAll(state.tail.key);
        const out = await this.client.send(
          new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: state.mp, PartNumber: n, Body: body }),
        );
        parts.push({ PartNumber: n, ETag: out.ETag! });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: state.mp, MultipartUpload: { Parts: parts } }),
      );
    } catch (err) {
      // completed by an earlier attempt (this node or another): the object is there
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined);
      if (head?.ContentLength !== upload.received) throw err;
    }
    return key;
  }

  async commitUpload(upload: UploadTarget, sha256: string): Promise<boolean> {
    const dest = this.blobKey(sha256);
    if (await this.exists(sha256)) {
      await this.discardUpload(upload.id, upload.blobState);
      return false;
    }
    const source = await this.assemble(upload);
    if (!source) await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: dest, Body: Buffer.alloc(0) }));
    // a server-side copy: the bytes do not pass through this node (one CopyObject holds up to 5 GiB)
    else
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: dest, CopySource: `${this.bucket}/${encodeURI(source)}` }));
    await this.discardUpload(upload.id, upload.blobState);
    return true;
  }

  async discardUpload(id: string, blobState: string | null): Promise<void> {
    this.hashes.delete(id);
    const state: S3State | null = blobState ? JSON.parse(blobState) : null;
    if (state?.mp) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: `${this.uploadPrefix(id)}object`, UploadId: state.mp }))
        .catch(() => {}); // already completed or aborted
    }
    const keys = await this.list(this.uploadPrefix(id));
    for (let i = 0; i < keys.length; i += 1000) {
      await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  /** Parts recorded in the database are durable; stray ones of a torn chunk are overwritten by the next. */
  async recoverUpload(upload: UploadTarget): Promise<number> {
    return upload.received;
  }

  async listUploads(): Promise<string[]> {
    const ids = new Set<string>();
    const base = `${this.prefix}uploads/`;
    for (const key of await this.list(base)) {
      const [id = ''] = key.slice(base.length).split('/'); // split always yields at least one part
      ids.add(id);
    }
    return [...ids];
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.blobKey(sha256) }));
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
  }

  async removeBlob(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.blobKey(sha256) }));
    await rm(path.join(this.cacheDir, sha256), { force: true });
  }

  async listBlobs(): Promise<string[]> {
    const base = `${this.prefix}blobs/`;
    return (await this.list(base)).map((k) => k.slice(base.length));
  }

  openRead(sha256: string, range?: ByteRange): Promise<Readable> {
    return this.get(this.blobKey(sha256), range);
  }

  async localPath(sha256: string): Promise<string> {
    const file = path.join(this.cacheDir, this.blobKey(sha256).slice(-64));
    const now = new Date();
    if (
      await utimes(file, now, now).then(
        () => true,
        () => false,
      )
    )
      return file;
    let p = this.downloads.get(sha256);
    if (!p) {
      p = (async () => {
        const tmp = `${file}.${randomBytes(6).toString('hex')}.part`;
        try {
          await mkdir(this.cacheDir, { recursive: true, mode: DIR_MODE });
          await pipeline(await this.openRead(sha256), createWriteStream(tmp, { mode: FILE_MODE }));
          await rename(tmp, file);
          return file;
        } finally {
          await rm(tmp, { force: true });
        }
      })().finally(() => this.downloads.delete(sha256));
      this.downloads.set(sha256, p);
    }
    return p;
  }

  /** Remove local copies unused for `maxAgeMs`. Returns how many went. */
  async pruneLocal(maxAgeMs: number, now = Date.now()): Promise<number> {
    let n = 0;
    for (const name of await readdir(this.cacheDir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{64}$/.test(name) || this.downloads.has(name)) continue;
      const file = path.join(this.cacheDir, name);
      const st = await stat(file).catch(() => undefined);
      if (st && now - st.mtimeMs > maxAgeMs) {
        await rm(file, { force: true });
        n++;
      }
    }
    return n;
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  private async get(key: string, range?: ByteRange): Promise<Readable> {
    const out = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
    );
    return out.Body as Readable;
  }

  private async readAll(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.get(key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  private async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }
}

/**
 * Feed a request body to `onChunk`, pausing the socket while a returned promise runs (a part upload). Counts
 * the bytes and refuses one past `max`. The body is never destroyed (see pump.ts: the error response needs it).
 */
function consume(body: Readable, limits: ChunkLimits, onChunk: (chunk: Buffer) => Promise<void> | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    let failed = false;
    let pending: Promise<void> | undefined;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      detach();
      body.pause();
      // settle once the part in flight is done, so the caller never races it
      void Promise.resolve(pending)
        .catch(() => {})
        .then(() => reject(err));
    };
    const onData = (chunk: Buffer) => {
      count += chunk.length;
      if (count > limits.max) return fail(limits.tooMuch());
      const p = onChunk(chunk);
      if (!p) return;
      body.pause();
      pending = p.then(
        () => {
          if (!failed) body.resume();
        },
        (err: Error) => fail(err),
      );
    };
    const onEnd = () => {
      void Promise.resolve(pending).then(() => {
        if (failed) return;
        detach();
        resolve(count);
      });
    };
    const stopWatching = finished(body, { writable: false }, (err) => {
      if (err) fail(err);
    });
    const detach = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      stopWatching();
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.resume();
  });
}
