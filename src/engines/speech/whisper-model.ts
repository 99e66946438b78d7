// Reads and checks a whisper.cpp ggml model file's structure (header, vocabulary, tensor table) without loading the
// weights, so a truncated or wrong file is reported with a clear fix instead of whisper.cpp's terse failure (or, for
// a file cut after the vocabulary, a "successful" load of an empty model).

import { open } from 'node:fs/promises';
import { EarshotError, type ParamArgs, type WhisperModelErrorCode } from '../../domain/errors.js';

export interface WhisperModelInfo {
  path: string;
  bytes: number;
  nVocab: number;
  nAudioCtx: number;
  nAudioState: number;
  nAudioLayer: number;
  nTextLayer: number;
  nMels: number;
  /** ggml file type: 0 f32, 1 f16, 2 q4_0, 3 q4_1, 8 q5_0, 9 q5_1, 7 q8_0 ... */
  ftype: number;
  multilingual: boolean;
  nTensors: number;
  /** "tiny" | "base" | "small" | "medium" | "large" | "unknown" (from the encoder depth, as whisper.cpp names it) */
  size: string;
}

/** A catalogued WHISPER_MODEL_* failure (src/domain/errors-models.ts): what is wrong with the file and what to do. */
export class WhisperModelError<C extends WhisperModelErrorCode = WhisperModelErrorCode> extends EarshotError<C> {
  constructor(code: C, ...rest: ParamArgs<C>) {
    super(code, ...rest);
    this.name = 'WhisperModelError';
  }
}

/** The file's structure is wrong; `problem` says how ("is truncated inside its vocabulary"). */
const damaged = (file: string, problem: string) => new WhisperModelError('WHISPER_MODEL_DAMAGED', { file, problem });

/** bytes per block and elements per block of the ggml tensor types whisper models use */
const TYPE_LAYOUT: Record<number, [bytes: number, block: number]> = {
  0: [4, 1], // f32
  1: [2, 1], // f16
  2: [18, 32], // q4_0
  3: [20, 32], // q4_1
  6: [22, 32], // q5_0
  7: [24, 32], // q5_1
  8: [34, 32], // q8_0
  10: [84, 256], // q2_k
  11: [110, 256], // q3_k
  12: [144, 256], // q4_k
  13: [176, 256], // q5_k
  14: [210, 256], // q6_k
  30: [2, 1], // bf16
};

const SIZES: Record<number, string> = { 4: 'tiny', 6: 'base', 12: 'small', 24: 'medium', 32: 'large' };

/** Parse and check the model at `file`. Throws WhisperModelError saying what is wrong and what to do. */
export async function inspectWhisperModel(file: string): Promise<WhisperModelInfo> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WhisperModelError('WHISPER_MODEL_NOT_FOUND', { file });
    throw new WhisperModelError('WHISPER_MODEL_UNOPENABLE', { file, reason: (err as Error).message });
  }
  try {
    const { size } = await fh.stat();
    let pos = 0;
    const read = async (n: number, what: string): Promise<Buffer> => {
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, pos);
      if (bytesRead < n) {
        throw damaged(file, `is truncated (ends at byte ${size} while reading ${what})`);
      }
      pos += n;
      return buf;
    };
    const magic = (await read(4, 'the magic number')).readUInt32LE(0);
    if (magic === 0x46554747) {
      throw new WhisperModelError('WHISPER_MODEL_IS_GGUF', { file });
    }
    if (magic !== 0x67676d6c) {
      throw new WhisperModelError('WHISPER_MODEL_BAD_MAGIC', { file, magic });
    }
    const h = await read(44, 'the hyper-parameters');
    // read(44) above guarantees all eleven int32 fields are present, so each is read straight from the buffer
    const hp = Array.from({ length: 11 }, (_, i) => h.readInt32LE(4 * i));
    const field = (i: number) => h.readInt32LE(4 * i);
    const [nVocab, nAudioCtx, nAudioState, nAudioLayer] = [field(0), field(1), field(2), field(4)];
    const [nTextState, nTextLayer, nMels, ftypeRaw] = [field(6), field(8), field(9), field(10)];
    if (nVocab < 51864 || nAudioState <= 0 || nTextState !== nAudioState || nMels <= 0 || nAudioLayer <= 0) {
      throw damaged(file, `has an invalid header (${hp.join(', ')})`);
    }
    const filt = await read(8, 'the mel filters');
    const nMel = filt.readInt32LE(0);
    const nFft = filt.readInt32LE(4);
    if (nMel <= 0 || nFft <= 0 || nMel * nFft > 1e6) {
      throw damaged(file, `has an invalid mel filter bank (${nMel}x${nFft})`);
    }
    pos += nMel * nFft * 4;
    const nWords = (await read(4, 'the vocabulary size')).readInt32LE(0);
    if (nWords < 0 || nWords > nVocab) throw damaged(file, `has a bad vocabulary size ${nWords}`);
    // the vocabulary is many short records: read it in one go
    const vocabStart = pos;
    const chunk = Buffer.alloc(Math.min(size - pos, nWords * 64 + 1024));
    await fh.read(chunk, 0, chunk.length, pos);
    let off = 0;
    for (let i = 0; i < nWords; i++) {
      if (off + 4 > chunk.length) {
        pos = vocabStart + off;
        const len = (await read(4, 'the vocabulary')).readUInt32LE(0);
        pos += len;
        off = pos - vocabStart;
        continue;
      }
      off += 4 + chunk.readUInt32LE(off);
    }
    pos = vocabStart + off;
    if (pos > size) throw damaged(file, 'is truncated inside its vocabulary');

    const expected = 10 + 15 + 15 * nAudioLayer + 24 * nTextLayer; // upper bound used by whisper.cpp
    let nTensors = 0;
    while (pos < size) {
      const th = await read(12, `tensor #${nTensors + 1}'s header`);
      const nDims = th.readInt32LE(0);
      const nameLen = th.readInt32LE(4);
      const type = th.readInt32LE(8);
      if (nDims < 1 || nDims > 4 || nameLen <= 0 || nameLen > 256) {
        throw damaged(file, `is corrupt (bad header for tensor #${nTensors + 1} at byte ${pos - 12})`);
      }
      const dims = await read(4 * nDims, 'a tensor shape');
      let n = 1;
      for (let d = 0; d < nDims; d++) n *= dims.readInt32LE(4 * d);
      const name = (await read(nameLen, 'a tensor name')).toString('utf8');
      const layout = TYPE_LAYOUT[type];
      if (!layout) break; // a type this check does not know: leave the rest to whisper.cpp
      const bytes = (n / layout[1]) * layout[0];
      if (pos + bytes > size) {
        throw damaged(file, `is truncated: tensor '${name}' needs ${bytes} bytes at ${pos} but the file ends at ${size}`);
      }
      pos += bytes;
      nTensors++;
    }
    if (nTensors === 0) throw damaged(file, 'holds no weights (file cut after the vocabulary?)');
    if (nTensors > expected) throw damaged(file, `has ${nTensors} tensors, more than a whisper model has`);
    return {
      path: file,
      bytes: size,
      nVocab,
      nAudioCtx,
      nAudioState,
      nAudioLayer,
      nTextLayer,
      nMels,
      ftype: ftypeRaw % 1000,
      multilingual: nVocab >= 51865,
      nTensors,
      size: SIZES[nAudioLayer] ?? 'unknown',
    };
  } finally {
    await fh.close();
  }
}
