// Diarization's real-time factor on the hour-long benchmark file (bench/hour.ts; BENCH_ANALYSIS_MINUTES=2 for a
// smoke run), in this process: the analysis pipeline streams the MP3 with VAD alone (the baseline), then with VAD
// and Resemblyzer's voice encoder (`npm run test-models`); the difference is diarization's cost (the encoder, the
// second decode of the speech windows, clustering) — as × real time of the audio and of its speech, the encoder's
// share, and a ratio to the VAD pass measured in the same run.
import { analyzeAudio, type DecodeFn } from '../src/analysis/pipeline.js';
import { decodePcm } from '../src/audio/decode.js';
import { probeAudio } from '../src/audio/probe.js';
import { loadResemblyzer } from '../src/engines/speakers/resemblyzer.js';
import { createSileroVad } from '../src/engines/vad/silero.js';
import { testModel } from '../test/models/paths.js';
import { MINUTES, longFile } from './hour.js';

const file = longFile();
const durationSec = (await probeAudio(file)).durationSec;
const decode: DecodeFn = (range, signal) => decodePcm(file, { ...range, signal });
const vad = await createSileroVad();
const speakers = await loadResemblyzer({ modelPath: testModel('resemblyzer') });
const opts = { sha256: 'bench', durationSec };
const now = () => performance.now() / 1000;
// the encoder's own time (embedding the speech windows), apart from decoding and clustering
let embedSec = 0;
const timedSpeakers: typeof speakers = {
  name: speakers.name,
  windowSec: speakers.windowSec,
  close: () => speakers.close(),
  embed: async (pcm, starts) => {
    const t = now();
    const out = await speakers.embed(pcm, starts);
    embedSec += now() - t;
    return out;
  },
};
// first inferences are slow (onnxruntime sessions): warm both engines before anything is timed
await vad.detect(new Float32Array(16000));
await speakers.embed(
  new Float32Array(32000).map((_, i) => Math.sin(i / 7) * 0.1),
  [0],
);

try {
  let t0 = now();
  const base = await analyzeAudio(decode, { vad, names: {}, warnings: [] }, opts);
  const vadSec = now() - t0;
  const cpu0 = process.cpuUsage();
  t0 = now();
  const withSpeakers = await analyzeAudio(decode, { vad, speakers: timedSpeakers, names: {}, warnings: [] }, opts);
  const bothSec = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const diarSec = Math.max(1e-9, bothSec - vadSec);
  const speechSec = base.speechRegions.reduce((a, r) => a + (r.end - r.start), 0);
  const bySpeaker = new Map<string, number>();
  for (const t of withSpeakers.speakers ?? []) bySpeaker.set(t.speaker, (bySpeaker.get(t.speaker) ?? 0) + t.end - t.start);

  console.log(`diarization file: ${MINUTES} min mp3 (${durationSec.toFixed(0)} s), ${speechSec.toFixed(0)} s of speech found by VAD`);
  console.log(`diarization baseline, decode + VAD: ${vadSec.toFixed(1)} s (${(durationSec / vadSec).toFixed(0)}× real time)`);
  console.log(`diarization decode + VAD + speakers: ${bothSec.toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
  console.log(
    `diarization alone: ${diarSec.toFixed(1)} s = ${(durationSec / diarSec).toFixed(0)}× real time of the file, ` +
      `${(speechSec / diarSec).toFixed(1)}× real time of its speech`,
  );
  console.log(
    `diarization encoder alone (embedding): ${embedSec.toFixed(1)} s = ${(speechSec / embedSec).toFixed(1)}× real time of the speech; ` +
      'the rest is decoding the speech windows again and clustering',
  );
  console.log(`diarization cost vs the VAD pass: ×${(diarSec / vadSec).toFixed(2)} (same process, same file)`);
  const spoken = [...bySpeaker].map(([s, sec]) => `${s} ${sec.toFixed(1)} s`).join(', ');
  console.log(`diarization speakers found: ${bySpeaker.size} (${spoken}); the file is one voice throughout`);
} finally {
  await vad.close();
  await speakers.close();
}
