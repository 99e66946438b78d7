// Writes ONNX models as protobuf bytes without a protobuf library: a tiny graph builder (nodes,
// float/int64 initializers, typed inputs/outputs) plus the handful of ONNX messages it needs,
// hand-encoded with protobuf's varint / length-delimited wire format.

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

type AttrValue = number | number[] | string | { floats: number[] };

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

interface InitDef {
  name: string;
  dims: number[];
  type: number;
  raw: Uint8Array;
}

interface IoDef {
  name: string;
  /** number = fixed size, string = symbolic (dynamic) dimension */
  dims: (number | string)[];
}

/** Builds one ONNX graph; `toBytes()` gives a ModelProto. Names are generated unique. */
export class OnnxGraph {
  private nodes: NodeDef[] = [];
  private inits: InitDef[] = [];
  private inputs: IoDef[] = [];
  private outputs: IoDef[] = [];
  private counter = 0;

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  input(name: string, dims: (number | string)[]): string {
    this.inputs.push({ name, dims });
    return name;
  }

  output(name: string, dims: (number | string)[]): void {
    this.outputs.push({ name, dims });
  }

  floatConst(values: Float32Array | number[], dims: number[], hint = 'c'): string {
    const f = values instanceof Float32Array ? values : Float32Array.from(values);
    const name = this.fresh(hint);
    this.inits.push({ name, dims, type: OnnxType.FLOAT, raw: new Uint8Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength)) });
    return name;
  }

  int64Const(values: number[], dims: number[] = [values.length], hint = 'i'): string {
    const name = this.fresh(hint);
    const raw = new Uint8Array(values.length * 8);
    const dv = new DataView(raw.buffer);
    values.forEach((v, k) => {
      dv.setBigInt64(k * 8, BigInt(v), true);
    });
    this.inits.push({ name, dims, type: OnnxType.INT64, raw });
    return name;
  }

  /** Adds a node with one output; returns the output name (or uses `out` when given). */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const o = out ?? this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [o], attrs });
    return o;
  }

  toBytes(opset = 17, producer = 'earshot'): Uint8Array {
    const g = new Writer();
    this.nodes.forEach((n, k) => {
      const w = new Writer();
      for (const i of n.inputs) w.string(1, i);
      for (const o of n.outputs) w.string(2, o);
      w.string(3, `n${k}_${n.op}`);
      w.string(4, n.op);
      for (const [name, v] of Object.entries(n.attrs)) w.message(5, encodeAttr(name, v));
      g.message(1, w);
    });
    g.string(2, 'main');
    for (const t of this.inits) {
      const w = new Writer();
      for (const d of t.dims) w.int(1, d);
      w.int(2, t.type);
      w.string(8, t.name);
      w.bytes(9, t.raw);
      g.message(5, w);
    }
    for (const i of this.inputs) g.message(11, valueInfo(i));
    for (const o of this.outputs) g.message(12, valueInfo(o));

    const m = new Writer();
    m.int(1, 8); // ir_version 8
    m.string(2, producer);
    m.message(7, g);
    m.message(8, new Writer().string(1, '').int(2, opset));
    return m.finish();
  }
}

function encodeAttr(name: string, v: AttrValue): Writer {
  const w = new Writer().string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use { floats: [...] } or an integer`);
    w.int(3, v).int(20, 2); // INT
  } else if (typeof v === 'string') {
    w.string(4, v).int(20, 3); // STRING
  } else if (Array.isArray(v)) {
    for (const x of v) w.int(8, x);
    w.int(20, 7); // INTS
  } else if (v.floats.length === 1 && v.floats[0] !== undefined) {
    w.float(2, v.floats[0]).int(20, 1); // FLOAT
  } else {
    for (const x of v.floats) w.float(7, x);
    w.int(20, 6); // FLOATS
  }
  return w;
}

function valueInfo(io: IoDef): Writer {
  const shape = new Writer();
  for (const d of io.dims) {
    shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  }
  const tensorType = new Writer().int(1, OnnxType.FLOAT).message(2, shape);
  return new Writer().string(1, io.name).message(2, new Writer().message(1, tensorType));
}
