// `earshot config`: the settings reference generated from the schema (--env-table), and the README's
// configuration table rewritten from it (--update-readme), so the documentation never drifts from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { configTable, withConfigTable } from '../config.js';
import { CliError } from './errors.js';

export function configCommand(program: Command): void {
  program
    .command('config')
    .description('show every setting: config file key, flag, environment variable, default, allowed values')
    .option('--env-table', 'print the settings table (Markdown)')
    .option('--update-readme <file>', "rewrite the table between the README's config-table markers")
    .action((flags: { envTable?: boolean; updateReadme?: string }) => {
      if (flags.updateReadme) {
        const next = withConfigTable(readFileSync(flags.updateReadme, 'utf8'));
        if (next === null) throw new CliError(`${flags.updateReadme} has no config-table markers`, 2);
        writeFileSync(flags.updateReadme, next);
        return;
      }
      process.stdout.write(`${configTable()}\n`);
    });
}
