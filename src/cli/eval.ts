// `earshot eval DIR`: score the listening engines on a directory of labelled audio laid out like
// ../shared/audio (speech/transcripts.tsv, sounds/labels.tsv): word error rate, sound top-5 accuracy,
// VAD frame accuracy and each engine's speed, as a markdown table (or JSON).

import type { Command } from 'commander';
import { resolveConfig, type Config } from '../config.js';
import { decodeAll } from '../audio/decode.js';
import { formatEvalJson, formatEvalTable, runEval } from '../eval/index.js';
import { loadSounds, loadSpeech, loadVad } from '../engines/registry.js';
import { CliError, withInterrupt } from './errors.js';

export function evalCommand(program: Command): void {
  program
    .command('eval')
    .argument('<dir>', 'directory with speech/transcripts.tsv and/or sounds/labels.tsv')
    .description('score the engines on labelled audio (WER, sound top-5, VAD frame accuracy, speed)')
    .option('--engine <engine>', 'speech engine: whisper, pocketsphinx or auto')
    .option('--offline', 'never download models')
    .option('--models-dir <dir>', 'where model weights live')
    .option('--json', 'JSON output')
    .action((dir: string, flags: { engine?: string; offline?: boolean; modelsDir?: string; json?: boolean }) =>
      withInterrupt(async () => {
        const config = resolveConfig(
          {
            offline: flags.offline,
            modelsDir: flags.modelsDir,
            engines: flags.engine ? { speech: flags.engine as Config['engines']['speech'] } : undefined,
          },
          process.env,
        );
        const log = { info: (m: string) => process.stderr.write(`${m}\n`), warn: (m: string) => process.stderr.write(`warning: ${m}\n`) };
        const [vad, sounds, speech] = await Promise.all([loadVad(config), loadSounds(config, log), loadSpeech(config, log)]);
        if (speech.warning) log.warn(speech.warning);
        if (!vad && !sounds && !speech.engine) throw new CliError('no engine could be loaded', 4);
        try {
          const result = await runEval(dir, { vad, sounds, speech: speech.engine }, (file) => decodeAll(file), {
            onFile: flags.json ? undefined : (part, file, done, total) => process.stderr.write(`${part} ${done}/${total} ${file}\n`),
          });
          process.stdout.write(flags.json ? `${formatEvalJson(result)}\n` : `${formatEvalTable(result)}\n`);
        } finally {
          await Promise.all([vad?.close?.(), sounds?.close?.(), speech.engine?.close?.()]);
        }
      }),
    );
}
