// Audio layer benchmark: probe latency on 1-hour files, decode speed (× real time) to 16 kHz mono through
// decodePcm against the same ffmpeg command alone (ratio per back-to-back pair), peak memory of this process
// and its ffmpeg child while streaming a 9-hour file, and Silero VAD speed on the short speech clips.
// Test media are generated once (looped LibriVox/JFK speech; a tone+noise for the 9-hour file) and cached
// under os.tmpdir()/earshot-bench-audio. Targets: decode ≥ 150× real time, probe < 100 ms, RSS < 200 MB.
// Prints `name: value` lines.

import { execFileSync, fork } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeArgs, decodePcm } from '../src/audio/decode.js';
import { locateFfmpeg, type FfmpegBinaries } from '../src/audio/ffmpeg.js';
import { probeAudio } from '../src/audio/probe.js';
import { benchVadClips } from './vad-clips.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SPEECH = path.resolve(here, '../../shared/audio/speech');
const CACHE = path.join(tmpdir(), 'earshot-bench-audio');

function ffmpeg(bins: FfmpegBinaries, args: string[]): void {
  execFileSync(bins.ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Runs `make(tmpPath)` only when `file` is not cached yet; renames into place when done. */
function cached(file: string, make: (tmp: string) => void): string {
  if (existsSync(file)) return file;
  const tmp = file.replace(/(\.[a-z0-9]+)$/, '.partial$1');
  const t0 = performance.now();
  make(tmp);
  renameSync(tmp, file);
  console.error(`# generated ${path.basename(file)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return file;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function vmHwmKb(pid: number | 'self'): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function ffmpegChild(): number | undefined {
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(readFileSync(`/proc/${e}/stat`, 'utf8'));
      if (m && m[1] === 'ffmpeg' && Number(m[2]) === process.pid) return Number(e);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** CPU seconds used by this process's reaped children so far (cutime + cstime from /proc/self/stat). */
function childCpuSec(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after "pid (comm) ", field 3 (state) is index 0; cutime and cstime are fields 16 and 17
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

interface DecodeTiming {
  samples: number;
  /** wall seconds */
  sec: number;
  /** CPU seconds of ffmpeg plus this process */
  cpuSec: number;
}

/** Streams `file` through decodePcm, touching every sample; returns samples, wall and CPU seconds. */
async function timeDecode(file: string, bins: FfmpegBinaries): Promise<DecodeTiming> {
  const cpu0 = process.cpuUsage();
  const child0 = childCpuSec();
  const t0 = performance.now();
  let samples = 0;
  let sum = 0;
  for await (const chunk of decodePcm(file, { ffmpeg: bins })) {
    for (let i = 0; i < chunk.length; i += 64) sum += chunk[i]!;
    samples += chunk.length;
  }
  if (Number.isNaN(sum)) throw new Error('NaN in PCM');
  const sec = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(cpu0);
  return { samples, sec, cpuSec: (own.user + own.system) / 1e6 + (childCpuSec() - child0) };
}

function reportDecode(name: string, r: DecodeTiming): void {
  const audio = r.samples / 16000;
  console.log(`decode_${name}_x_realtime: ${(audio / r.sec).toFixed(0)}`);
  // wall-clock speed depends on what else the machine runs; audio seconds per CPU second does not
  console.log(`decode_${name}_x_realtime_per_cpu_core: ${(audio / r.cpuSec).toFixed(0)}`);
}

/** Child-process mode: decode one file while sampling this process's and ffmpeg's peak memory. */
async function rssChild(file: string): Promise<void> {
  const bins = locateFfmpeg();
  const baseKb = vmHwmKb('self') ?? 0;
  let ffmpegPeakKb = 0;
  let ffPid: number | undefined;
  const timer = setInterval(() => {
    ffPid ??= ffmpegChild();
    if (ffPid) ffmpegPeakKb = Math.max(ffmpegPeakKb, vmHwmKb(ffPid) ?? 0);
  }, 250);
  const { samples, sec } = await timeDecode(file, bins);
  clearInterval(timer);
  process.send!({ baseKb, peakKb: vmHwmKb('self') ?? 0, ffmpegPeakKb, samples, sec });
  process.disconnect();
}

async function main(): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  const auto = locateFfmpeg();
  const npm = locateFfmpeg({ prefer: 'npm', strict: true });
  let system: FfmpegBinaries | undefined;
  try {
    system = locateFfmpeg({ prefer: 'system', strict: true });
  } catch {
    system = undefined;
  }
  console.log(`ffmpeg: ${auto.ffmpegVersion} (${auto.source}), ffprobe: ${auto.ffprobeSource}, soxr: ${auto.soxr}`);
  console.log(`load_average_1min: ${loadavg()[0]!.toFixed(2)}`);

  // --- media ---------------------------------------------------------------------------------
  const loop = cached(path.join(CACHE, 'speech-loop.wav'), (tmp) => {
    const clips = readdirSync(SPEECH)
      .filter((f) => f.endsWith('.wav'))
      .sort();
    const list = path.join(CACHE, 'speech-list.txt');
    writeFileSync(list, clips.map((c) => `file '${path.join(SPEECH, c).replace(/'/g, "'\\''")}'`).join('\n'));
    ffmpeg(auto, ['-f', 'concat', '-safe', '0', '-i', list, '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', tmp]);
  });
  const speech1h = ['-stream_loop', '-1', '-i', loop, '-t', '3600', '-ar', '44100', '-ac', '2'];
  const hourMp3 = cached(path.join(CACHE, 'hour-44k-stereo-128k.mp3'), (tmp) =>
    ffmpeg(auto, [...speech1h, '-c:a', 'libmp3lame', '-b:a', '128k', tmp]),
  );
  const hourFlac = cached(path.join(CACHE, 'hour-44k-stereo.flac'), (tmp) =>
    ffmpeg(auto, [...speech1h, '-c:a', 'flac', '-sample_fmt', 's16', tmp]),
  );
  const hour8k = cached(path.join(CACHE, 'hour-8k-mono-8kbps.mp3'), (tmp) =>
    ffmpeg(auto, [
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=8000:duration=3600',
      '-f',
      'lavfi',
      '-i',
      'anoisesrc=r=8000:a=0.05:d=3600',
      '-filter_complex',
      'amix=inputs=2',
      '-ac',
      '1',
      '-c:a',
      'libmp3lame',
      '-b:a',
      '8k',
      tmp,
    ]),
  );
  const nine = cached(path.join(CACHE, 'nine-hours-8k-mono-8kbps.mp3'), (tmp) => {
    const list = path.join(CACHE, 'nine-list.txt');
    writeFileSync(list, Array.from({ length: 9 }, () => `file '${hour8k}'`).join('\n'));
    ffmpeg(auto, ['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', tmp]);
  });

  // --- probe ---------------------------------------------------------------------------------
  for (const [name, file] of [
    ['mp3', hourMp3],
    ['flac', hourFlac],
    ['9h_mp3', nine],
  ] as const) {
    const times: number[] = [];
    let dur = 0;
    let src = '';
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const p = await probeAudio(file, { ffmpeg: auto });
      times.push(performance.now() - t0);
      dur = p.durationSec;
      src = p.durationSource;
    }
    console.log(`probe_${name}_duration_s: ${dur.toFixed(3)} (${src})`);
    console.log(`probe_${name}_median_ms: ${median(times).toFixed(1)}`);
  }
  if (system && system.ffprobe !== auto.ffprobe) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await probeAudio(hourMp3, { ffmpeg: system });
      times.push(performance.now() - t0);
    }
    console.log(`probe_mp3_system_ffprobe_median_ms: ${median(times).toFixed(1)}`);
  }

  // --- decode speed --------------------------------------------------------------------------
  // Baseline: the very command decodePcm runs (decodeArgs), its stdout sent straight to /dev/null, so the
  // only difference is the Node reader. The two alternate DECODE_ROUNDS times and each pair gives a ratio:
  // on a shared machine a ratio measured back to back is steadier than either speed alone.
  {
    const rounds = Number(process.env.DECODE_ROUNDS ?? 3);
    const alone: { sec: number; cpu: number }[] = [];
    const node: DecodeTiming[] = [];
    const devNull = openSync('/dev/null', 'w');
    try {
      for (let i = 0; i < rounds; i++) {
        const c0 = childCpuSec();
        const t0 = performance.now();
        execFileSync(auto.ffmpeg, decodeArgs(hourMp3, 0, undefined, auto.soxr), { stdio: ['ignore', devNull, 'inherit'] });
        alone.push({ sec: (performance.now() - t0) / 1000, cpu: childCpuSec() - c0 });
        node.push(await timeDecode(hourMp3, auto));
      }
    } finally {
      closeSync(devNull);
    }
    const audioSec = node[0]!.samples / 16000;
    console.log(`decode_mp3_ffmpeg_alone_x_realtime: ${median(alone.map((a) => audioSec / a.sec)).toFixed(0)}`);
    console.log(`decode_mp3_ffmpeg_alone_x_realtime_per_cpu_core: ${median(alone.map((a) => audioSec / a.cpu)).toFixed(0)}`);
    console.log(`decode_mp3_x_realtime: ${median(node.map((r) => r.samples / 16000 / r.sec)).toFixed(0)}`);
    console.log(`decode_mp3_x_realtime_per_cpu_core: ${median(node.map((r) => r.samples / 16000 / r.cpuSec)).toFixed(0)}`);
    const ratios = alone.map((a, i) => a.sec / node[i]!.sec);
    console.log(`decode_mp3_vs_ffmpeg_alone_ratio: ${median(ratios).toFixed(2)} (pairs: ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
    console.log(`decode_mp3_cpu_vs_ffmpeg_alone: ${median(alone.map((a, i) => node[i]!.cpuSec / a.cpu)).toFixed(2)}`);
    console.log(`decode_mp3_audio_s: ${audioSec.toFixed(3)}`);
  }
  reportDecode('flac', await timeDecode(hourFlac, auto));
  if (npm.ffmpeg !== auto.ffmpeg) reportDecode('mp3_npm_ffmpeg', await timeDecode(hourMp3, npm));

  // --- memory while streaming 1 and 9 hours (fresh processes, so each peak is that decode's) ---
  for (const [name, file] of [
    ['1h', hour8k],
    ['9h', nine],
  ] as const) {
    const res = await new Promise<{ baseKb: number; peakKb: number; ffmpegPeakKb: number; samples: number; sec: number }>(
      (resolve, reject) => {
        const child = fork(fileURLToPath(import.meta.url), ['--rss-child', file], { stdio: 'inherit' });
        child.on('message', (m) => resolve(m as never));
        child.on('error', reject);
        child.on('exit', (code) => code && reject(new Error(`rss child exited ${code}`)));
      },
    );
    console.log(`stream_${name}_audio_s: ${(res.samples / 16000).toFixed(1)}`);
    console.log(`stream_${name}_x_realtime: ${(res.samples / 16000 / res.sec).toFixed(0)}`);
    console.log(`stream_${name}_rss_node_before_mb: ${(res.baseKb / 1024).toFixed(1)}`);
    console.log(`stream_${name}_rss_node_peak_mb: ${(res.peakKb / 1024).toFixed(1)}`);
    console.log(`stream_${name}_rss_ffmpeg_peak_mb: ${(res.ffmpegPeakKb / 1024).toFixed(1)}`);
  }

  // --- voice activity on short clips (the speech clips decoded as above) -----------------------
  await benchVadClips(SPEECH);
  console.log(`load_average_1min_end: ${loadavg()[0]!.toFixed(2)}`);
}

if (process.argv[2] === '--rss-child') await rssChild(process.argv[3]!);
else await main();
