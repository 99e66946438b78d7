// Converts a parsed TFLite graph into an equivalent ONNX model that onnxruntime can run. Covers the
// operators YAMNet's TFLite export uses, with TFLite semantics: NHWC layout (transposed around
// convolutions), SAME/VALID padding, fused activations, depthwise multipliers, per-channel
// dequantization, STRIDED_SLICE masks. Quantized (int8) weights are dequantized to float32 at
// conversion time, so the whole graph runs in float32 (as float reference implementations of YAMNet do).

import { OnnxGraph } from './onnx-proto.js';
import { BuiltinOp, TensorType, type TfliteModel, type TfliteOperator, type TfliteTensor } from './tflite.js';

export interface ConvertOptions {
  /**
   * Make the first dimension of the model input a dynamic batch ("N"). The TFLite graph must be
   * batch-1 and consist of per-example operations along that axis; every tensor then gains a leading
   * batch axis. Operations that would mix examples (or act on the batch axis) make the conversion throw.
   */
  dynamicBatch?: boolean;
}

const ACT_NONE = 0;
const ACT_RELU = 1;
const ACT_RELU_N1_TO_1 = 2;
const ACT_RELU6 = 3;
const ACT_TANH = 4;

const INT64_MAX = Number.MAX_SAFE_INTEGER; // ONNX Slice clamps ends; a safe-integer "infinity" suffices

function elements(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A rank-4 shape as a tuple; throws when the tensor has another rank. */
function shape4(t: TfliteTensor): [number, number, number, number] {
  const [a, b, c, d] = t.shape;
  if (t.shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`tensor ${t.name}: expected a rank-4 shape, got [${t.shape}]`);
  }
  return [a, b, c, d];
}

/** Element `k` of a list read from the model; throws (naming `what`) when the list is shorter. */
function at<T>(xs: readonly T[], k: number, what: string): T {
  const x = xs[k];
  if (x === undefined) throw new Error(`${what}: no element ${k} (length ${xs.length})`);
  return x;
}

/** Operator input `k` (a tensor index); throws when the operator has fewer inputs. */
function inputOf(o: TfliteOperator, k: number): number {
  const i = o.inputs[k];
  if (i === undefined) throw new Error(`TFLite operator ${o.op} has no input ${k}`);
  return i;
}

/** Dequantized float values of an int8/uint8/float32 constant tensor. */
export function constFloat(t: TfliteTensor): Float32Array {
  if (!t.data) throw new Error(`tensor ${t.name} is not a constant`);
  const n = elements(t.shape);
  const d = t.data;
  if (t.type === TensorType.FLOAT32) {
    return new Float32Array(d.buffer.slice(d.byteOffset, d.byteOffset + n * 4));
  }
  if (t.type !== TensorType.INT8 && t.type !== TensorType.UINT8) {
    throw new Error(`tensor ${t.name}: cannot read constant of TFLite type ${t.type} as float`);
  }
  const q = t.quantization;
  if (!q) throw new Error(`tensor ${t.name}: int8 constant without quantization parameters`);
  const out = new Float32Array(n);
  const axis = q.quantizedDimension;
  const inner = elements(t.shape.slice(axis + 1));
  const perChannel = q.scale.length > 1;
  const channels = perChannel ? t.shape[axis] : 1;
  // checked once here so the loop's indices are provably in range: c < channels === scale.length, i < n <= d.length
  if (channels === undefined || (perChannel && q.scale.length !== channels) || q.scale.length === 0 || d.length < n) {
    throw new Error(`tensor ${t.name}: quantization parameters or data do not match its shape [${t.shape}]`);
  }
  for (let i = 0; i < n; i++) {
    const c = perChannel ? Math.floor(i / inner) % channels : 0;
    const raw = t.type === TensorType.INT8 ? (d[i]! << 24) >> 24 : d[i]!;
    out[i] = (raw - (q.zeroPoint[c] ?? 0)) * q.scale[c]!;
  }
  return out;
}

function constInts(t: TfliteTensor): number[] {
  if (!t.data) throw new Error(`tensor ${t.name} must be constant (dynamic shapes are not supported)`);
  const d = t.data;
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const n = elements(t.shape);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(t.type === TensorType.INT64 ? Number(dv.getBigInt64(i * 8, true)) : dv.getInt32(i * 4, true));
  }
  return out;
}

/** Transposes a constant laid out [O, H, W, I] to [O, I, H, W]. */
function ohwiToOihw(v: Float32Array, [o, h, w, i]: [number, number, number, number]): Float32Array {
  const out = new Float32Array(v.length);
  for (let a = 0; a < o; a++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let c = 0; c < i; c++) out[((a * i + c) * h + y) * w + x] = v[((a * h + y) * w + x) * i + c]!;
  return out;
}

/** TFLite SAME padding: the extra pixel (if any) goes at the end. */
function samePads(inSize: number, k: number, stride: number, dil: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const effK = (k - 1) * dil + 1;
  const total = Math.max((out - 1) * stride + effK - inSize, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

export function tfliteToOnnx(model: TfliteModel, options: ConvertOptions = {}): Uint8Array {
  const batched = options.dynamicBatch ?? false;
  const g = new OnnxGraph();
  const names = new Map<number, string>();
  const T = model.tensors;
  /** Tensor `i` of the model; throws on an index the model does not have. */
  const tensor = (i: number): TfliteTensor => {
    const t = T[i];
    if (t === undefined) throw new Error(`TFLite tensor index ${i} is out of range (${T.length} tensors)`);
    return t;
  };

  // With a dynamic batch, every activation tensor gets a leading batch axis. TFLite shapes that already
  // start with 1 (NHWC tensors, [1,K] rows) use that axis as the batch; others get one prepended.
  // `lead[i]` says whether tensor i's own leading 1 is the batch axis.
  const lead = new Map<number, boolean>();
  const bshape = (i: number): number[] => {
    const s = tensor(i).shape;
    if (!batched) return s;
    return lead.get(i) ? s.slice(1) : s;
  };
  /** ONNX shape (with batch as -1 / 0 when batched) for a reshape target. */
  const onnxShape = (i: number): number[] => (batched ? [-1, ...bshape(i)] : tensor(i).shape);
  /** Offset of TFLite axis `a` of tensor i in the ONNX tensor. */
  const axisOf = (i: number, a: number): number => {
    if (!batched) return a;
    if (lead.get(i)) {
      if (a === 0) throw new Error(`operation on the batch axis of ${tensor(i).name} cannot be batched`);
      return a;
    }
    return a + 1;
  };

  // constants computed at conversion time (DEQUANTIZE of a constant)
  const folded = new Map<number, Float32Array>();
  const floatValue = (i: number): Float32Array => folded.get(i) ?? constFloat(tensor(i));

  const nameOf = (i: number): string => {
    const n = names.get(i);
    if (n !== undefined) return n;
    const t = tensor(i);
    if (!t.data && !folded.has(i)) throw new Error(`TFLite tensor ${t.name} is used before it is computed`);
    const c = g.floatConst(floatValue(i), t.shape, 'w');
    names.set(i, c);
    return c;
  };

  const input = model.inputs[0];
  if (model.inputs.length !== 1 || input === undefined) throw new Error('only single-input TFLite models are supported');
  if (batched) {
    if (tensor(input).shape[0] !== 1) throw new Error('dynamicBatch needs a model whose input starts with a batch of 1');
    lead.set(input, true);
    names.set(input, g.input('input', ['N', ...tensor(input).shape.slice(1)]));
  } else {
    names.set(input, g.input('input', tensor(input).shape));
  }

  const activation = (x: string, act: number): string => {
    switch (act) {
      case ACT_NONE:
        return x;
      case ACT_RELU:
        return g.node('Relu', [x]);
      case ACT_RELU6:
        return g.node('Clip', [x, g.floatConst([0], []), g.floatConst([6], [])]);
      case ACT_RELU_N1_TO_1:
        return g.node('Clip', [x, g.floatConst([-1], []), g.floatConst([1], [])]);
      case ACT_TANH:
        return g.node('Tanh', [x]);
      default:
        throw new Error(`unsupported fused activation ${act}`);
    }
  };

  for (const o of model.operators) {
    const out = at(o.outputs, 0, `outputs of TFLite operator ${o.op}`);
    const x0 = inputOf(o, 0);
    // by default an output inherits "leading axis is batch" from its first input
    if (batched) lead.set(out, lead.get(x0) ?? false);
    let result: string;
    switch (o.op) {
      case BuiltinOp.DEQUANTIZE: {
        const t = tensor(x0);
        if (!t.data) throw new Error('DEQUANTIZE of a non-constant tensor is not supported');
        folded.set(out, constFloat(t));
        lead.delete(out);
        continue;
      }
      case BuiltinOp.RESHAPE: {
        if (batched) {
          // the batch axis stays outermost; a leading 1 in the target becomes the batch axis when
          // the input's batch axis was its own leading 1, otherwise the batch axis is prepended
          const target = tensor(out).shape;
          lead.set(out, target[0] === 1 && elements(target) === elements(bshape(x0)));
        }
        result = g.node('Reshape', [nameOf(x0), g.int64Const(onnxShape(out))]);
        break;
      }
      case BuiltinOp.SLICE: {
        const begin = constInts(tensor(inputOf(o, 1)));
        const size = constInts(tensor(inputOf(o, 2)));
        const shape = tensor(x0).shape;
        const ends = size.map((s, a) => (s === -1 ? at(shape, a, 'SLICE input shape') : at(begin, a, 'SLICE begin') + s));
        const axes = begin.map((_, a) => axisOf(x0, a));
        result = g.node('Slice', [nameOf(x0), g.int64Const(begin), g.int64Const(ends), g.int64Const(axes)]);
        break;
      }
      case BuiltinOp.STRIDED_SLICE: {
        // absent fields take the schema defaults, as in TFLite's own reader
        const { beginMask = 0, endMask = 0, ellipsisMask: ellipsis = 0, newAxisMask: newAxis = 0, shrinkAxisMask: shrink = 0 } = o.options;
        if (ellipsis || newAxis) throw new Error('STRIDED_SLICE with ellipsis/new-axis masks is not supported');
        const begin = constInts(tensor(inputOf(o, 1)));
        const end = constInts(tensor(inputOf(o, 2)));
        const stridesAt = o.inputs[3];
        const strides = stridesAt !== undefined ? constInts(tensor(stridesAt)) : begin.map(() => 1);
        const starts: number[] = [];
        const ends: number[] = [];
        begin.forEach((b, a) => {
          const neg = at(strides, a, 'STRIDED_SLICE strides') < 0;
          starts.push(beginMask & (1 << a) ? (neg ? -1 : 0) : b);
          if (shrink & (1 << a)) ends.push(b === -1 ? INT64_MAX : b + 1);
          else ends.push(endMask & (1 << a) ? (neg ? -INT64_MAX : INT64_MAX) : at(end, a, 'STRIDED_SLICE end'));
        });
        const axes = begin.map((_, a) => axisOf(x0, a));
        const sliced = g.node('Slice', [nameOf(x0), g.int64Const(starts), g.int64Const(ends), g.int64Const(axes), g.int64Const(strides)]);
        result = g.node('Reshape', [sliced, g.int64Const(onnxShape(out))]);
        break;
      }
      case BuiltinOp.GATHER: {
        if (o.options.batchDims) throw new Error('GATHER with batch_dims is not supported');
        let { axis = 0 } = o.options;
        if (axis < 0) axis += tensor(x0).shape.length;
        const idx = tensor(inputOf(o, 1));
        const indices = g.int64Const(constInts(idx), idx.shape);
        if (batched && lead.get(x0) && axis === 0) throw new Error('GATHER along the batch axis cannot be batched');
        // gather output: x.shape[:axis] + indices.shape + x.shape[axis+1:]; batch axis (if any) stays first
        if (batched) lead.set(out, !!lead.get(x0) && idx.shape.length > 0);
        result = g.node('Gather', [nameOf(x0), indices], { axis: axisOf(x0, axis) });
        if (batched && lead.get(x0) !== lead.get(out)) throw new Error('GATHER changes the batch layout; cannot batch');
        break;
      }
      case BuiltinOp.MUL:
      case BuiltinOp.ADD: {
        const a = nameOf(inputOf(o, 0));
        const b = nameOf(inputOf(o, 1));
        if (batched) {
          // constants broadcast from the right against [N, ...]; activations must have the output's rank
          if (o.inputs.some((i) => !tensor(i).data && !folded.has(i) && tensor(i).shape.length !== tensor(out).shape.length)) {
            throw new Error('broadcasting between activations of different rank cannot be batched');
          }
          lead.set(
            out,
            o.inputs.some((i) => lead.get(i)),
          );
        }
        const r = g.node(o.op === BuiltinOp.MUL ? 'Mul' : 'Add', [a, b]);
        result = activation(r, o.options.activation ?? ACT_NONE);
        break;
      }
      case BuiltinOp.PAD: {
        const pads = constInts(tensor(inputOf(o, 1)));
        const rank = tensor(x0).shape.length;
        const before: number[] = [];
        const after: number[] = [];
        for (let a = 0; a < rank; a++) {
          before.push(at(pads, 2 * a, 'PAD paddings'));
          after.push(at(pads, 2 * a + 1, 'PAD paddings'));
        }
        if (batched && !lead.get(x0)) {
          before.unshift(0);
          after.unshift(0);
        } else if (batched && (before[0] || after[0])) {
          throw new Error('PAD on the batch axis cannot be batched');
        }
        result = g.node('Pad', [nameOf(x0), g.int64Const([...before, ...after])], { mode: 'constant' });
        break;
      }
      case BuiltinOp.SQRT:
        result = g.node('Sqrt', [nameOf(x0)]);
        break;
      case BuiltinOp.LOG:
        result = g.node('Log', [nameOf(x0)]);
        break;
      case BuiltinOp.LOGISTIC:
        result = g.node('Sigmoid', [nameOf(x0)]);
        break;
      case BuiltinOp.MEAN: {
        const axes = constInts(tensor(inputOf(o, 1))).map((a) => (a < 0 ? a + tensor(x0).shape.length : a));
        const keep = o.options.keepDims === 1;
        if (batched && !keep) lead.set(out, !!lead.get(x0) && !axes.includes(0));
        result = g.node('ReduceMean', [nameOf(x0)], { axes: axes.map((a) => axisOf(x0, a)), keepdims: keep ? 1 : 0 });
        break;
      }
      case BuiltinOp.FULLY_CONNECTED: {
        const p = o.options;
        const act = p.activation ?? ACT_NONE;
        if (p.weightsFormat) throw new Error('FULLY_CONNECTED with shuffled weights is not supported');
        const w = tensor(inputOf(o, 1));
        const k = at(w.shape, 1, `FULLY_CONNECTED weights ${w.name}`);
        const hasBias = o.inputs.length > 2 && inputOf(o, 2) >= 0;
        // TFLite flattens everything but the last axis into rows
        const x2d = g.node('Reshape', [nameOf(x0), g.int64Const([-1, k])]);
        const inputs = [x2d, nameOf(inputOf(o, 1))];
        if (hasBias) inputs.push(nameOf(inputOf(o, 2)));
        let y = g.node('Gemm', inputs, { transB: 1 });
        y = activation(y, act);
        if (batched) {
          const outShape = tensor(out).shape;
          lead.set(out, outShape[0] === 1 && outShape.length === 2);
          if (!lead.get(out) && p.keepNumDims) throw new Error('keep_num_dims FULLY_CONNECTED cannot be batched');
        }
        result = g.node('Reshape', [y, g.int64Const(onnxShape(out))]);
        break;
      }
      case BuiltinOp.CONV_2D:
      case BuiltinOp.DEPTHWISE_CONV_2D: {
        const depthwise = o.op === BuiltinOp.DEPTHWISE_CONV_2D;
        // absent fields take the schema defaults, as in TFLite's own reader; padding 0 SAME, 1 VALID
        const { padding = 0, strideW = 1, strideH = 1, dilationW: dilW = 1, dilationH: dilH = 1, activation: act = ACT_NONE } = o.options;
        const mult = depthwise ? (o.options.depthMultiplier ?? 1) : 1;
        const [, inH, inW, inC] = shape4(tensor(x0));
        const w = tensor(inputOf(o, 1));
        if (!w.data && !folded.has(inputOf(o, 1))) throw new Error('convolution weights must be constant');
        // weights: CONV [O,KH,KW,I]; DEPTHWISE [1,KH,KW,C*mult] -> ONNX [C*mult,1,KH,KW]
        const wShape = shape4(w);
        const [wO, kh, kw, wI] = wShape;
        const wVals = floatValue(inputOf(o, 1));
        if (wVals.length < elements(wShape)) throw new Error(`convolution weights ${w.name} hold fewer values than their shape`);
        let wOnnx: Float32Array;
        let wDims: number[];
        if (depthwise) {
          const outC = wI;
          wOnnx = new Float32Array(wVals.length);
          // indices stay below kh*kw*outC <= wVals.length (checked above)
          for (let y = 0; y < kh; y++)
            for (let x = 0; x < kw; x++) for (let c = 0; c < outC; c++) wOnnx[(c * kh + y) * kw + x] = wVals[(y * kw + x) * outC + c]!;
          wDims = [outC, 1, kh, kw];
        } else {
          wOnnx = ohwiToOihw(wVals, wShape);
          wDims = [wO, wI, kh, kw];
        }
        const [pt, pb] = padding === 0 ? samePads(inH, kh, strideH, dilH) : [0, 0];
        const [pl, pr] = padding === 0 ? samePads(inW, kw, strideW, dilW) : [0, 0];
        const attrs = {
          strides: [strideH, strideW],
          dilations: [dilH, dilW],
          pads: [pt, pl, pb, pr],
          group: depthwise ? inC : 1,
          kernel_shape: [kh, kw],
        };
        if (depthwise && wDims[0] !== inC * mult) throw new Error('depthwise multiplier does not match weights');
        if (batched && !lead.get(x0)) throw new Error('convolution input must be NHWC with the batch as its leading axis');
        const nchw = g.node('Transpose', [nameOf(x0)], { perm: [0, 3, 1, 2] });
        const hasBias = o.inputs.length > 2 && inputOf(o, 2) >= 0;
        const inputs = [nchw, g.floatConst(wOnnx, wDims, 'w')];
        if (hasBias) inputs.push(nameOf(inputOf(o, 2)));
        let y = g.node('Conv', inputs, attrs);
        y = activation(y, act);
        result = g.node('Transpose', [y], { perm: [0, 2, 3, 1] });
        lead.set(out, true);
        break;
      }
      default:
        throw new Error(`TFLite operator code ${o.op}${o.customCode ? ` (${o.customCode})` : ''} is not supported by this converter`);
    }
    names.set(out, result);
  }

  model.outputs.forEach((i, k) => {
    const name = `output${k}`;
    g.node('Identity', [nameOf(i)], {}, name);
    g.output(name, batched ? ['N', ...bshape(i)] : tensor(i).shape);
  });
  return g.toBytes(17);
}
