// The `earshot` command line: parses arguments with commander and dispatches to one module per command.
import { Command } from 'commander';
import { serveCommand } from './serve.js';
import { listenCommands } from './listen.js';
import { filesCommands } from './files.js';
import { modelsCommands } from './models.js';
import { evalCommand } from './eval.js';

const program = new Command();
program.name('earshot').description('Self-hosted audio understanding server that speaks the Gemini API').version('0.1.0');
serveCommand(program);
listenCommands(program);
filesCommands(program);
modelsCommands(program);
evalCommand(program);

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`earshot: ${err.message}\n`);
  process.exit(1);
});
