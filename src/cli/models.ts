// `earshot models list|pull|verify`: the model catalogue (Whisper, YAMNet, GGUF language models), downloads
// with resume, checksum and a progress bar, and verification of what is installed.

import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { processEnvironment, resolveConfig } from '../config.js';
import { findModel } from '../engines/models/catalogue.js';
import { listModels, modelPath, pullModel, verifyModel } from '../engines/models/download.js';
import { CliError, withInterrupt } from './errors.js';

const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

export function modelsCommands(program: Command): void {
  const models = program.command('models').description('list, pull and verify model weights');
  const dirOption = (c: Command) => c.option('--models-dir <dir>', 'where model weights live (EARSHOT_MODELS_DIR)');
  const modelsDir = (flags: { modelsDir?: string }) => resolveConfig({ modelsDir: flags.modelsDir }, processEnvironment()).modelsDir;

  dirOption(models.command('list').description('known models and which are installed').option('--json', 'JSON output')).action(
    (flags: { modelsDir?: string; json?: boolean }) =>
      withInterrupt(async () => {
        const dir = modelsDir(flags);
        const rows = await listModels(dir);
        if (flags.json) return void process.stdout.write(`${JSON.stringify({ modelsDir: dir, models: rows }, null, 2)}\n`);
        process.stdout.write(`models dir: ${dir}\n`);
        for (const r of rows) {
          process.stdout.write(
            `${r.installed ? '*' : ' '} ${r.entry.name.padEnd(28)} ${r.entry.kind.padEnd(8)} ${mib(r.entry.bytes ?? r.entry.approxBytes).padStart(9)}  ${r.entry.description}\n`,
          );
        }
      }),
  );

  dirOption(
    models
      .command('pull')
      .argument('<names...>')
      .description('download models (resumes interrupted downloads)')
      .option('--offline', 'fail instead of downloading'),
  ).action((names: string[], flags: { modelsDir?: string; offline?: boolean }) =>
    withInterrupt(async (signal) => {
      const dir = modelsDir(flags);
      for (const name of names) {
        const entry = findModel(name);
        const tty = process.stderr.isTTY;
        const bar = tty
          ? new cliProgress.SingleBar(
              {
                format: `${entry.name} |{bar}| {percentage}% | {value}/{total} MiB | {speed} | ETA {eta_formatted}`,
                stream: process.stderr,
                hideCursor: true,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        let started = false;
        const t0 = Date.now();
        let lastLine = -1;
        const file = await pullModel(entry, {
          modelsDir: dir,
          signal,
          offline: flags.offline,
          onProgress: (p) => {
            const total = p.total ?? entry.bytes ?? entry.approxBytes;
            const speed = `${((p.received - p.resumedFrom) / 2 ** 20 / Math.max(0.001, (Date.now() - t0) / 1000)).toFixed(1)} MiB/s`;
            if (bar) {
              if (!started) bar.start(Math.round(total / 2 ** 20), 0, { speed });
              started = true;
              bar.update(Math.round(p.received / 2 ** 20), { speed });
            } else {
              const step = Math.floor((p.received / total) * 10);
              if (step > lastLine) {
                lastLine = step;
                process.stderr.write(`${entry.name}: ${Math.min(100, step * 10)}% (${mib(p.received)} of ${mib(total)}, ${speed})\n`);
              }
            }
          },
        }).finally(() => bar?.stop());
        process.stdout.write(`${entry.name}: installed at ${file}\n`);
      }
    }),
  );

  dirOption(models.command('verify').argument('[names...]').description('check installed models against their checksums')).action(
    (names: string[], flags: { modelsDir?: string }) =>
      withInterrupt(async () => {
        const dir = modelsDir(flags);
        const targets = names.length ? names.map(findModel) : (await listModels(dir)).filter((r) => r.installed).map((r) => r.entry);
        if (!targets.length) return void process.stdout.write(`no models installed in ${dir}\n`);
        let bad = 0;
        for (const entry of targets) {
          const result = await verifyModel(entry, modelPath(entry, dir));
          if (!result.ok) bad++;
          process.stdout.write(`${entry.name}: ${result.ok ? 'ok' : `FAILED (${result.problem})`} [${result.checks.join(', ')}]\n`);
        }
        if (bad) throw new CliError(`${bad} model(s) failed verification; run \`earshot models pull NAME\` to fetch them again`, 1);
      }),
  );
}
