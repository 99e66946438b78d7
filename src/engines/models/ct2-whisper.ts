// Converts a Whisper model in CTranslate2 format (faster-whisper's model.bin) into a whisper.cpp ggml file laid out
// like whisper.cpp's published ones (header, mel filters and vocabulary byte-identical; OpenAI's tensor names, shapes
// and types). The tensors' order in whisper.cpp's files is unknown, so the result does not match their SHA-1.

import { readFile, open, rename } from 'node:fs/promises';

export interface Ct2Variable {
  shape: number[];
  /** CTranslate2 DataType: 0 f32, 1 i8, 2 i16, 3 i32, 4 f16, 5 bf16 */
  dtype: number;
  data: Buffer;
}

export interface Ct2Model {
  binaryVersion: number;
  spec: string;
  specRevision: number;
  variables: Map<string, Ct2Variable>;
}

export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}

const DTYPE_BYTES: Record<number, number> = { 0: 4, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2 };

/** Parse a CTranslate2 model.bin (binary versions 3–6): spec name, then named variables, then aliases. */
export function parseCt2Model(buf: Buffer): Ct2Model {
  let pos = 0;
  const need = (n: number, what: string) => {
    if (pos + n > buf.length) throw new ConversionError(`CTranslate2 model is truncated while reading ${what} at byte ${pos}`);
  };
  const u8 = (what: string) => (need(1, what), buf.readUInt8(pos++));
  const u16 = (what: string) => (need(2, what), (pos += 2), buf.readUInt16LE(pos - 2));
  const u32 = (what: string) => (need(4, what), (pos += 4), buf.readUInt32LE(pos - 4));
  const str = (what: string) => {
    const len = u16(what);
    need(len, what);
    const s = buf.toString('utf8', pos, pos + len).replace(/\0+$/, '');
    pos += len;
    return s;
  };
  const binaryVersion = u32('the binary version');
  if (binaryVersion < 3 || binaryVersion > 6) throw new ConversionError(`unsupported CTranslate2 binary version ${binaryVersion}`);
  const spec = str('the spec name');
  const specRevision = u32('the spec revision');
  const count = u32('the variable count');
  const variables = new Map<string, Ct2Variable>();
  for (let i = 0; i < count; i++) {
    const name = str(`variable #${i + 1}'s name`);
    const rank = u8(`${name}'s rank`);
    const shape = Array.from({ length: rank }, () => u32(`${name}'s shape`));
    const dtype = u8(`${name}'s type`);
    const bytes = u32(`${name}'s size`);
    need(bytes, `${name}'s data`);
    const elements = shape.reduce((a, b) => a * b, 1);
    if (DTYPE_BYTES[dtype] === undefined || elements * DTYPE_BYTES[dtype] !== bytes) {
      throw new ConversionError(`variable ${name}: ${bytes} bytes do not fit shape [${shape}] of type ${dtype}`);
    }
    variables.set(name, { shape, dtype, data: buf.subarray(pos, pos + bytes) });
    pos += bytes;
  }
  if (pos + 4 <= buf.length) {
    const aliases = u32('the alias count');
    for (let i = 0; i < aliases; i++) {
      const alias = str('an alias');
      const target = str('an alias target');
      const v = variables.get(target);
      if (v && !variables.has(alias)) variables.set(alias, v);
    }
  }
  return { binaryVersion, spec, specRevision, variables };
}

/** Read a little-endian float32 .npy array (as in OpenAI's mel_filters.npz) into its shape and values. */
export function parseNpyFloat32(buf: Buffer): { shape: number[]; data: Float32Array } {
  if (buf.readUInt32BE(0) !== 0x934e554d || buf.toString('latin1', 4, 6) !== 'PY') throw new ConversionError('not a .npy file');
  const major = buf.readUInt8(6);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header)) {
    throw new ConversionError(`.npy array is not little-endian float32 in C order: ${header.trim()}`);
  }
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const off = start + headerLen;
  if (off + 4 * n > buf.length) throw new ConversionError('.npy file is truncated');
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = buf.readFloatLE(off + 4 * i);
  return { shape, data };
}

/** The token byte strings of an OpenAI .tiktoken file ("<base64> <rank>" lines), in file order. */
export function parseTiktoken(text: string): Buffer[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [base64 = ''] = line.split(' ');
      return Buffer.from(base64, 'base64');
    });
}

interface Tensor {
  name: string;
  /** numpy shape (row-major) */
  shape: number[];
  /** 0 f32, 1 f16 */
  ftype: 0 | 1;
  data: Buffer;
}

function f16ToF32(src: Buffer): Buffer {
  const out = Buffer.alloc(src.length * 2);
  for (let i = 0; i < src.length / 2; i++) {
    const h = src.readUInt16LE(2 * i);
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    let v: number;
    if (exp === 0) v = sign * frac * 2 ** -24;
    else if (exp === 31) v = frac ? NaN : sign * Infinity;
    else v = sign * (1 + frac / 1024) * 2 ** (exp - 15);
    out.writeFloatLE(v, 4 * i);
  }
  return out;
}

function f32ToF16(src: Buffer): Buffer {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  const out = Buffer.alloc(src.length / 2);
  for (let i = 0; i < src.length / 4; i++) {
    f[0] = src.readFloatLE(4 * i);
    const x = u[0]!; // u views the one-element f
    const sign = (x >>> 16) & 0x8000;
    const exp = ((x >>> 23) & 0xff) - 127 + 15;
    let mant = x & 0x7fffff;
    let h: number;
    if (((x >>> 23) & 0xff) === 0xff) h = sign | 0x7c00 | (mant ? 0x200 : 0);
    else if (exp >= 31) h = sign | 0x7c00;
    else if (exp <= 0) {
      if (exp < -10) h = sign;
      else {
        mant |= 0x800000;
        const shift = 14 - exp;
        let half = mant >> shift;
        const rem = mant & ((1 << shift) - 1);
        const mid = 1 << (shift - 1);
        if (rem > mid || (rem === mid && half & 1)) half++;
        h = sign | half;
      }
    } else {
      h = sign | (exp << 10) | (mant >> 13);
      const rem = mant & 0x1fff;
      if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
    }
    out.writeUInt16LE(h, 2 * i);
  }
  return out;
}

/** A CTranslate2 variable's bytes as float16 or float32 (the converter's two output types). */
function as(v: Ct2Variable, ftype: 0 | 1, name: string): Buffer {
  if (v.dtype === 4) return ftype === 1 ? v.data : f16ToF32(v.data);
  if (v.dtype === 0) return ftype === 0 ? v.data : f32ToF16(v.data);
  throw new ConversionError(`${name}: CTranslate2 type ${v.dtype} (quantized) cannot be converted; use a float16/float32 model`);
}

/** Size of axis `axis` of a variable; throws when the variable has fewer axes. */
function dim(v: Ct2Variable, axis: number, name: string): number {
  const d = v.shape[axis];
  if (d === undefined) throw new ConversionError(`variable ${name}: shape [${v.shape}] has no axis ${axis}`);
  return d;
}

/** Rows [from, to) of a row-major 2-D (or 1-D) variable. */
function rows(v: Ct2Variable, from: number, to: number, name: string): Ct2Variable {
  const rowBytes = v.data.length / dim(v, 0, name);
  return { shape: [to - from, ...v.shape.slice(1)], dtype: v.dtype, data: v.data.subarray(from * rowBytes, to * rowBytes) };
}

export interface GgmlWhisperInputs {
  ct2: Ct2Model;
  /** OpenAI's mel filter bank for this model's n_mels (whisper/assets/mel_filters.npz, mel_80 or mel_128) */
  melFilters: { shape: number[]; data: Float32Array };
  /** OpenAI's tokenizer ranks: gpt2.tiktoken for English-only models, multilingual.tiktoken otherwise */
  tokens: Buffer[];
}

/** Build the ggml file's bytes (header, filters, vocabulary, then the tensors in OpenAI's checkpoint order). */
export function ct2WhisperToGgml({ ct2, melFilters, tokens }: GgmlWhisperInputs): Buffer[] {
  const vars = ct2.variables;
  const get = (name: string): Ct2Variable => {
    const v = vars.get(name);
    if (!v) throw new ConversionError(`the CTranslate2 model has no variable ${name} (is it a Whisper model? spec ${ct2.spec})`);
    return v;
  };
  const scalar = (name: string, fallback: number) => {
    const v = vars.get(name);
    if (!v) return fallback;
    return v.dtype === 1 ? v.data.readInt8(0) : v.dtype === 2 ? v.data.readInt16LE(0) : v.dtype === 3 ? v.data.readInt32LE(0) : fallback;
  };
  /** Axis `axis` of variable `name`. */
  const size = (name: string, axis: number): number => dim(get(name), axis, name);
  const emb = get('decoder/embeddings/weight');
  const nState = size('decoder/embeddings/weight', 1);
  const layers = (prefix: string) => {
    let n = 0;
    while (vars.has(`${prefix}/layer_${n}/ffn/linear_0/weight`)) n++;
    return n;
  };
  const nAudioLayer = layers('encoder');
  const nTextLayer = layers('decoder');
  const hp = {
    nVocab: size('decoder/embeddings/weight', 0),
    nAudioCtx: size('encoder/position_encodings/encodings', 0),
    nAudioState: size('encoder/conv2/weight', 0),
    nAudioHead: scalar('encoder/num_heads', nState / 64),
    nAudioLayer,
    nTextCtx: size('decoder/position_encodings/encodings', 0),
    nTextState: nState,
    nTextHead: scalar('decoder/num_heads', nState / 64),
    nTextLayer,
    nMels: size('encoder/conv1/weight', 1),
  };
  if (!nAudioLayer || !nTextLayer) throw new ConversionError('the CTranslate2 model has no encoder or decoder layers');
  const [melBands, melBins] = melFilters.shape;
  if (melBands === undefined || melBins === undefined) {
    throw new ConversionError(`mel filters have shape [${melFilters.shape}], expected 2-D`);
  }
  if (melBands !== hp.nMels) throw new ConversionError(`mel filters have ${melBands} bands, the model wants ${hp.nMels}`);

  const tensors: Tensor[] = [];
  const add = (name: string, v: Ct2Variable) => {
    let shape = v.shape.filter((d) => d !== 1); // convert-pt-to-ggml squeezes every tensor
    const [first = 1] = shape; // a fully squeezed tensor is [1]
    if (shape.length === 0) shape = [first];
    if (name === 'encoder.conv1.bias' || name === 'encoder.conv2.bias') shape = [first, 1];
    const f32 = shape.length < 2 || name.endsWith('conv1.bias') || name.endsWith('conv2.bias') || name.endsWith('positional_embedding');
    const ftype = f32 ? 0 : 1;
    tensors.push({ name, shape, ftype, data: as(v, ftype, name) });
  };
  const linear = (to: string, from: string, bias = true) => {
    add(`${to}.weight`, get(`${from}/weight`));
    if (bias) add(`${to}.bias`, get(`${from}/bias`));
  };
  const norm = (to: string, from: string) => {
    add(`${to}.weight`, get(`${from}/gamma`));
    add(`${to}.bias`, get(`${from}/beta`));
  };
  /** fused [q; k; v] (self-attention) or [k; v] (cross-attention) projections, split back into OpenAI's Linear layers */
  const split = (from: string, parts: string[], to: string) => {
    const w = get(`${from}/weight`);
    const b = get(`${from}/bias`);
    parts.forEach((part, i) => {
      add(`${to}.${part}.weight`, rows(w, i * nState, (i + 1) * nState, `${from}/weight`));
      if (part !== 'key') add(`${to}.${part}.bias`, rows(b, i * nState, (i + 1) * nState, `${from}/bias`)); // Whisper's key has no bias
    });
  };
  const block = (to: string, from: string, cross: boolean) => {
    split(`${from}/self_attention/linear_0`, ['query', 'key', 'value'], `${to}.attn`);
    linear(`${to}.attn.out`, `${from}/self_attention/linear_1`);
    norm(`${to}.attn_ln`, `${from}/self_attention/layer_norm`);
    if (cross) {
      linear(`${to}.cross_attn.query`, `${from}/attention/linear_0`);
      split(`${from}/attention/linear_1`, ['key', 'value'], `${to}.cross_attn`);
      linear(`${to}.cross_attn.out`, `${from}/attention/linear_2`);
      norm(`${to}.cross_attn_ln`, `${from}/attention/layer_norm`);
    }
    linear(`${to}.mlp.0`, `${from}/ffn/linear_0`);
    linear(`${to}.mlp.2`, `${from}/ffn/linear_1`);
    norm(`${to}.mlp_ln`, `${from}/ffn/layer_norm`);
  };
  // OpenAI's state_dict order: a module's own parameters, then its buffers, then its children in creation order
  add('encoder.positional_embedding', get('encoder/position_encodings/encodings'));
  linear('encoder.conv1', 'encoder/conv1');
  linear('encoder.conv2', 'encoder/conv2');
  for (let i = 0; i < nAudioLayer; i++) block(`encoder.blocks.${i}`, `encoder/layer_${i}`, false);
  norm('encoder.ln_post', 'encoder/layer_norm');
  add('decoder.positional_embedding', get('decoder/position_encodings/encodings'));
  add('decoder.token_embedding.weight', emb);
  for (let i = 0; i < nTextLayer; i++) block(`decoder.blocks.${i}`, `decoder/layer_${i}`, true);
  norm('decoder.ln', 'decoder/layer_norm');

  const header = Buffer.alloc(4 * 12);
  [
    0x67676d6c,
    hp.nVocab,
    hp.nAudioCtx,
    hp.nAudioState,
    hp.nAudioHead,
    hp.nAudioLayer,
    hp.nTextCtx,
    hp.nTextState,
    hp.nTextHead,
    hp.nTextLayer,
    hp.nMels,
    1,
  ].forEach((x, i) => {
    header.writeInt32LE(x, 4 * i);
  });
  const filt = Buffer.alloc(8 + 4 * melFilters.data.length);
  filt.writeInt32LE(melBands, 0);
  filt.writeInt32LE(melBins, 4);
  melFilters.data.forEach((x, i) => {
    filt.writeFloatLE(x === 0 ? 0 : x, 8 + 4 * i);
  }); // whisper.cpp's files hold +0.0
  // as in whisper.cpp's published files: each token as UTF-8 text (bytes that are no valid UTF-8 become U+FFFD),
  // and English-only models end the list with <|endoftext|>
  const text = tokens.map((t) => Buffer.from(t.toString('utf8'), 'utf8'));
  if (hp.nVocab === 51864) text.push(Buffer.from('<|endoftext|>'));
  const count = Buffer.alloc(4);
  count.writeInt32LE(text.length, 0);
  const vocab: Buffer[] = [count];
  for (const t of text) {
    const len = Buffer.alloc(4);
    len.writeInt32LE(t.length, 0);
    vocab.push(len, t);
  }
  const out: Buffer[] = [header, filt, ...vocab];
  for (const t of tensors) {
    const name = Buffer.from(t.name, 'utf8');
    const th = Buffer.alloc(12 + 4 * t.shape.length);
    th.writeInt32LE(t.shape.length, 0);
    th.writeInt32LE(name.length, 4);
    th.writeInt32LE(t.ftype, 8);
    t.shape
      .slice()
      .reverse()
      .forEach((d, i) => {
        th.writeInt32LE(d, 12 + 4 * i);
      });
    out.push(th, name, t.data);
  }
  return out;
}

/** Convert the CTranslate2 model at `ct2File` with OpenAI's assets into the ggml file `outFile` (written atomically). */
export async function convertCt2Whisper(opts: {
  ct2File: string;
  melFiltersNpy: string;
  tiktokenFile: string;
  outFile: string;
}): Promise<void> {
  const ct2 = parseCt2Model(await readFile(opts.ct2File));
  const melFilters = parseNpyFloat32(await readFile(opts.melFiltersNpy));
  const tokens = parseTiktoken(await readFile(opts.tiktokenFile, 'utf8'));
  const parts = ct2WhisperToGgml({ ct2, melFilters, tokens });
  const tmp = `${opts.outFile}.part`;
  const fh = await open(tmp, 'w');
  try {
    for (const p of parts) await fh.write(p);
  } finally {
    await fh.close();
  }
  await rename(tmp, opts.outFile);
}
