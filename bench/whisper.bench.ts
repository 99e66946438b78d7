// Whisper engine timings on this machine: model load and transcription of jfk.wav (11 s) with a generated tiny
// ggml model (whisper.cpp's real runtime, published-model layout, 64-wide, 1 layer). Published models cannot be
// downloaded here; with one at $WHISPER_MODEL (a ggml-*.bin) the same numbers are printed for it too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createWhisper } from '../src/engines/speech/whisper.js';
import { tinyWhisperModelPath } from '../test/fixtures/tiny-whisper.js';
import { SPEECH_DIR } from '../test/helpers.js';

function readWav(file: string): Float32Array {
  const buf = readFileSync(file);
  const at = buf.indexOf('data') + 8;
  const n = (buf.length - at) >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(at + 2 * i) / 32768;
  return out;
}

async function measure(label: string, modelPath: string, pcm: Float32Array): Promise<void> {
  let t = performance.now();
  const engine = await createWhisper({ modelPath, language: 'en' });
  console.log(`whisper_${label}_load_ms: ${(performance.now() - t).toFixed(0)}`);
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    await engine.transcribe(pcm);
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  const median = runs[1];
  console.log(`whisper_${label}_jfk_ms: ${median.toFixed(0)}`);
  console.log(`whisper_${label}_realtime_factor: ${(median / 1000 / (pcm.length / 16000)).toFixed(3)}`);
  await engine.close();
}

const pcm = readWav(path.join(SPEECH_DIR, 'jfk.wav'));
await measure('tiny_generated', tinyWhisperModelPath({ seed: 1 }), pcm);
const external = process.env.WHISPER_MODEL;
if (external) await measure(path.basename(external).replace(/\W+/g, '_'), external, pcm);
