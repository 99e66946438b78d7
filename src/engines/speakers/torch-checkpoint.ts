// Reads the float tensors of a PyTorch checkpoint in the legacy (pre-1.6, non-zip) serialisation: five
// pickles (magic, protocol, system info, the object, the storage keys) followed by the raw storages.
// A small pickle machine covers the opcodes torch.save emits; classes are recorded, never executed.

const LEGACY_MAGIC = 119547037146038801333356n;

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

interface StorageRef {
  kind: 'storage';
  key: string;
  type: string;
  size: number;
}
interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}
interface Global {
  kind: 'global';
  module: string;
  name: string;
}
type Value = unknown;

const MARK = Symbol('mark');
const ELEMENT_BYTES: Record<string, number> = { FloatStorage: 4 };

class PickleReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  /** Runs one pickle from the current position to its STOP and returns its value. */
  load(): Value {
    const stack: Value[] = [];
    const memo = new Map<number, Value>();
    const b = this.buf;
    const popMark = (): Value[] => {
      const i = stack.lastIndexOf(MARK);
      if (i < 0) throw new Error('pickle: MARK missing');
      const items = stack.splice(i);
      items.shift();
      return items;
    };
    const top = (): Value => stack[stack.length - 1];
    for (;;) {
      const op = b[this.pos++];
      switch (op) {
        case 0x80:
          this.pos++;
          break; // PROTO
        case 0x2e:
          return stack.pop(); // STOP
        case 0x7d:
          stack.push(new Map());
          break; // EMPTY_DICT
        case 0x5d:
          stack.push([]);
          break; // EMPTY_LIST
        case 0x29:
          stack.push([]);
          break; // EMPTY_TUPLE
        case 0x28:
          stack.push(MARK);
          break; // MARK
        case 0x4e:
          stack.push(null);
          break; // NONE
        case 0x88:
          stack.push(true);
          break; // NEWTRUE
        case 0x89:
          stack.push(false);
          break; // NEWFALSE
        case 0x4b:
          stack.push(b[this.pos++]);
          break; // BININT1
        case 0x4d:
          stack.push(b.readUInt16LE(this.pos));
          this.pos += 2;
          break; // BININT2
        case 0x4a:
          stack.push(b.readInt32LE(this.pos));
          this.pos += 4;
          break; // BININT
        case 0x47:
          stack.push(b.readDoubleBE(this.pos));
          this.pos += 8;
          break; // BINFLOAT
        case 0x8a: {
          // LONG1: little-endian two's complement of n bytes
          const n = b[this.pos++] ?? 0;
          let v = 0n;
          for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[this.pos + i] ?? 0);
          if (n > 0 && ((b[this.pos + n - 1] ?? 0) & 0x80) !== 0) v -= 1n << BigInt(8 * n);
          this.pos += n;
          stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
          break;
        }
        case 0x58: {
          // BINUNICODE
          const n = b.readUInt32LE(this.pos);
          stack.push(b.toString('utf8', this.pos + 4, this.pos + 4 + n));
          this.pos += 4 + n;
          break;
        }
        case 0x63: {
          // GLOBAL "module\nname\n"
          const nl1 = b.indexOf(0x0a, this.pos);
          const nl2 = b.indexOf(0x0a, nl1 + 1);
          stack.push({
            kind: 'global',
            module: b.toString('latin1', this.pos, nl1),
            name: b.toString('latin1', nl1 + 1, nl2),
          } satisfies Global);
          this.pos = nl2 + 1;
          break;
        }
        case 0x71:
          memo.set(b[this.pos++] ?? 0, top());
          break; // BINPUT
        case 0x72:
          memo.set(b.readUInt32LE(this.pos), top());
          this.pos += 4;
          break; // LONG_BINPUT
        case 0x68:
          stack.push(memo.get(b[this.pos++] ?? 0));
          break; // BINGET
        case 0x6a:
          stack.push(memo.get(b.readUInt32LE(this.pos)));
          this.pos += 4;
          break; // LONG_BINGET
        case 0x74:
          stack.push(popMark());
          break; // TUPLE
        case 0x85:
          stack.push([stack.pop()]);
          break; // TUPLE1
        case 0x86: {
          const y = stack.pop();
          const x = stack.pop();
          stack.push([x, y]);
          break;
        } // TUPLE2
        case 0x87: {
          const z = stack.pop();
          const y = stack.pop();
          const x = stack.pop();
          stack.push([x, y, z]);
          break;
        } // TUPLE3
        case 0x61: {
          const v = stack.pop();
          (top() as Value[]).push(v);
          break;
        } // APPEND
        case 0x65: {
          const items = popMark();
          (top() as Value[]).push(...items);
          break;
        } // APPENDS
        case 0x73: {
          const v = stack.pop();
          const k = stack.pop();
          (top() as Map<Value, Value>).set(k, v);
          break;
        } // SETITEM
        case 0x75: {
          // SETITEMS
          const items = popMark();
          const d = top() as Map<Value, Value>;
          for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
          break;
        }
        case 0x51:
          stack.push(persistent(stack.pop()));
          break; // BINPERSID
        case 0x52: {
          const args = stack.pop() as Value[];
          const fn = stack.pop() as Global;
          stack.push(reduce(fn, args));
          break;
        } // REDUCE
        case 0x62:
          stack.pop();
          break; // BUILD: state of an already-built object (OrderedDict metadata) is not needed
        default:
          throw new Error(`pickle: unsupported opcode 0x${(op ?? 0).toString(16)} at byte ${this.pos - 1}`);
      }
    }
  }
}

function persistent(pid: Value): StorageRef {
  const t = pid as [string, Global, string, string, number];
  if (!Array.isArray(t) || t[0] !== 'storage') throw new Error('pickle: unexpected persistent id');
  return { kind: 'storage', type: t[1].name, key: t[2], size: t[4] };
}

function reduce(fn: Global, args: Value[]): Value {
  if (fn.name === '_rebuild_tensor_v2' || fn.name === '_rebuild_tensor') {
    const [storage, offset, shape, stride] = args as [StorageRef, number, number[], number[]];
    return { kind: 'tensor', storage, offset, shape, stride } satisfies TensorRef;
  }
  if (fn.module === 'collections' && fn.name === 'OrderedDict') return new Map();
  return { kind: 'object', fn, args };
}

/** The float tensors of `model_state` (or of the top-level dict) by name, from a legacy torch.save file. */
export function readLegacyCheckpoint(buf: Buffer, stateKey = 'model_state'): Map<string, Tensor> {
  const r = new PickleReader(buf);
  const magic = r.load();
  if (BigInt(magic as number | bigint) !== LEGACY_MAGIC) {
    throw new Error('not a legacy PyTorch checkpoint (zip-format checkpoints are not supported by this reader)');
  }
  r.load(); // protocol version
  r.load(); // system info
  const root = r.load() as Map<string, Value>;
  const keys = r.load() as string[];
  // Raw storages follow in key order, each an int64 element count and the elements.
  const offsets = new Map<string, number>();
  const tensors: TensorRef[] = [];
  const collect = (v: Value): void => {
    if (v instanceof Map) for (const x of v.values()) collect(x);
    else if (v && typeof v === 'object' && (v as TensorRef).kind === 'tensor') tensors.push(v as TensorRef);
  };
  collect(root);
  const typeOf = new Map(tensors.map((t) => [t.storage.key, t.storage.type]));
  let pos = r.pos;
  for (const key of keys) {
    const count = Number(buf.readBigInt64LE(pos));
    pos += 8;
    offsets.set(key, pos);
    const bytes = ELEMENT_BYTES[typeOf.get(key) ?? 'FloatStorage'];
    if (bytes === undefined) throw new Error(`unsupported storage type ${typeOf.get(key)}`);
    pos += count * bytes;
  }
  if (pos !== buf.length) throw new Error(`checkpoint is ${buf.length} bytes but its storages end at ${pos}`);
  const state = root.get(stateKey) ?? root;
  if (!(state instanceof Map)) throw new Error(`checkpoint has no ${stateKey}`);
  const out = new Map<string, Tensor>();
  for (const [name, v] of state) {
    const t = v as TensorRef;
    if (!t || t.kind !== 'tensor' || t.storage.type !== 'FloatStorage') continue;
    const base = offsets.get(t.storage.key);
    if (base === undefined) throw new Error(`storage ${t.storage.key} of ${String(name)} missing`);
    const n = t.shape.reduce((a, d) => a * d, 1);
    const contiguous = t.stride.every((s, i) => s === t.shape.slice(i + 1).reduce((a, d) => a * d, 1));
    if (!contiguous) throw new Error(`tensor ${String(name)} is not contiguous`);
    const data = new Float32Array(n);
    const start = base + t.offset * 4;
    for (let i = 0; i < n; i++) data[i] = buf.readFloatLE(start + i * 4);
    out.set(String(name), { shape: t.shape, data });
  }
  return out;
}
