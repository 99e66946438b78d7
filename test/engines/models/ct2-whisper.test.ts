// The CTranslate2 → whisper.cpp converter: on a small model written in CTranslate2's real binary format (every
// tensor's values known, so the split of fused projections and the tensor order are checked exactly), and on the
// real converted models from `npm run test-models` (whisper.cpp loads it and transcribes jfk.wav).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  convertCt2Whisper,
  parseCt2Model,
  parseNpyFloat32,
  parseTiktoken,
  ConversionError,
} from '../../../src/engines/models/ct2-whisper.js';
import { inspectWhisperModel } from '../../../src/engines/speech/whisper-model.js';
import { createWhisper } from '../../../src/engines/speech/whisper.js';
import { modelsDir, testModel } from '../../models/paths.js';
import { SHARED, tempDir } from '../../helpers.js';

type Var = { name: string; shape: number[]; dtype: number; data: Buffer };

/** CTranslate2 model.bin, binary version 6: spec, revision, variables (name, rank, shape, dtype, bytes), aliases. */
function writeCt2(vars: Var[], aliases: [string, string][] = []): Buffer {
  const out: Buffer[] = [];
  const u8 = (n: number) => out.push(Buffer.from([n]));
  const u16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(n);
    out.push(b);
  };
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    out.push(b);
  };
  const str = (s: string) => {
    u16(Buffer.byteLength(s) + 1);
    out.push(Buffer.from(`${s}\0`));
  };
  u32(6);
  str('WhisperSpec');
  u32(3);
  u32(vars.length);
  for (const v of vars) {
    str(v.name);
    u8(v.shape.length);
    v.shape.forEach(u32);
    u8(v.dtype);
    u32(v.data.length);
    out.push(v.data);
  }
  u32(aliases.length);
  for (const [a, t] of aliases) {
    str(a);
    str(t);
  }
  return Buffer.concat(out);
}

/** float16 tensor whose element i holds (base + i) / 1024, exactly representable */
function f16(name: string, shape: number[], base: number): Var {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Buffer.alloc(2 * n);
  for (let i = 0; i < n; i++) {
    const v = ((base + i) % 1024) / 1024; // in [0, 1): exponent/mantissa encoding below
    let h = 0;
    if (v > 0) {
      const e = Math.floor(Math.log2(v));
      h = ((e + 15) << 10) | Math.round((v / 2 ** e - 1) * 1024);
    }
    data.writeUInt16LE(h, 2 * i);
  }
  return { name, shape, dtype: 4, data };
}
const int16 = (name: string, v: number): Var => {
  const b = Buffer.alloc(2);
  b.writeInt16LE(v);
  return { name, shape: [], dtype: 2, data: b };
};

const S = 4; // model width
const VOCAB = 51865;
function smallWhisper(): Var[] {
  let base = 1;
  const t = (name: string, shape: number[]) => f16(name, shape, (base += 37));
  const vars: Var[] = [
    t('encoder/conv1/weight', [S, 80, 3]),
    t('encoder/conv1/bias', [S]),
    t('encoder/conv2/weight', [S, S, 3]),
    t('encoder/conv2/bias', [S]),
    t('encoder/position_encodings/encodings', [1500, S]),
    int16('encoder/num_heads', 2),
  ];
  const layer = (p: string, cross: boolean) => {
    vars.push(t(`${p}/self_attention/layer_norm/gamma`, [S]), t(`${p}/self_attention/layer_norm/beta`, [S]));
    vars.push(t(`${p}/self_attention/linear_0/weight`, [3 * S, S]), t(`${p}/self_attention/linear_0/bias`, [3 * S]));
    vars.push(t(`${p}/self_attention/linear_1/weight`, [S, S]), t(`${p}/self_attention/linear_1/bias`, [S]));
    if (cross) {
      vars.push(t(`${p}/attention/layer_norm/gamma`, [S]), t(`${p}/attention/layer_norm/beta`, [S]));
      vars.push(t(`${p}/attention/linear_0/weight`, [S, S]), t(`${p}/attention/linear_0/bias`, [S]));
      vars.push(t(`${p}/attention/linear_1/weight`, [2 * S, S]), t(`${p}/attention/linear_1/bias`, [2 * S]));
      vars.push(t(`${p}/attention/linear_2/weight`, [S, S]), t(`${p}/attention/linear_2/bias`, [S]));
    }
    vars.push(t(`${p}/ffn/layer_norm/gamma`, [S]), t(`${p}/ffn/layer_norm/beta`, [S]));
    vars.push(t(`${p}/ffn/linear_0/weight`, [4 * S, S]), t(`${p}/ffn/linear_0/bias`, [4 * S]));
    vars.push(t(`${p}/ffn/linear_1/weight`, [S, 4 * S]), t(`${p}/ffn/linear_1/bias`, [S]));
  };
  layer('encoder/layer_0', false);
  vars.push(t('encoder/layer_norm/gamma', [S]), t('encoder/layer_norm/beta', [S]));
  vars.push(t('decoder/embeddings/weight', [VOCAB, S]), t('decoder/position_encodings/encodings', [448, S]), int16('decoder/num_heads', 2));
  layer('decoder/layer_0', true);
  vars.push(t('decoder/layer_norm/gamma', [S]), t('decoder/layer_norm/beta', [S]));
  return vars;
}

function npy(shape: number[], values: number[]): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  header = header.padEnd(118 - 1) + '\n'; // 10-byte preamble + header = 128
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  pre.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => {
    data.writeFloatLE(v, 4 * i);
  });
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

/** tensors of a ggml file after the vocabulary: name, ggml dims, type, data */
function ggmlTensors(buf: Buffer) {
  let pos = 48;
  pos += 8 + 4 * buf.readInt32LE(pos) * buf.readInt32LE(pos + 4);
  const nTok = buf.readInt32LE(pos);
  pos += 4;
  for (let i = 0; i < nTok; i++) pos += 4 + buf.readInt32LE(pos);
  const out: { name: string; dims: number[]; type: number; data: Buffer }[] = [];
  while (pos < buf.length) {
    const nd = buf.readInt32LE(pos),
      nl = buf.readInt32LE(pos + 4),
      type = buf.readInt32LE(pos + 8);
    const dims = Array.from({ length: nd }, (_, d) => buf.readInt32LE(pos + 12 + 4 * d));
    const name = buf.toString('utf8', pos + 12 + 4 * nd, pos + 12 + 4 * nd + nl);
    const start = pos + 12 + 4 * nd + nl;
    const size = dims.reduce((a, b) => a * b, 1) * (type === 0 ? 4 : 2);
    out.push({ name, dims, type, data: buf.subarray(start, start + size) });
    pos = start + size;
  }
  return out;
}

test("a CTranslate2 Whisper model becomes a whisper.cpp model with OpenAI's tensor names, order, shapes and types", async () => {
  const tmp = tempDir('earshot-ct2-');
  try {
    const vars = smallWhisper();
    const ct2File = path.join(tmp.dir, 'model.bin');
    writeFileSync(ct2File, writeCt2(vars, [['decoder/projection/weight', 'decoder/embeddings/weight']]));
    const mel = Array.from({ length: 80 * 201 }, (_, i) => i / 7);
    writeFileSync(path.join(tmp.dir, 'mel.npy'), npy([80, 201], mel));
    const tokens = [Buffer.from('!'), Buffer.from('hello'), Buffer.from([0xa1]), Buffer.from(' world')];
    writeFileSync(path.join(tmp.dir, 'vocab.tiktoken'), tokens.map((t, i) => `${t.toString('base64')} ${i}`).join('\n') + '\n');
    const outFile = path.join(tmp.dir, 'ggml.bin');
    await convertCt2Whisper({
      ct2File,
      melFiltersNpy: path.join(tmp.dir, 'mel.npy'),
      tiktokenFile: path.join(tmp.dir, 'vocab.tiktoken'),
      outFile,
    });

    const info = await inspectWhisperModel(outFile); // the project's own structural check of whisper.cpp files
    assert.deepEqual([info.nVocab, info.nAudioState, info.nAudioLayer, info.nTextLayer, info.nMels, info.ftype], [VOCAB, S, 1, 1, 80, 1]);
    const buf = readFileSync(outFile);
    assert.equal(buf.readInt32LE(16), 2, 'n_audio_head from the model');
    assert.equal(buf.readFloatLE(48 + 8 + 4 * 5), Math.fround(mel[5]), 'mel filters copied');
    // the vocabulary as whisper.cpp's published files hold it: UTF-8 text, a lone non-UTF-8 byte as U+FFFD
    const vocabAt = 48 + 8 + 4 * 80 * 201;
    assert.equal(buf.readInt32LE(vocabAt), 4);
    const third = vocabAt + 4 + (4 + 1) + (4 + 5);
    assert.equal(buf.readInt32LE(third), 3);
    assert.equal(buf.toString('utf8', third + 4, third + 7), '\ufffd');
    const ts = ggmlTensors(buf);
    assert.deepEqual(
      ts.slice(0, 6).map((t) => t.name),
      [
        'encoder.positional_embedding',
        'encoder.conv1.weight',
        'encoder.conv1.bias',
        'encoder.conv2.weight',
        'encoder.conv2.bias',
        'encoder.blocks.0.attn.query.weight',
      ],
    );
    assert.equal(ts.length, 5 + 15 + 2 + 2 + 24 + 2, 'convs, one encoder block (15), ln_post, embeddings, one decoder block (24), ln');
    const byName = new Map(ts.map((t) => [t.name, t]));
    assert.ok(
      !byName.has('encoder.blocks.0.attn.key.bias') && !byName.has('decoder.blocks.0.cross_attn.key.bias'),
      'Whisper keys have no bias',
    );
    assert.deepEqual(byName.get('encoder.conv1.weight')!.dims, [3, 80, S], 'ggml dims are numpy dims reversed');
    assert.deepEqual(byName.get('encoder.conv1.bias')!.dims, [1, S], 'conv bias reshaped to [n, 1]');
    assert.equal(byName.get('encoder.conv1.bias')!.type, 0, 'conv bias in f32');
    assert.equal(byName.get('encoder.positional_embedding')!.type, 0);
    assert.equal(byName.get('decoder.blocks.0.mlp_ln.weight')!.type, 0, '1-D tensors in f32');
    assert.equal(byName.get('decoder.token_embedding.weight')!.type, 1, 'matrices stay f16');
    // the fused [q; k; v] rows are split back in order, byte for byte
    const fused = vars.find((v) => v.name === 'encoder/layer_0/self_attention/linear_0/weight')!.data;
    const rowsOf = fused.length / 3;
    assert.ok(byName.get('encoder.blocks.0.attn.query.weight')!.data.equals(fused.subarray(0, rowsOf)));
    assert.ok(byName.get('encoder.blocks.0.attn.key.weight')!.data.equals(fused.subarray(rowsOf, 2 * rowsOf)));
    assert.ok(byName.get('encoder.blocks.0.attn.value.weight')!.data.equals(fused.subarray(2 * rowsOf)));
    const kv = vars.find((v) => v.name === 'decoder/layer_0/attention/linear_1/weight')!.data;
    assert.ok(byName.get('decoder.blocks.0.cross_attn.value.weight')!.data.equals(kv.subarray(kv.length / 2)));
    // f16 → f32 widening of a bias: value (base+i)/1024 survives exactly
    const vb = vars.find((v) => v.name === 'encoder/layer_0/self_attention/linear_0/bias')!.data;
    const qBias = byName.get('encoder.blocks.0.attn.query.bias')!.data;
    const h = vb.readUInt16LE(2);
    const want = h === 0 ? 0 : 2 ** (((h >> 10) & 31) - 15) * (1 + (h & 1023) / 1024);
    assert.equal(qBias.readFloatLE(4), want);
  } finally {
    tmp.cleanup();
  }
});

test('bad inputs are refused with the reason', () => {
  const vars = smallWhisper();
  const whole = writeCt2(vars);
  assert.throws(() => parseCt2Model(whole.subarray(0, whole.length - 100_000)), ConversionError);
  assert.throws(() => parseCt2Model(Buffer.from([9, 0, 0, 0])), /binary version 9/);
  assert.throws(() => parseNpyFloat32(Buffer.from('not numpy at all')), /not a .npy file/);
  assert.deepEqual(
    parseTiktoken('IQ== 0\naGk= 1\n').map((b) => b.toString()),
    ['!', 'hi'],
  );
});

// CI runs `npm run test-models` first, so there this test always runs; elsewhere it runs once the models are fetched
const fetched = existsSync(path.join(modelsDir(), 'ggml-tiny.en.bin'));
test('the real converted whisper tiny.en loads in whisper.cpp and transcribes jfk.wav', {
  skip: !process.env.CI && !fetched && 'real models not fetched: run npm run test-models',
}, async () => {
  const info = await inspectWhisperModel(testModel('whisper-tiny.en'));
  assert.deepEqual([info.nVocab, info.size, info.multilingual], [51864, 'tiny', false]);
  const wav = readFileSync(path.join(SHARED, 'audio/speech/jfk.wav'));
  const s16 = new Int16Array(wav.buffer, wav.byteOffset + 44, (wav.length - 44) >> 1);
  const pcm = Float32Array.from(s16, (x) => x / 32768);
  const engine = await createWhisper({ modelPath: testModel('whisper-tiny.en'), threads: 2 });
  try {
    const r = await engine.transcribe(pcm);
    const words = r.segments
      .map((s) => s.text)
      .join(' ')
      .toLowerCase()
      .replace(/[^a-z ]/g, ' ')
      .split(/\s+/)
      .filter(Boolean);
    const ref = 'and so my fellow americans ask not what your country can do for you ask what you can do for your country'.split(' ');
    const missing = ref.filter((w, i) => words[i] !== w).length;
    assert.ok(missing <= 2, `transcript "${words.join(' ')}"`);
  } finally {
    await engine.close();
  }
});
