// Tuning harness for the PocketSphinx decoder flags (not a benchmark run by bench/run.ts): runs each flag set
// given as JSON on the command line over ../shared/audio/speech (jfk.wav + LibriVox clips) and prints corpus WER,
// per-clip WER and speed. Usage: node --import tsx bench/pocketsphinx.tune.ts '{"lw":"7"}' '{"beam":"1e-40"}' …
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { createPocketSphinx } from '../src/engines/speech/pocketsphinx.js';
import { combineWer, wordErrorRate } from '../src/eval/wer.js';

const speechDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/audio/speech');
const rows = readFileSync(path.join(speechDir, 'transcripts.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'))
  .filter(([f]) => f.endsWith('.wav'));
const clips = rows.map(([file, ref]) => {
  const raw = execFileSync('sox', [path.join(speechDir, file), '-r', '16000', '-c', '1', '-b', '32', '-e', 'float', '-t', 'raw', '-']);
  return { file, ref, pcm: new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4) };
});
const configs = process.argv.slice(2).map((a) => JSON.parse(a) as Record<string, string>);
if (!configs.length) configs.push({});
for (const cfg of configs) {
  // Optional: PS_BINARY=/path/to/wrapper that appends "user sys" CPU seconds to $PS_CPU_LOG, for CPU-time speed.
  const cpuLog = process.env.PS_CPU_LOG;
  if (cpuLog) rmSync(cpuLog, { force: true });
  const engine = await createPocketSphinx({ decoderArgs: cfg, binary: process.env.PS_BINARY });
  const results = [];
  let audio = 0;
  let wall = 0;
  const per: string[] = [];
  for (const c of clips) {
    const t0 = performance.now();
    const { segments } = await engine.transcribe(c.pcm);
    wall += (performance.now() - t0) / 1000;
    audio += c.pcm.length / 16000;
    const hyp = segments.map((s) => s.text).join(' ');
    const w = wordErrorRate(c.ref, hyp);
    results.push(w);
    per.push(`${c.file.replace('sense_and_sensibility_01_austen_64kb-', 'ss')}=${(w.wer * 100).toFixed(0)}`);
    if (process.env.SHOW) console.log('   ', c.file, '|', hyp);
  }
  const total = combineWer(results);
  let cpu = '';
  if (cpuLog && existsSync(cpuLog)) {
    const secs = readFileSync(cpuLog, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number)
      .reduce((a, b) => a + b, 0);
    cpu = `  cpuSpeed=${(audio / secs).toFixed(2)}x`;
  }
  console.log(
    `${JSON.stringify(cfg)}  WER=${(total.wer * 100).toFixed(1)}%  wallSpeed=${(audio / wall).toFixed(2)}x${cpu}  ${per.join(' ')}`,
  );
}
