// Checks the TFLite -> ONNX converter's operator semantics on small hand-built graphs against
// straightforward NHWC loops written here, plus the parser on the real YAMNet file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { tfliteToOnnx } from '../../../src/engines/sounds/convert.js';
import { BuiltinOp, parseTflite, TensorType, type TfliteModel, type TfliteTensor } from '../../../src/engines/sounds/tflite.js';
import { YAMNET_DIR } from '../../helpers.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const f32 = (v: Float32Array): Uint8Array => new Uint8Array(v.buffer.slice(0));
const act = (index: number, name: string, shape: number[]): TfliteTensor => ({ index, name, shape, type: TensorType.FLOAT32 });
const cst = (index: number, name: string, shape: number[], v: Float32Array): TfliteTensor => ({
  index,
  name,
  shape,
  type: TensorType.FLOAT32,
  data: f32(v),
});
const ints = (index: number, name: string, v: number[]): TfliteTensor => ({
  index,
  name,
  shape: [v.length],
  type: TensorType.INT32,
  data: new Uint8Array(Int32Array.from(v).buffer),
});

async function run(model: TfliteModel, input: Float32Array, batched: boolean): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(tfliteToOnnx(model, { dynamicBatch: batched }));
  const shape = model.tensors[model.inputs[0]].shape;
  const out = await session.run({ input: new ort.Tensor('float32', input, shape) });
  await session.release();
  return out.output0.data as Float32Array;
}

/** TF "SAME": output ceil(in/stride), padding split with the odd pixel after. */
function padBefore(inSize: number, k: number, stride: number): number {
  const outSize = Math.ceil(inSize / stride);
  return Math.floor(Math.max(0, (outSize - 1) * stride + k - inSize) / 2);
}

test('CONV_2D (SAME, stride 2, per-channel int8 weights, RELU6) then DEPTHWISE (VALID, multiplier 2) match NHWC loops', async () => {
  const r = rng(7);
  const [H, W, C, O, K] = [5, 6, 3, 4, 3];
  const x = Float32Array.from({ length: H * W * C }, () => r() * 8);
  const wq = Int8Array.from({ length: O * K * K * C }, () => Math.round(r() * 250));
  const scales = [0.02, 0.05, 0.01, 0.03];
  const bias = Float32Array.from({ length: O }, () => r());
  const [OH, OW] = [Math.ceil(H / 2), Math.ceil(W / 2)]; // 3 x 3
  const M = 2;
  const dw = Float32Array.from({ length: K * K * O * M }, () => r());
  const dwBias = Float32Array.from({ length: O * M }, () => r());
  const model: TfliteModel = {
    version: 3,
    description: '',
    inputs: [0],
    outputs: [6],
    tensors: [
      act(0, 'x', [1, H, W, C]),
      {
        index: 1,
        name: 'w',
        shape: [O, K, K, C],
        type: TensorType.INT8,
        data: new Uint8Array(wq.buffer),
        quantization: { scale: scales, zeroPoint: [0, 0, 0, 0], quantizedDimension: 0 },
      },
      cst(2, 'b', [O], bias),
      act(3, 'y', [1, OH, OW, O]),
      cst(4, 'dw', [1, K, K, O * M], dw),
      cst(5, 'dwb', [O * M], dwBias),
      act(6, 'z', [1, 1, 1, O * M]),
    ],
    operators: [
      {
        op: BuiltinOp.CONV_2D,
        inputs: [0, 1, 2],
        outputs: [3],
        options: { padding: 0, strideW: 2, strideH: 2, activation: 3, dilationW: 1, dilationH: 1 },
      },
      {
        op: BuiltinOp.DEPTHWISE_CONV_2D,
        inputs: [3, 4, 5],
        outputs: [6],
        options: { padding: 1, strideW: 1, strideH: 1, depthMultiplier: M, activation: 0, dilationW: 1, dilationH: 1 },
      },
    ],
  };
  // expected, by direct loops
  const y = new Float32Array(OH * OW * O);
  const pt = padBefore(H, K, 2);
  const pl = padBefore(W, K, 2);
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++)
      for (let o = 0; o < O; o++) {
        let s = bias[o];
        for (let ky = 0; ky < K; ky++)
          for (let kx = 0; kx < K; kx++)
            for (let c = 0; c < C; c++) {
              const iy = oy * 2 + ky - pt;
              const ix = ox * 2 + kx - pl;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              s += x[(iy * W + ix) * C + c] * wq[((o * K + ky) * K + kx) * C + c] * scales[o];
            }
        y[(oy * OW + ox) * O + o] = Math.min(6, Math.max(0, s));
      }
  const z = new Float32Array(O * M);
  for (let c = 0; c < O; c++)
    for (let m = 0; m < M; m++) {
      const oc = c * M + m;
      let s = dwBias[oc];
      for (let ky = 0; ky < K; ky++) for (let kx = 0; kx < K; kx++) s += y[(ky * OW + kx) * O + c] * dw[(ky * K + kx) * O * M + oc];
      z[oc] = s;
    }
  for (const batched of [false, true]) {
    const got = await run(model, x, batched);
    assert.equal(got.length, z.length);
    for (let i = 0; i < z.length; i++) assert.ok(Math.abs(got[i] - z[i]) < 1e-4, `batched=${batched} [${i}] ${got[i]} vs ${z[i]}`);
  }
});

test('STRIDED_SLICE honours strides, end mask and shrink mask; GATHER, PAD, MEAN follow TFLite', async () => {
  const x = Float32Array.from({ length: 2 * 6 * 4 }, (_, i) => i);
  const model: TfliteModel = {
    version: 3,
    description: '',
    inputs: [0],
    outputs: [11],
    tensors: [
      act(0, 'x', [2, 6, 4]),
      ints(1, 'begin', [1, 1, 0]),
      ints(2, 'end', [2, 6, 99]),
      ints(3, 'strides', [1, 2, 1]),
      act(4, 's', [3, 4]),
      { index: 5, name: 'idx', shape: [2], type: TensorType.INT32, data: new Uint8Array(Int32Array.from([3, 0]).buffer) },
      act(6, 'g', [3, 2]),
      { index: 7, name: 'pads', shape: [2, 2], type: TensorType.INT32, data: new Uint8Array(Int32Array.from([0, 1, 2, 0]).buffer) },
      act(8, 'p', [4, 4]),
      ints(9, 'axes', [1]),
      act(10, 'm', [4, 1]),
      act(11, 'out', [4, 1]),
    ],
    operators: [
      {
        op: BuiltinOp.STRIDED_SLICE,
        inputs: [0, 1, 2, 3],
        outputs: [4],
        options: { beginMask: 0, endMask: 0b100, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0b001, offset: 0 },
      },
      { op: BuiltinOp.GATHER, inputs: [4, 5], outputs: [6], options: { axis: -1, batchDims: 0 } },
      { op: BuiltinOp.PAD, inputs: [6, 7], outputs: [8], options: {} },
      { op: BuiltinOp.MEAN, inputs: [8, 9], outputs: [10], options: { keepDims: 1 } },
      { op: BuiltinOp.SQRT, inputs: [10], outputs: [11], options: {} },
    ],
  };
  // slice: x[1, 1:6:2, :] -> rows 1,3,5 of the second block; gather columns 3,0; pad 1 row after, 2 cols before
  const rows = [1, 3, 5].map((rIdx) => [3, 0].map((c) => x[24 + rIdx * 4 + c]));
  const padded = [...rows.map((r) => [0, 0, ...r]), [0, 0, 0, 0]];
  const expected = padded.map((r) => Math.sqrt(r.reduce((a, b) => a + b, 0) / 4));
  const got = await run(model, x, false);
  assert.deepEqual(
    Array.from(got).map((v) => v.toFixed(4)),
    expected.map((v) => v.toFixed(4)),
  );
});

test('parses the real YAMNet TFLite graph', () => {
  const m = parseTflite(readFileSync(path.join(YAMNET_DIR, 'yamnet.tflite')));
  assert.deepEqual(m.tensors[m.inputs[0]].shape, [1, 15600]);
  assert.deepEqual(
    m.outputs.map((i) => m.tensors[i].shape),
    [
      [1, 521],
      [96, 64],
    ],
  );
  const ops = new Set(m.operators.map((o) => o.op));
  assert.deepEqual(
    [...ops].sort((a, b) => a - b),
    Object.values(BuiltinOp).sort((a, b) => a - b),
  );
  assert.ok(m.tensors.some((t) => t.type === TensorType.INT8 && t.quantization && t.data));
  assert.throws(() => parseTflite(new Uint8Array(64)), /not a TensorFlow Lite model/);
});
