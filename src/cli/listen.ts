// `earshot transcribe | describe | ask | tokens`: work on local audio files directly, without a server,
// through the same probe, analysis pipeline and understanding layer the API uses.

import type { Command } from 'commander';
import path from 'node:path';
import { resolveConfig, type Config } from '../config.js';
import { probeAudio } from '../audio/probe.js';
import { audioTokens } from '../domain/audio.js';
import type { TranscriptSegment } from '../domain/analysis.js';
import { findTimeReferences } from '../understanding/time-references.js';
import { sliceSegments } from '../understanding/composer.js';
import { speakerOf } from '../understanding/facts.js';
import { collectAnswer } from '../understanding/answer.js';
import { answererFactory } from '../understanding/backends.js';
import { analyzeLocal, conversationFor, type LocalAnalysis } from './local.js';
import { soundLabels } from '../engines/registry.js';
import { createProgress } from './progress.js';
import { formatTranscript, type TranscriptFormat } from './subtitles.js';
import { CliError, withInterrupt } from './errors.js';

interface ListenFlags {
  engine?: string;
  json?: boolean;
  offline?: boolean;
  modelsDir?: string;
}

function configFor(flags: ListenFlags): Config {
  const engine = flags.engine;
  if (engine && !['auto', 'whisper', 'pocketsphinx'].includes(engine))
    throw new CliError(`--engine must be whisper, pocketsphinx or auto (got ${engine})`, 2);
  return resolveConfig(
    {
      offline: flags.offline,
      modelsDir: flags.modelsDir,
      engines: engine ? { speech: engine as Config['engines']['speech'] } : undefined,
      logLevel: 'warn',
    },
    process.env,
  );
}

async function analyzeAll(files: string[], config: Config, flags: ListenFlags, signal: AbortSignal): Promise<LocalAnalysis[]> {
  const out: LocalAnalysis[] = [];
  for (const file of files) {
    const progress = createProgress(path.basename(file), { quiet: flags.json });
    try {
      out.push(
        await analyzeLocal(file, config, { signal, onProgress: (s, f) => progress.update(s, f), log: flags.json ? () => {} : undefined }),
      );
    } finally {
      progress.stop();
    }
  }
  return out;
}

/** "02:30-03:29" (or any phrase the time-reference module reads) → exact range within the audio. */
function parseRange(spec: string, durationSec: number): { start: number; end: number } {
  const m = /^\s*([\d:.]+)\s*[-–]\s*([\d:.]+)\s*$/.exec(spec);
  const refs = findTimeReferences(m ? `from ${m[1]} to ${m[2]}` : spec, durationSec);
  const r = refs[0];
  if (!r) throw new CliError(`--range "${spec}" is not a time range (try 02:30-03:29)`, 2);
  if (r.outOfRange) throw new CliError(`--range ${spec} lies outside the audio, which is ${durationSec.toFixed(1)} s long`, 3);
  return { start: r.start, end: r.end };
}

export function listenCommands(program: Command): void {
  const common = (c: Command) =>
    c
      .option('--engine <engine>', 'speech engine: whisper, pocketsphinx or auto')
      .option('--offline', 'never download models')
      .option('--models-dir <dir>', 'where model weights live')
      .option('--json', 'machine-readable output, no progress');

  common(program.command('transcribe').argument('<files...>').description('transcribe audio files'))
    .option('--range <range>', 'only this time range, e.g. 02:30-03:29')
    .option('--format <format>', 'text, srt, vtt or json', 'text')
    .option('--speakers', 'label lines and cues with the speaker (spk_1, …) where diarization ran')
    .action((files: string[], flags: ListenFlags & { range?: string; format: string; speakers?: boolean }) =>
      withInterrupt(async (signal) => {
        if (!['text', 'srt', 'vtt', 'json'].includes(flags.format)) throw new CliError(`--format must be text, srt, vtt or json`, 2);
        const format = (flags.json ? 'json' : flags.format) as TranscriptFormat;
        const config = configFor(flags);
        for (const item of await analyzeAll(files, config, flags, signal)) {
          let segments: TranscriptSegment[] = item.analysis.segments;
          let range: { start: number; end: number } | undefined;
          if (flags.range) {
            range = parseRange(flags.range, item.analysis.durationSec);
            segments = sliceSegments(item.analysis, range).map((s) => ({ ...s, words: [], speaker: speakerOf(item.analysis, s) }));
          }
          for (const w of item.analysis.warnings) process.stderr.write(`warning: ${w}\n`);
          if (files.length > 1 && format === 'text') process.stdout.write(`# ${item.file}\n`);
          process.stdout.write(
            formatTranscript(
              segments,
              format,
              {
                file: item.file,
                durationSec: item.analysis.durationSec,
                range,
                engines: item.analysis.engines,
                language: item.analysis.language,
              },
              { speakers: flags.speakers },
            ),
          );
        }
      }),
    );

  /** `question` gets the arguments after the file; commander has already required those argsSpec names. */
  const answerCommand = (name: string, description: string, question: (rest: string[]) => string | undefined, argsSpec: string) =>
    common(program.command(name).arguments(argsSpec).description(description)).action((...args: unknown[]) => {
      const [file, ...rest] = args.slice(0, -2) as string[];
      const prompt = question(rest);
      if (file === undefined || prompt === undefined) throw new CliError(`usage: earshot ${name} ${argsSpec}`, 2);
      const flags = args[args.length - 2] as ListenFlags;
      return withInterrupt(async (signal) => {
        const config = configFor(flags);
        // the same answering service as the server, so EARSHOT_TEXT_ENGINE=llama|openai answers here too; loaded
        // first, so a missing language model fails before the analysis. No tokenizer: the CLI shows no usage, and
        // loading the 262k-token vocabulary would cost seconds.
        const answerer = await answererFactory(config, undefined, soundLabels(config))();
        try {
          const items = await analyzeAll([file], config, flags, signal);
          const answer = await collectAnswer(answerer.answer(conversationFor(items, prompt), { signal }));
          process.stdout.write(
            flags.json
              ? `${JSON.stringify({ file, answer: answer.text, grounding: answer.grounding, data: answer.data }, null, 2)}\n`
              : `${answer.text}\n`,
          );
        } finally {
          await answerer.close?.();
        }
      });
    });

  answerCommand('describe', 'describe what is heard in an audio file', () => 'Describe this audio clip.', '<file>');
  answerCommand('ask', 'ask a question about an audio file', ([q]) => q, '<file> <question>');

  program
    .command('tokens')
    .argument('<files...>')
    .description('what countTokens would say for these audio files (32 tokens per second)')
    .option('--json', 'machine-readable output')
    .action((files: string[], flags: { json?: boolean }) =>
      withInterrupt(async (signal) => {
        let total = 0;
        const rows = [];
        for (const file of files) {
          const probe = await probeAudio(file, { signal });
          const tokens = audioTokens(probe.durationSec);
          total += tokens;
          rows.push({ file, durationSec: probe.durationSec, tokens });
        }
        if (flags.json) process.stdout.write(`${JSON.stringify({ totalTokens: total, files: rows }, null, 2)}\n`);
        else {
          for (const r of rows) process.stdout.write(`${r.file}\t${r.durationSec.toFixed(3)} s\t${r.tokens} tokens\n`);
          if (rows.length > 1) process.stdout.write(`total\t\t${total} tokens\n`);
        }
      }),
    );
}
