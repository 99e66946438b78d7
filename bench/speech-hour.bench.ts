// The whole analysis of the hour-long benchmark file (bench/hour.ts; BENCH_ANALYSIS_MINUTES=2 for a smoke run),
// upload to ACTIVE through a real server, once per speech engine in the same run: PocketSphinx (the baseline, as
// README's analysis figure), Whisper base with the npm addon, and Whisper base with the CPU-built addon when there
// is one (EARSHOT_WHISPER_NATIVE or npm run build:whisper-native's). Whisper base comes from `npm run test-models`. Diarization is off in every run
// (bench diarization measures it), so the runs differ only in the speech engine.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { GoogleGenAI } from '@google/genai';
import { testModel, whisperAddon } from '../test/models/paths.js';
import { MINUTES, cache, workers, longFile, startServer, vmHwmMb } from './hour.js';

interface Run {
  label: string;
  env: NodeJS.ProcessEnv;
}

// the addon the server would take (EARSHOT_WHISPER_NATIVE, else the cached npm run build:whisper-native)
const native = whisperAddon();
const { EARSHOT_WHISPER_NATIVE: _, ...envWithoutNative } = process.env;
const base = { ...envWithoutNative, EARSHOT_SPEAKER_ENGINE: 'none' };
// engines.gpu off (config file only), so the two whisper runs are the CPU builds they are named after: with 'auto'
// a GPU build that loads is taken first (the Vulkan one, on a machine without a hardware driver, once ran here
// on its slow CPU path for both runs)
const cpuOnly = path.join(cache, 'gpu-off.json');
writeFileSync(cpuOnly, JSON.stringify({ engines: { gpu: 'off' } }));
const whisper = {
  ...base,
  EARSHOT_CONFIG: cpuOnly,
  EARSHOT_SPEECH_ENGINE: 'whisper',
  EARSHOT_WHISPER_MODEL: testModel('whisper-base'),
};
const runs: Run[] = [
  { label: 'pocketsphinx', env: { ...base, EARSHOT_SPEECH_ENGINE: 'pocketsphinx' } },
  { label: 'whisper-base npm addon', env: { ...whisper, EARSHOT_WHISPER_NATIVE: 'bundled' } },
  ...(native ? [{ label: 'whisper-base EARSHOT_WHISPER_NATIVE', env: { ...whisper, EARSHOT_WHISPER_NATIVE: native } }] : []),
];
const only = process.env.BENCH_SPEECH_ENGINES?.split(',');

interface Analysed {
  seconds: number;
  peakMb: number;
  words: number;
  state: string;
  engines: string;
}

async function analyse(file: string, run: Run): Promise<Analysed> {
  const { server, url } = await startServer(run.env);
  try {
    const ai = new GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: url } });
    await new Promise((r) => setTimeout(r, 3000)); // engines warm up, as in bench analysis
    let peakMb = 0;
    const sampler = setInterval(() => {
      for (const pid of workers(server.pid!)) peakMb = Math.max(peakMb, vmHwmMb(pid));
    }, 250);
    const t0 = performance.now();
    const up = await ai.files.upload({ file, config: { mimeType: 'audio/mp3' } });
    let state = up.state;
    while (state === 'PROCESSING') {
      await new Promise((r) => setTimeout(r, 500));
      state = (await ai.files.get({ name: up.name! })).state;
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const res = await fetch(`${url}/v1beta/${up.name}:analysis`, { headers: { 'x-goog-api-key': 'bench' } });
    const body = (await res.json()) as { analysis?: { segments?: { text: string }[]; engines?: Record<string, string> } };
    const words = (body.analysis?.segments ?? []).reduce((a, s) => a + s.text.split(/\s+/).filter(Boolean).length, 0);
    const engines = Object.entries(body.analysis?.engines ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return { seconds, peakMb, words, state: String(state), engines };
  } finally {
    server.kill('SIGTERM');
  }
}

const file = longFile();
const audioSec = MINUTES * 60;
console.log(`speech-hour file: ${MINUTES} min mp3, 11 s of speech each minute; diarization off`);
let baseline: number | undefined;
for (const run of runs) {
  if (only && !only.some((o) => run.label.includes(o))) continue;
  const r = await analyse(file, run);
  baseline ??= run.label === 'pocketsphinx' ? r.seconds : undefined;
  const ratio = baseline && run.label !== 'pocketsphinx' ? `, ×${(baseline / r.seconds).toFixed(2)} the speed of PocketSphinx` : '';
  console.log(
    `speech-hour ${run.label}: ${r.state} in ${r.seconds.toFixed(1)} s = ${(audioSec / r.seconds).toFixed(1)}× real time${ratio}; ` +
      `worker peak RSS ${r.peakMb.toFixed(0)} MB; ${r.words} words; engines ${r.engines || '?'}`,
  );
}
