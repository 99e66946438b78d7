// Reads a TensorFlow Lite model file (a FlatBuffer) into plain objects: the subgraph's tensors,
// operators with their builtin options, and the constant buffers. Only the parts of the TFLite schema
// a float/int8 inference graph needs are decoded; everything else is skipped.

/** TFLite TensorType enum values (schema.fbs). */
export const TensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
} as const;
import { EarshotError } from '../../domain/errors.js';

/** The TFLite BuiltinOperator codes this project understands (schema.fbs numbering). */
export const BuiltinOp = {
  ADD: 0,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MUL: 18,
  RESHAPE: 22,
  PAD: 34,
  GATHER: 36,
  MEAN: 40,
  STRIDED_SLICE: 45,
  SLICE: 65,
  LOG: 73,
  SQRT: 75,
} as const;

export interface TfliteQuantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: number;
  /** constant contents (raw little-endian bytes), or undefined for activations */
  data?: Uint8Array;
  quantization?: TfliteQuantization;
}

export interface TfliteOperator {
  /** builtin operator code (see BuiltinOp); -1 for custom operators */
  op: number;
  customCode?: string;
  inputs: number[];
  outputs: number[];
  /** builtin options by name (booleans as 0/1); absent fields hold the schema defaults */
  options: OpOptions;
}

export type OpOptions = Record<string, number>;

/** BuiltinOptions union member -> its fields in schema order, with defaults. */
const OPTION_FIELDS: Record<number, [string, 'i8' | 'i32' | 'bool', number][]> = {
  1: [
    ['padding', 'i8', 0],
    ['strideW', 'i32', 1],
    ['strideH', 'i32', 1],
    ['activation', 'i8', 0],
    ['dilationW', 'i32', 1],
    ['dilationH', 'i32', 1],
  ],
  2: [
    ['padding', 'i8', 0],
    ['strideW', 'i32', 1],
    ['strideH', 'i32', 1],
    ['depthMultiplier', 'i32', 1],
    ['activation', 'i8', 0],
    ['dilationW', 'i32', 1],
    ['dilationH', 'i32', 1],
  ],
  8: [
    ['activation', 'i8', 0],
    ['weightsFormat', 'i8', 0],
    ['keepNumDims', 'bool', 0],
    ['asymmetricQuantizeInputs', 'bool', 0],
  ],
  11: [['activation', 'i8', 0]],
  21: [['activation', 'i8', 0]],
  23: [
    ['axis', 'i32', 0],
    ['batchDims', 'i32', 0],
  ],
  27: [['keepDims', 'bool', 0]],
  32: [
    ['beginMask', 'i32', 0],
    ['endMask', 'i32', 0],
    ['ellipsisMask', 'i32', 0],
    ['newAxisMask', 'i32', 0],
    ['shrinkAxisMask', 'i32', 0],
    ['offset', 'bool', 0],
  ],
};

function decodeOptions(type: number, t: FbTable | undefined): OpOptions {
  const out: OpOptions = {};
  for (const [k, [name, kind, dflt]] of (OPTION_FIELDS[type] ?? []).entries()) {
    out[name] = !t ? dflt : kind === 'i8' ? t.int8(k, dflt) : kind === 'i32' ? t.int32(k, dflt) : Number(t.bool(k, dflt !== 0));
  }
  return out;
}

export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

/** A view on one FlatBuffer table: typed accessors by field index. */
export class FbTable {
  private readonly vtable: number;
  private readonly vtableSize: number;

  constructor(
    private readonly view: DataView,
    readonly pos: number,
  ) {
    this.vtable = pos - view.getInt32(pos, true);
    this.vtableSize = view.getUint16(this.vtable, true);
  }

  /** Absolute position of field `i`, or 0 if absent. */
  private field(i: number): number {
    const entry = 4 + 2 * i;
    if (entry >= this.vtableSize) return 0;
    const off = this.view.getUint16(this.vtable + entry, true);
    return off === 0 ? 0 : this.pos + off;
  }

  has(i: number): boolean {
    return this.field(i) !== 0;
  }

  int8(i: number, dflt = 0): number {
    const p = this.field(i);
    return p ? this.view.getInt8(p) : dflt;
  }

  uint8(i: number, dflt = 0): number {
    const p = this.field(i);
    return p ? this.view.getUint8(p) : dflt;
  }

  bool(i: number, dflt = false): boolean {
    const p = this.field(i);
    return p ? this.view.getUint8(p) !== 0 : dflt;
  }

  int32(i: number, dflt = 0): number {
    const p = this.field(i);
    return p ? this.view.getInt32(p, true) : dflt;
  }

  uint32(i: number, dflt = 0): number {
    const p = this.field(i);
    return p ? this.view.getUint32(p, true) : dflt;
  }

  uint64(i: number, dflt = 0): number {
    const p = this.field(i);
    return p ? Number(this.view.getBigUint64(p, true)) : dflt;
  }

  private deref(i: number): number {
    const p = this.field(i);
    return p ? p + this.view.getUint32(p, true) : 0;
  }

  table(i: number): FbTable | undefined {
    const p = this.deref(i);
    return p ? new FbTable(this.view, p) : undefined;
  }

  string(i: number): string | undefined {
    const p = this.deref(i);
    if (!p) return undefined;
    const len = this.view.getUint32(p, true);
    return new TextDecoder().decode(new Uint8Array(this.view.buffer, this.view.byteOffset + p + 4, len));
  }

  /** Vector of scalars; `size` bytes per element, read with `get`. */
  private vector<T>(i: number, size: number, get: (pos: number) => T): T[] {
    const p = this.deref(i);
    if (!p) return [];
    const len = this.view.getUint32(p, true);
    const out: T[] = new Array(len);
    for (let k = 0; k < len; k++) out[k] = get(p + 4 + k * size);
    return out;
  }

  int32s(i: number): number[] {
    return this.vector(i, 4, (q) => this.view.getInt32(q, true));
  }

  float32s(i: number): number[] {
    return this.vector(i, 4, (q) => this.view.getFloat32(q, true));
  }

  int64s(i: number): number[] {
    return this.vector(i, 8, (q) => Number(this.view.getBigInt64(q, true)));
  }

  bytes(i: number): Uint8Array | undefined {
    const p = this.deref(i);
    if (!p) return undefined;
    const len = this.view.getUint32(p, true);
    return new Uint8Array(this.view.buffer, this.view.byteOffset + p + 4, len);
  }

  tables(i: number): FbTable[] {
    return this.vector(i, 4, (q) => new FbTable(this.view, q + this.view.getUint32(q, true)));
  }
}

/** Parses a .tflite file. Throws with a clear message if the bytes are not a TFLite model. */
export function parseTflite(bytes: Uint8Array): TfliteModel {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(4, 8)) !== 'TFL3') {
    throw new EarshotError('TFLITE_NOT_A_MODEL');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const model = new FbTable(view, view.getUint32(0, true));

  const opcodes = model.tables(1).map((oc) => {
    // builtin_code (field 3) supersedes the deprecated int8 code (field 0) for codes >= 127
    const code = Math.max(oc.int8(0), oc.int32(3));
    return { code, custom: oc.string(1) };
  });

  const buffers = model.tables(4).map((b) => {
    const data = b.bytes(0);
    if (data && data.length > 0) return data;
    const offset = b.uint64(1);
    const size = b.uint64(2);
    if (offset > 1 && size > 0) return bytes.subarray(offset, offset + size);
    return undefined;
  });

  const [sg] = model.tables(2);
  if (!sg) throw new EarshotError('TFLITE_NO_SUBGRAPH');

  const tensors: TfliteTensor[] = sg.tables(0).map((t, index) => {
    const q = t.table(4);
    let quantization: TfliteQuantization | undefined;
    if (q) {
      const scale = q.float32s(2);
      if (scale.length > 0) {
        quantization = { scale, zeroPoint: q.int64s(3), quantizedDimension: q.int32(6) };
      }
    }
    const bufIndex = t.uint32(2);
    return {
      index,
      name: t.string(3) ?? `t${index}`,
      shape: t.int32s(0),
      type: t.int8(1),
      data: bufIndex > 0 ? buffers[bufIndex] : undefined,
      quantization,
    };
  });

  const operators: TfliteOperator[] = sg.tables(3).map((o) => {
    const oc = opcodes[o.uint32(0)];
    if (!oc) throw new Error(`TFLite operator refers to opcode ${o.uint32(0)}, but the model defines ${opcodes.length}`);
    return {
      op: oc.custom !== undefined && oc.code === 32 ? -1 : oc.code,
      customCode: oc.custom,
      inputs: o.int32s(1),
      outputs: o.int32s(2),
      options: decodeOptions(o.uint8(3), o.table(4)),
    };
  });

  return {
    version: model.uint32(0),
    description: model.string(3) ?? '',
    tensors,
    operators,
    inputs: sg.int32s(1),
    outputs: sg.int32s(2),
  };
}
