// Benchmark: composeAnswer latency on a synthetic one-hour analysis (1000 segments with word times) for a
// transcript range, a summary, a content question, a description and JSON mode; and time-reference parsing;
// then the real language model (understanding-llm.ts). Prints `name: value` lines (composer: milliseconds per
// call, median of repeated runs, after warm-up). Argument `llm` runs only the model part, `composer` only the rest.
import { composeAnswer } from '../src/understanding/composer.js';
import { renderGroundedContext } from '../src/understanding/context.js';
import { findTimeReferences } from '../src/understanding/time-references.js';
import { geminiSchemaToJsonSchema } from '../src/understanding/schema.js';
import { ask, audio, longTalk } from '../test/understanding/fixtures.js';
import { llmBench } from './understanding-llm.js';

const only = process.argv[2];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(fn: () => unknown, runs = 25): { wall: number; cpu: number } {
  for (let i = 0; i < 5; i++) fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

const part = audio(longTalk(1000), 0, 'talk.wav');
const schema = geminiSchemaToJsonSchema({
  type: 'OBJECT',
  properties: {
    segments: {
      type: 'ARRAY',
      items: { type: 'OBJECT', properties: { timestamp: { type: 'STRING' }, text: { type: 'STRING' } }, required: ['timestamp', 'text'] },
    },
    summary: { type: 'STRING' },
  },
  required: ['segments', 'summary'],
});
const cases: [string, () => unknown][] = [
  ['compose_transcript_range_ms', () => composeAnswer(ask('Provide a transcript of the speech from 10:00 to 12:30.', part))],
  ['compose_transcript_whole_timestamps_ms', () => composeAnswer(ask('Transcribe the whole thing with timestamps', part))],
  ['compose_summary_ms', () => composeAnswer(ask('Please summarize the audio.', part))],
  ['compose_question_ms', () => composeAnswer(ask('What broke the old mill wheel?', part))],
  ['compose_description_ms', () => composeAnswer(ask('Describe this audio clip', part))],
  ['compose_presence_ms', () => composeAnswer(ask('Is there a siren?', part))],
  [
    'compose_json_range_ms',
    () => composeAnswer(ask('Transcribe from 10:00 to 12:30', part), { responseMimeType: 'application/json', responseSchema: schema }),
  ],
  ['render_context_range_ms', () => renderGroundedContext(ask('Summarize from 10:00 to 20:00', part))],
  [
    'find_time_references_ms',
    () => findTimeReferences('Provide a transcript of the speech from 02:30 to 03:29 and the last 2 minutes', 3600),
  ],
];
if (only !== 'llm') {
  console.log(`segments: ${part.analysis.segments.length}`);
  for (const [name, fn] of cases) {
    const { wall, cpu } = measure(fn);
    console.log(`${name}: ${wall.toFixed(2)}`);
    console.log(`${name.replace(/_ms$/, '_cpu_ms')}: ${cpu.toFixed(2)}`);
  }
}
if (only !== 'composer') await llmBench();
