// Progress for long CLI work: a bar with rate and ETA on a terminal (cli-progress), quiet
// line-oriented updates (every 10 %) when stderr is not a TTY, nothing with --json.

import cliProgress from 'cli-progress';

export interface Progress {
  update(stage: string, fraction: number): void;
  stop(): void;
}

export function createProgress(label: string, opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { update() {}, stop() {} };
  if (!stream.isTTY) {
    let lastStep = -1;
    let lastStage = '';
    return {
      update(stage, fraction) {
        const step = Math.floor(fraction * 10);
        if (stage !== lastStage || step > lastStep) {
          stream.write(`${label}: ${stage} ${Math.round(fraction * 100)}%\n`);
          lastStep = step;
          lastStage = stage;
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} {stage} |{bar}| {percentage}% | {rate} | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(1000, 0, { stage: 'starting', rate: '' });
  return {
    update(stage, fraction) {
      const elapsed = (Date.now() - started) / 1000;
      bar.update(Math.round(fraction * 1000), {
        stage: stage.padEnd(12),
        rate: elapsed > 0 ? `${((fraction * 100) / elapsed).toFixed(1)} %/s` : '',
      });
    },
    stop() {
      bar.stop();
    },
  };
}
