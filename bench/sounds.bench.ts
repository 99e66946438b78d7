// Benchmark of the YAMNet sound engine: model load time (converting vs. cached ONNX) and real-time
// factor (audio seconds per processing second) over a few minutes of the shared sound clips.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createYamnet } from '../src/engines/sounds/yamnet.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const yamnetDir = path.resolve(root, '../shared/models/yamnet');
const soundsDir = path.resolve(root, '../shared/audio/sounds');
const modelPath = path.join(yamnetDir, 'yamnet.tflite');
const labelsPath = path.join(yamnetDir, 'yamnet_class_map.csv');
const threads = Number(process.argv[2] ?? 2);

function decode(file: string): Float32Array {
  const raw = execFileSync('sox', [file, '-r', '16000', '-c', '1', '-b', '32', '-e', 'float', '-t', 'raw', '-'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2);
}

// ~3 minutes of audio: all clips back to back, repeated
const clips = readdirSync(soundsDir)
  .filter((f) => f.endsWith('.ogg'))
  .map((f) => decode(path.join(soundsDir, f)));
const once = clips.reduce((n, c) => n + c.length, 0);
const reps = Math.ceil((180 * 16000) / once);
const audio = new Float32Array(once * reps);
let o = 0;
for (let r = 0; r < reps; r++) for (const c of clips) audio.set(c, o), (o += c.length);
const seconds = audio.length / 16000;

const cacheDir = mkdtempSync(path.join(tmpdir(), 'earshot-bench-'));
try {
  let t = performance.now();
  const first = await createYamnet({ modelPath, labelsPath, cacheDir, threads });
  const loadFirst = performance.now() - t;
  await first.close();
  t = performance.now();
  const engine = await createYamnet({ modelPath, labelsPath, cacheDir, threads });
  const loadCached = performance.now() - t;
  const single = await createYamnet({ modelPath, labelsPath, cacheDir, threads, batchSize: 1 });

  await engine.classify(audio.subarray(0, 16000 * 5)); // warm-up
  await single.classify(audio.subarray(0, 16000 * 5));

  const rtf = async (fn: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await fn();
    return seconds / ((performance.now() - t0) / 1000);
  };
  const rtfBaseline = await rtf(() => single.classify(audio, { hopSeconds: 0.48 }));
  const rtfNative = await rtf(() => engine.classify(audio));
  const rtfNonOverlap = await rtf(() => engine.classify(audio, { hopSeconds: 0.975 }));
  const events = engine.events(await engine.classify(audio)).length;

  console.log(`sounds_audio_seconds: ${seconds.toFixed(1)}`);
  console.log(`sounds_threads: ${threads}`);
  console.log(`sounds_load_first_ms: ${loadFirst.toFixed(0)}`);
  console.log(`sounds_load_cached_ms: ${loadCached.toFixed(0)}`);
  console.log(`sounds_rtf_hop048_batch1: ${rtfBaseline.toFixed(1)}`);
  console.log(`sounds_rtf_hop048: ${rtfNative.toFixed(1)}`);
  console.log(`sounds_rtf_nonoverlap: ${rtfNonOverlap.toFixed(1)}`);
  console.log(`sounds_batch_speedup: ${(rtfNative / rtfBaseline).toFixed(2)}`);
  console.log(`sounds_events: ${events}`);
  await engine.close();
  await single.close();
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
