// The language-model part of bench/understanding.bench.ts: the real default model (Qwen2.5-Coder-0.5B-Instruct
// Q4_K_M from the test-model cache, or EARSHOT_BENCH_LLM_MODEL) on the CPU, per thread count: load time,
// prompt-processing and generation tokens/s, and the latency of "Describe this audio clip" on a one-minute file
// built from the shared clips and analysed by the real engines (Whisper tiny.en when fetched, YAMNet, Silero).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../src/config.js';
import { analyzeLocal } from '../src/cli/local.js';
import { createLlamaGenerator } from '../src/engines/text/llama.js';
import { renderGroundedContext } from '../src/understanding/context.js';
import { findTestModel } from '../test/models/manifest.js';
import { modelsDir } from '../test/models/paths.js';
import { SOUNDS_DIR, SPEECH_DIR } from '../test/helpers.js';
import type { Conversation } from '../src/understanding/types.js';

const CLIPS = [
  path.join(SPEECH_DIR, 'jfk.wav'),
  path.join(SOUNDS_DIR, 'firetruck.ogg'),
  ...['0870', '0880', '0890', '0920', '0930'].map((n) => path.join(SPEECH_DIR, `sense_and_sensibility_01_austen_64kb-${n}.wav`)),
  path.join(SOUNDS_DIR, 'dog.ogg'),
  path.join(SOUNDS_DIR, 'rooster.ogg'),
  path.join(SOUNDS_DIR, 'violin.ogg'),
  path.join(SOUNDS_DIR, 'blackbird.ogg'),
  path.join(SOUNDS_DIR, 'duck.ogg'),
];

function cached(name: string): string | undefined {
  const file = path.join(modelsDir(), findTestModel(name).file);
  return existsSync(file) ? file : undefined;
}

/** The shared clips one after another, 16 kHz mono, cut at 60 s. */
function oneMinuteFile(dir: string): string {
  const out = path.join(dir, 'one-minute.wav');
  const inputs = CLIPS.flatMap((c) => ['-i', c]);
  const filter = `${CLIPS.map((_, i) => `[${i}:a]aresample=16000,aformat=channel_layouts=mono[a${i}];`).join('')}${CLIPS.map((_, i) => `[a${i}]`).join('')}concat=n=${CLIPS.length}:v=0:a=1[out]`;
  const r = spawnSync('ffmpeg', ['-v', 'error', ...inputs, '-filter_complex', filter, '-map', '[out]', '-t', '60', '-y', out]);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return out;
}

export async function llmBench(threadCounts = [1, 2]): Promise<void> {
  const modelPath = process.env.EARSHOT_BENCH_LLM_MODEL || cached('qwen2.5-coder-0.5b-instruct');
  if (!modelPath) {
    console.log('llm: skipped (run `npm run test-models`, or set EARSHOT_BENCH_LLM_MODEL to a .gguf file)');
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-llm-bench-'));
  try {
    const whisper = cached('whisper-tiny.en');
    const config = resolveConfig({
      offline: true,
      logLevel: 'silent',
      modelsDir: path.join(dir, 'models'),
      engines: { speakers: 'none', ...(whisper ? { whisperModel: whisper } : {}) },
    });
    const file = oneMinuteFile(dir);
    let t = performance.now();
    const { analysis } = await analyzeLocal(file, config, { log: () => undefined });
    console.log(
      `llm_file: ${analysis.durationSec.toFixed(1)} s, ${analysis.segments.length} segments, ${analysis.soundEvents.length} sound events, speech by ${analysis.engines.speech ?? 'none'}`,
    );
    console.log(`llm_file_analysis_s: ${((performance.now() - t) / 1000).toFixed(1)}`);
    const conversation: Conversation = {
      turns: [
        {
          role: 'user',
          parts: [
            { kind: 'audio', index: 0, analysis, mimeType: 'audio/wav', displayName: 'one-minute.wav' },
            { kind: 'text', text: 'Describe this audio clip' },
          ],
        },
      ],
    };
    for (const threads of threadCounts) {
      t = performance.now();
      const gen = await createLlamaGenerator({ modelPath, gpu: false, threads, contextSize: 4096 });
      console.log(`llm_load_ms_threads_${threads}: ${(performance.now() - t).toFixed(0)}`);
      try {
        t = performance.now();
        const messages = renderGroundedContext(conversation, {});
        const it = gen.generate({ messages, maxOutputTokens: 128, temperature: 0, seed: 1 });
        let first = 0;
        let text = '';
        let step = await it.next();
        for (; !step.done; step = await it.next()) {
          first ||= performance.now();
          text += step.value.text;
        }
        const end = performance.now();
        const { inputTokens = 0, outputTokens } = step.value;
        const ttft = (first - t) / 1000;
        console.log(`llm_describe_1min_ms_threads_${threads}: ${(end - t).toFixed(0)}`);
        console.log(`llm_first_token_ms_threads_${threads}: ${(ttft * 1000).toFixed(0)}`);
        console.log(`llm_prompt_tokens: ${inputTokens}, output tokens: ${outputTokens}`);
        console.log(`llm_prompt_tok_s_threads_${threads}: ${(inputTokens / ttft).toFixed(1)}`);
        console.log(`llm_generate_tok_s_threads_${threads}: ${((outputTokens - 1) / ((end - first) / 1000)).toFixed(1)}`);
        if (threads === threadCounts[0]) console.log(`llm_describe_answer: ${JSON.stringify(text)}`);
      } finally {
        await gen.close?.();
      }
    }
    console.log(
      `llm_load_average: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
