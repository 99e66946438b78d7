// Analysis and answer latency on a long file, through a real server in its own process:
//  - analysis wall time and × real time of an N-minute file (default 60) with speech every minute,
//  - peak RSS of the analysis worker (target < 500 MB for 1 hour),
//  - files.list requests/s while the analysis runs, as a ratio to idle (the event loop stays free),
//  - generateContent latency on the analysed file (transcript range, summary, question; target < 200 ms
//    with the composer) and first-chunk latency of streamGenerateContent.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GoogleGenAI, createPartFromUri, createUserContent } from '@google/genai';

const MINUTES = Number(process.env.BENCH_ANALYSIS_MINUTES ?? 60);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = path.join(os.tmpdir(), 'earshot-bench');
mkdirSync(cache, { recursive: true });

function longFile(): string {
  const out = path.join(cache, `speech-every-minute-${MINUTES}m.mp3`);
  if (existsSync(out)) return out;
  const minute = path.join(cache, 'minute.wav');
  execFileSync('sox', [path.join(root, '../shared/audio/speech/jfk.wav'), '-r', '16000', '-c', '1', minute, 'pad', '0', '49']);
  execFileSync(
    'sox',
    Array(MINUTES)
      .fill(minute)
      .concat([path.join(cache, 'long.wav')]),
  );
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-i', path.join(cache, 'long.wav'), '-b:a', '64k', out]);
  return out;
}

function vmHwmMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function listRate(url: string, ms: number): Promise<number> {
  let n = 0;
  const end = Date.now() + ms;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < end) {
        const r = await fetch(`${url}/v1beta/files?pageSize=10`, { headers: { 'x-goog-api-key': 'bench' } });
        await r.arrayBuffer();
        n++;
      }
    }),
  );
  return n / (ms / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const file = longFile();
  const dataDir = path.join(cache, `data-${process.pid}`);
  const server = spawn(
    process.execPath,
    [path.join(root, 'bin/earshot.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--offline', '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve) =>
    server.stdout!.on('data', (d) => {
      const m = /listening on (\S+)/.exec(String(d));
      if (m) resolve(m[1]);
    }),
  );
  try {
    const ai = new GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: url } });
    await new Promise((r) => setTimeout(r, 3000)); // engines warm up
    const idle = await listRate(url, 3000);
    const t0 = performance.now();
    const up = await ai.files.upload({ file, config: { mimeType: 'audio/mp3' } });
    let busy = 0;
    let peak = 0;
    const sampler = setInterval(() => {
      for (const pid of children(server.pid!)) peak = Math.max(peak, vmHwmMb(pid));
    }, 250);
    let state = up.state;
    let measured = false;
    while (state === 'PROCESSING') {
      if (!measured && performance.now() - t0 > 5000) {
        busy = await listRate(url, 3000);
        measured = true;
      } else await new Promise((r) => setTimeout(r, 500));
      state = (await ai.files.get({ name: up.name! })).state;
    }
    clearInterval(sampler);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`analysis file: ${MINUTES} min mp3, 11 s of speech each minute`);
    console.log(`analysis state: ${state}`);
    console.log(`analysis wall time: ${seconds.toFixed(1)} s (${((MINUTES * 60) / seconds).toFixed(1)}× real time)`);
    console.log(`analysis worker peak RSS: ${peak.toFixed(0)} MB`);
    console.log(`files.list idle: ${idle.toFixed(0)} req/s`);
    if (busy) console.log(`files.list during analysis: ${busy.toFixed(0)} req/s (${(busy / idle).toFixed(2)} of idle)`);

    const part = createPartFromUri(up.uri!, 'audio/mp3');
    const ask = async (prompt: string) => {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = performance.now();
        await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: createUserContent([part, prompt]) });
        times.push(performance.now() - t);
      }
      return median(times);
    };
    console.log(
      `generateContent transcript 02:30-03:29: ${(await ask('Provide a transcript of the speech from 02:30 to 03:29.')).toFixed(1)} ms (median of 7)`,
    );
    console.log(`generateContent summary: ${(await ask('Please summarize the audio.')).toFixed(1)} ms`);
    console.log(`generateContent question: ${(await ask('What does the speaker ask the audience to do?')).toFixed(1)} ms`);
    const firsts: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      const stream = await ai.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: createUserContent([part, 'Describe this audio clip']),
      });
      for await (const _ of stream) {
        firsts.push(performance.now() - t);
        break;
      }
    }
    console.log(`streamGenerateContent first chunk: ${median(firsts).toFixed(1)} ms`);
  } finally {
    server.kill('SIGTERM');
  }
}

await main();
