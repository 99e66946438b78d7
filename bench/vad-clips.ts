// Bench helper: Silero VAD speed on the short speech clips of ../shared/audio/speech (3–11 s each, the case
// where every window runs in sequence), on the clips looped to ~143 s (batched chunks), and the floor set by
// onnxruntime itself: bare session.run calls on one window with nothing else around them.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { decodeAll } from '../src/audio/decode.js';
import { createSileroVad, defaultSileroModelPath, SILERO_CONTEXT, SILERO_WINDOW } from '../src/engines/vad/silero.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Prints `vad_silero_*` lines; `rounds` passes over the clips (median and best are reported). */
export async function benchVadClips(speechDir: string, rounds = 7): Promise<void> {
  let clipsX = 0;
  let clipsPerCpu = 0;
  const files = readdirSync(speechDir)
    .filter((f) => f.endsWith('.wav'))
    .sort();
  const clips = await Promise.all(files.map((f) => decodeAll(path.join(speechDir, f))));
  const clipSec = clips.reduce((a, c) => a + c.length / 16000, 0);
  const windows = clips.reduce((a, c) => a + Math.ceil(c.length / SILERO_WINDOW), 0);
  const vad = await createSileroVad();
  try {
    for (const c of clips) await vad.detect(c); // warm-up
    const xrt: number[] = [];
    const perCpu: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (const c of clips) await vad.detect(c);
      const sec = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      xrt.push(clipSec / sec);
      perCpu.push(clipSec / ((cpu.user + cpu.system) / 1e6));
    }
    console.log(`vad_silero_clips_audio_s: ${clipSec.toFixed(2)} (${clips.length} clips, ${windows} windows)`);
    clipsX = median(xrt);
    clipsPerCpu = median(perCpu);
    console.log(`vad_silero_clips_x_realtime: ${clipsX.toFixed(0)}`);
    console.log(`vad_silero_clips_x_realtime_best: ${Math.max(...xrt).toFixed(0)}`);
    console.log(`vad_silero_clips_x_realtime_per_cpu_core: ${median(perCpu).toFixed(0)}`);
    console.log(`vad_silero_clips_us_per_window: ${((clipSec / median(xrt) / windows) * 1e6).toFixed(0)}`);

    const long = new Float32Array(clips.reduce((a, c) => a + c.length, 0) * 4);
    let o = 0;
    for (let r = 0; r < 4; r++)
      for (const c of clips) {
        long.set(c, o);
        o += c.length;
      }
    const longX: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      await vad.detect(long);
      longX.push(long.length / 16000 / ((performance.now() - t0) / 1000));
    }
    console.log(`vad_silero_long_${Math.round(long.length / 16000)}s_x_realtime: ${median(longX).toFixed(0)}`);
  } finally {
    await vad.close();
  }

  // The floor: the same session options, one window per run, tensors made once, no JS work between runs.
  const session = await ort.InferenceSession.create(defaultSileroModelPath(), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  try {
    const input = new ort.Tensor('float32', clips[0]!.subarray(0, SILERO_CONTEXT + SILERO_WINDOW).slice(), [
      1,
      SILERO_CONTEXT + SILERO_WINDOW,
    ]);
    const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
    let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
    const runs = 1000;
    for (let i = 0; i < 100; i++) state = (await session.run({ input, state, sr })).stateN!;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) state = (await session.run({ input, state, sr })).stateN!;
    const usPerRun = ((performance.now() - t0) * 1000) / runs;
    const cpu = process.cpuUsage(cpu0);
    const cpuUsPerRun = (cpu.user + cpu.system) / runs;
    console.log(`vad_silero_onnx_run_floor_us: ${usPerRun.toFixed(0)} (cpu ${cpuUsPerRun.toFixed(0)})`);
    console.log(`vad_silero_onnx_run_floor_x_realtime: ${(SILERO_WINDOW / 16000 / (usPerRun / 1e6)).toFixed(0)}`);
    console.log(`vad_silero_onnx_run_floor_x_realtime_per_cpu_core: ${(SILERO_WINDOW / 16000 / (cpuUsPerRun / 1e6)).toFixed(0)}`);
    // how close the clips come to that floor (1.00 = nothing but onnxruntime's own time per window)
    const floorX = SILERO_WINDOW / 16000 / (usPerRun / 1e6);
    const floorPerCpu = SILERO_WINDOW / 16000 / (cpuUsPerRun / 1e6);
    console.log(`vad_silero_clips_vs_onnx_floor: ${(clipsX / floorX).toFixed(2)} (per cpu ${(clipsPerCpu / floorPerCpu).toFixed(2)})`);
  } finally {
    await session.release();
  }
}
