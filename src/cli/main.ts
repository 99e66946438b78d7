// The `earshot` command line: parses arguments with commander and dispatches to one module per command.
import { Command } from 'commander';
import { serveCommand } from './serve.js';
import { listenCommands } from './listen.js';
import { filesCommands } from './files.js';
import { modelsCommands } from './models.js';
import { evalCommand } from './eval.js';
import { configCommand } from './config.js';
import { isEarshotError } from '../domain/errors.js';

const program = new Command();
program.name('earshot').description('Self-hosted audio understanding server that speaks the Gemini API').version('0.1.0');
serveCommand(program);
listenCommands(program);
filesCommands(program);
modelsCommands(program);
evalCommand(program);
configCommand(program);

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`earshot: ${err.message}\n`);
  // a configuration the server cannot start with is a usage error (exit 2), like a bad flag
  process.exit(isEarshotError(err, 'CONFIG_INVALID', 'CONFIG_UNKNOWN_KEY', 'CONFIG_FILE_UNREADABLE', 'CONFIG_MISSING') ? 2 : 1);
});
