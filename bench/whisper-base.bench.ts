// Real Whisper base (multilingual; no base.en is in the registries) on this machine: real-time factor and CPU time
// for a minute of speech (the shared jfk and LibriVox clips in turn, 0.4 s apart, as many as fit in 60 s), with 1 and
// 2 threads, and the WER of that minute. Needs `npm run test-models`. EARSHOT_WHISPER_NATIVE=<index.node> measures
// a whisper.node addon built for this CPU instead of the npm build (which has no AVX).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createWhisper } from '../src/engines/speech/whisper.js';
import { wordErrorRate } from '../src/eval/wer.js';
import { SPEECH_DIR } from '../test/helpers.js';
import { testModel } from '../test/models/paths.js';
import { soxDecode } from '../test/engines/sox-decode.js';

const SR = 16000;
const clips = readFileSync(path.join(SPEECH_DIR, 'transcripts.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'))
  .filter(([f]) => f.endsWith('.wav'))
  .map(([file, text]) => ({ text, pcm: soxDecode(path.join(SPEECH_DIR, file)) }));

// 60 s: whole clips in turn, 0.4 s apart, while they fit; the rest of the minute is silence
const minute = new Float32Array(60 * SR);
const reference: string[] = [];
for (let at = 0, i = 0; at + clips[i % clips.length].pcm.length <= minute.length; i++) {
  const c = clips[i % clips.length];
  minute.set(c.pcm, at);
  reference.push(c.text);
  at += c.pcm.length + Math.round(0.4 * SR);
}

const build = process.env.EARSHOT_WHISPER_NATIVE ? 'own build' : 'npm build';
console.log(`whisper_base_native: ${build}`);
for (const threads of [1, 2]) {
  const engine = await createWhisper({ modelPath: testModel('whisper-base'), threads, nativeAddon: process.env.EARSHOT_WHISPER_NATIVE });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await engine.transcribe(minute, { language: 'en' });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await engine.close();
  const wer = wordErrorRate(reference.join(' '), r.segments.map((s) => s.text).join(' '));
  console.log(`whisper_base_60s_threads${threads}_wall_s: ${wall.toFixed(1)}`);
  console.log(`whisper_base_60s_threads${threads}_rtf: ${(wall / 60).toFixed(3)}`);
  console.log(`whisper_base_60s_threads${threads}_cpu_s: ${((cpu.user + cpu.system) / 1e6).toFixed(1)}`);
  console.log(`whisper_base_60s_threads${threads}_wer_pct: ${(wer.wer * 100).toFixed(1)}`);
}
