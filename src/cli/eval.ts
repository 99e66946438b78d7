// `earshot eval DIR`: score the listening engines on a directory of labelled audio laid out like
// ../shared/audio (speech/transcripts.tsv, sounds/labels.tsv): word error rate, sound top-5 accuracy,
// VAD frame accuracy, diarization (speakers found vs true, DER; plus synthetic espeak-ng conversations of 2–4
// voices) and each engine's speed, as a markdown table (or JSON).

import type { Command } from 'commander';
import { resolveConfig, type Config } from '../config.js';
import { decodeAll } from '../audio/decode.js';
import {
  buildConversation,
  espeakAvailable,
  espeakSynthesise,
  formatEvalJson,
  formatEvalTable,
  runEval,
  type ExtraSpeakerClip,
} from '../eval/index.js';
import { loadSounds, loadSpeakers, loadSpeech, loadVad } from '../engines/registry.js';
import { CliError, withInterrupt } from './errors.js';

export function evalCommand(program: Command): void {
  program
    .command('eval')
    .argument('<dir>', 'directory with speech/transcripts.tsv and/or sounds/labels.tsv')
    .description('score the engines on labelled audio (WER, sound top-5, VAD frame accuracy, speakers and DER, speed)')
    .option('--engine <engine>', 'speech engine: whisper, pocketsphinx or auto')
    .option('--offline', 'never download models')
    .option('--models-dir <dir>', 'where model weights live')
    .option('--json', 'JSON output')
    .option('--no-conversations', 'skip the synthetic 2-, 3- and 4-voice espeak-ng conversations in the diarization part')
    .option('--no-speakers', 'skip diarization')
    .action((dir: string, flags: EvalFlags) =>
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
        const [vad, sounds, speech, speakers] = await Promise.all([
          loadVad(config),
          loadSounds(config, log),
          loadSpeech(config, log),
          flags.speakers ? loadSpeakers(config, log) : undefined,
        ]);
        if (speech.warning) log.warn(speech.warning);
        if (!vad && !sounds && !speech.engine) throw new CliError('no engine could be loaded', 4);
        try {
          const result = await runEval(dir, { vad, sounds, speech: speech.engine, speakers }, (file) => decodeAll(file), {
            onFile: flags.json ? undefined : (part, file, done, total) => process.stderr.write(`${part} ${done}/${total} ${file}\n`),
            conversations: speakers && vad && flags.conversations ? conversations(log) : undefined,
          });
          process.stdout.write(flags.json ? `${formatEvalJson(result)}\n` : `${formatEvalTable(result)}\n`);
        } finally {
          await Promise.all([vad?.close?.(), sounds?.close?.(), speech.engine?.close?.(), speakers?.close()]);
        }
      }),
    );
}

interface EvalFlags {
  engine?: string;
  offline?: boolean;
  modelsDir?: string;
  json?: boolean;
  /** false with --no-conversations */
  conversations: boolean;
  /** false with --no-speakers */
  speakers: boolean;
}

/** 2-, 3- and 4-voice conversations with known turns, when espeak-ng is installed (else a warning and none). */
function conversations(log: { warn: (m: string) => void }): ExtraSpeakerClip[] {
  if (!espeakAvailable()) {
    log.warn('espeak-ng is not installed: the synthetic conversations are left out of the diarization part (apt-get install espeak-ng).');
    return [];
  }
  return [2, 3, 4].map((n) => {
    const c = buildConversation(n, espeakSynthesise);
    return { file: `synthetic ${n} voices`, pcm: c.pcm, turns: c.turns };
  });
}
