// Analysis and answer latency on a long file, through a real server in its own process:
//  - analysis wall time and × real time of an N-minute file (default 60) with speech every minute,
//  - peak RSS of the analysis worker (target < 500 MB for 1 hour),
//  - files.list requests/s while the analysis runs, as a ratio to idle (the event loop stays free),
//  - generateContent latency on the analysed file (transcript range, summary, question; target < 200 ms
//    with the composer) and first-chunk latency of streamGenerateContent.
import { GoogleGenAI, createPartFromUri, createUserContent } from '@google/genai';
import { MINUTES, workers, longFile, startServer, vmHwmMb } from './hour.js';

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
  const { server, url } = await startServer();
  try {
    const ai = new GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: url } });
    await new Promise((r) => setTimeout(r, 3000)); // engines warm up
    const idle = await listRate(url, 3000);
    const t0 = performance.now();
    const up = await ai.files.upload({ file, config: { mimeType: 'audio/mp3' } });
    let busy = 0;
    let peak = 0;
    const sampler = setInterval(() => {
      for (const pid of workers(server.pid!)) peak = Math.max(peak, vmHwmMb(pid));
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
