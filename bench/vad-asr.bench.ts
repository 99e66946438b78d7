// Speed of the Silero VAD and PocketSphinx engines on ../shared/audio/speech (jfk.wav + LibriVox clips), and
// PocketSphinx WER per clip. Prints `name: value` lines. Speeds are audio seconds per wall second (×RT).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSileroVad } from '../src/engines/vad/silero.js';
import { createPocketSphinx, pocketsphinxAvailable } from '../src/engines/speech/pocketsphinx.js';
import { combineWer, wordErrorRate } from '../src/eval/wer.js';

const speechDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/audio/speech');
const clips = readFileSync(path.join(speechDir, 'transcripts.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'))
  .filter(([f]) => f.endsWith('.wav'))
  .map(([file, ref]) => {
    const raw = execFileSync('sox', [path.join(speechDir, file), '-r', '16000', '-c', '1', '-b', '32', '-e', 'float', '-t', 'raw', '-']);
    return { file, ref, pcm: new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4) };
  });
const audioSec = clips.reduce((a, c) => a + c.pcm.length / 16000, 0);
const long = new Float32Array(clips.reduce((a, c) => a + c.pcm.length, 0) * 4);
let o = 0;
for (let r = 0; r < 4; r++)
  for (const c of clips) {
    long.set(c.pcm, o);
    o += c.pcm.length;
  }
const now = () => performance.now() / 1000;

for (const [name, opts] of [
  ['vad_silero_sequential', { maxBatch: 1 }],
  ['vad_silero_batched', {}],
] as const) {
  const vad = await createSileroVad(opts);
  await vad.detect(clips[0].pcm); // warm-up
  let t0 = now();
  for (const c of clips) await vad.detect(c.pcm);
  console.log(`${name}_clips_xrt: ${(audioSec / (now() - t0)).toFixed(1)}`);
  t0 = now();
  await vad.detect(long);
  console.log(`${name}_long_${Math.round(long.length / 16000)}s_xrt: ${(long.length / 16000 / (now() - t0)).toFixed(1)}`);
  await vad.close();
}

if (!pocketsphinxAvailable()) {
  console.log('pocketsphinx: not installed (apt-get install pocketsphinx pocketsphinx-en-us)');
} else {
  const ps = await createPocketSphinx();
  const results = [];
  const t0 = now();
  for (const c of clips) {
    const { segments } = await ps.transcribe(c.pcm);
    const w = wordErrorRate(c.ref, segments.map((s) => s.text).join(' '));
    results.push(w);
    console.log(`pocketsphinx_wer_${c.file.replace(/\.wav$/, '')}: ${(w.wer * 100).toFixed(1)}`);
  }
  const wall = now() - t0;
  console.log(`pocketsphinx_wer_total: ${(combineWer(results).wer * 100).toFixed(1)}`);
  console.log(`pocketsphinx_clips_xrt: ${(audioSec / wall).toFixed(2)}`);
  const t1 = now();
  await ps.transcribe(long.subarray(0, 30 * 16000));
  console.log(`pocketsphinx_30s_window_xrt: ${(30 / (now() - t1)).toFixed(2)}`);
}
