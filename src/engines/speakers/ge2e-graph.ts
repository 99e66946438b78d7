// Builds the ONNX graph of Resemblyzer's GE2E speaker encoder from its PyTorch weights: framed audio →
// Hann window → power spectrum (DFT as a matrix product) → 40 Slaney mel bands → 3 LSTM layers → linear →
// ReLU → L2-normalised 256-d embedding, exactly as resemblyzer.VoiceEncoder computes it.

import { SAMPLE_RATE } from '../../domain/audio.js';
import { OnnxGraph } from '../sounds/onnx-proto.js';
import type { Tensor } from './torch-checkpoint.js';

export const GE2E_N_FFT = 400; // 25 ms
export const GE2E_HOP = 160; // 10 ms
export const GE2E_MELS = 40;
const HIDDEN = 256;
const LAYERS = 3;

/** Slaney-style mel scale (librosa's default, htk=False). */
function hzToMel(hz: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logstep = Math.log(6.4) / 27;
  return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) / logstep : hz / fSp;
}

function melToHz(mel: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logstep = Math.log(6.4) / 27;
  return mel >= minLogMel ? minLogHz * Math.exp(logstep * (mel - minLogMel)) : fSp * mel;
}

/** librosa.filters.mel(sr, n_fft, n_mels) with Slaney normalisation: [bins][mels], bins = n_fft/2 + 1. */
export function melFilterbank(nFft = GE2E_N_FFT, nMels = GE2E_MELS, sr = SAMPLE_RATE): Float32Array {
  const bins = nFft / 2 + 1;
  const fft = Array.from({ length: bins }, (_, k) => (k * sr) / nFft);
  const lo = hzToMel(0);
  const hi = hzToMel(sr / 2);
  const melF = Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1)));
  const out = new Float32Array(bins * nMels);
  for (let m = 0; m < nMels; m++) {
    const f0 = melF[m] ?? 0;
    const f1 = melF[m + 1] ?? 0;
    const f2 = melF[m + 2] ?? 0;
    const enorm = 2 / (f2 - f0);
    for (let k = 0; k < bins; k++) {
      const f = fft[k] ?? 0;
      const lower = (f - f0) / (f1 - f0);
      const upper = (f2 - f) / (f2 - f1);
      out[k * nMels + m] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
  }
  return out;
}

/** Periodic Hann window times the real and imaginary DFT bases: [n_fft][bins] each. */
function windowedDft(nFft = GE2E_N_FFT): { re: Float32Array; im: Float32Array } {
  const bins = nFft / 2 + 1;
  const re = new Float32Array(nFft * bins);
  const im = new Float32Array(nFft * bins);
  for (let n = 0; n < nFft; n++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / nFft);
    for (let k = 0; k < bins; k++) {
      const a = (2 * Math.PI * k * n) / nFft;
      re[n * bins + k] = w * Math.cos(a);
      im[n * bins + k] = -w * Math.sin(a);
    }
  }
  return { re, im };
}

function weight(state: Map<string, Tensor>, name: string, shape: number[]): Float32Array {
  const t = state.get(name);
  if (!t || t.shape.join('x') !== shape.join('x')) {
    throw new Error(`speaker encoder weights: ${name} missing or not ${shape.join('×')}`);
  }
  return t.data;
}

/** PyTorch LSTM gates are (i, f, g, o); ONNX wants (i, o, f, c). Rows are gates × hidden. */
function reorderGates(w: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  const block = HIDDEN * cols;
  const order = [0, 3, 1, 2]; // ONNX gate j takes PyTorch gate order[j]
  order.forEach((src, dst) => {
    out.set(w.subarray(src * block, (src + 1) * block), dst * block);
  });
  return out;
}

/**
 * Input `frames` [batch, time, 400]: 25 ms frames every 10 ms (zero-padded by half a window at the edges).
 * Output `embedding` [batch, 256].
 */
export function buildGe2eGraph(state: Map<string, Tensor>): Uint8Array {
  const g = new OnnxGraph();
  const bins = GE2E_N_FFT / 2 + 1;
  const frames = g.input('frames', ['batch', 'time', GE2E_N_FFT]);
  const { re, im } = windowedDft();
  const real = g.node('MatMul', [frames, g.floatConst(re, [GE2E_N_FFT, bins], 'dft_re')]);
  const imag = g.node('MatMul', [frames, g.floatConst(im, [GE2E_N_FFT, bins], 'dft_im')]);
  const power = g.node('Add', [g.node('Mul', [real, real]), g.node('Mul', [imag, imag])]);
  const mel = g.node('MatMul', [power, g.floatConst(melFilterbank(), [bins, GE2E_MELS], 'mel')]);
  // LSTM wants [time, batch, features]
  let x = g.node('Transpose', [mel], { perm: [1, 0, 2] });
  for (let l = 0; l < LAYERS; l++) {
    const inSize = l === 0 ? GE2E_MELS : HIDDEN;
    const W = reorderGates(weight(state, `lstm.weight_ih_l${l}`, [4 * HIDDEN, inSize]), inSize);
    const R = reorderGates(weight(state, `lstm.weight_hh_l${l}`, [4 * HIDDEN, HIDDEN]), HIDDEN);
    const bW = reorderGates(weight(state, `lstm.bias_ih_l${l}`, [4 * HIDDEN]), 1);
    const bR = reorderGates(weight(state, `lstm.bias_hh_l${l}`, [4 * HIDDEN]), 1);
    const B = new Float32Array(8 * HIDDEN);
    B.set(bW, 0);
    B.set(bR, 4 * HIDDEN);
    const y = g.node(
      'LSTM',
      [
        x,
        g.floatConst(W, [1, 4 * HIDDEN, inSize], 'W'),
        g.floatConst(R, [1, 4 * HIDDEN, HIDDEN], 'R'),
        g.floatConst(B, [1, 8 * HIDDEN], 'B'),
      ],
      {
        hidden_size: HIDDEN,
      },
    );
    x = g.node('Squeeze', [y, g.int64Const([1])]); // [time, batch, hidden]
  }
  const last = g.node('Squeeze', [
    g.node('Slice', [x, g.int64Const([-1]), g.int64Const([2 ** 31 - 1]), g.int64Const([0])]),
    g.int64Const([0]),
  ]);
  const lin = g.node(
    'Gemm',
    [
      last,
      g.floatConst(weight(state, 'linear.weight', [HIDDEN, HIDDEN]), [HIDDEN, HIDDEN], 'lin_w'),
      g.floatConst(weight(state, 'linear.bias', [HIDDEN]), [HIDDEN], 'lin_b'),
    ],
    {
      transB: 1,
    },
  );
  const relu = g.node('Relu', [lin]);
  const norm = g.node('ReduceL2', [relu], { axes: [1], keepdims: 1 });
  const safe = g.node('Max', [norm, g.floatConst([1e-12], [1], 'eps')]);
  g.node('Div', [relu, safe], {}, 'embedding');
  g.output('embedding', ['batch', HIDDEN]);
  return g.toBytes(17);
}
