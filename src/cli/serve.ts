// `earshot serve`: resolve the configuration (flags > env > config file > defaults), start the server,
// say how to point the SDKs at it, and shut down gracefully on SIGTERM/SIGINT.
import type { Command } from 'commander';
import { printableConfig, resolveConfig, type ConfigInput } from '../config.js';
import { createApp } from '../app.js';

interface ServeFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  modelsDir?: string;
  config?: string;
  apiKeys?: string;
  offline?: boolean;
  logLevel?: string;
  printConfig?: boolean;
}

export function flagsToInput(f: ServeFlags): ConfigInput {
  return {
    host: f.host,
    port: f.port === undefined ? undefined : Number(f.port),
    dataDir: f.dataDir,
    modelsDir: f.modelsDir,
    configFile: f.config,
    apiKeys: f.apiKeys,
    offline: f.offline,
    logLevel: f.logLevel as ConfigInput['logLevel'],
  };
}

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run the Gemini-compatible HTTP server')
    .option('--host <host>', 'interface to listen on (EARSHOT_HOST)', undefined)
    .option('--port <port>', 'port, 0 for any free one (EARSHOT_PORT)', undefined)
    .option('--data-dir <dir>', 'where files, database and analyses live (EARSHOT_DATA_DIR)')
    .option('--models-dir <dir>', 'where model weights live (EARSHOT_MODELS_DIR)')
    .option('--config <file>', 'JSON config file (EARSHOT_CONFIG)')
    .option('--api-keys <keys>', 'accepted keys, "key" or "key=project", comma-separated (EARSHOT_API_KEYS)')
    .option('--offline', 'never download models (EARSHOT_OFFLINE=1)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (EARSHOT_LOG_LEVEL)')
    .option('--print-config', 'print the effective configuration (secrets masked) and exit')
    .action(async (flags: ServeFlags) => {
      const config = resolveConfig(flagsToInput(flags), process.env);
      if (flags.printConfig) {
        process.stdout.write(`${JSON.stringify(printableConfig(config), null, 2)}\n`);
        return;
      }
      const app = await createApp(config);
      const url = await app.listen();
      process.stdout.write(
        `Earshot listening on ${url}\n` +
          `Point the Gemini SDKs at it:\n` +
          `  export GOOGLE_GEMINI_BASE_URL=${url}\n` +
          `  export GEMINI_API_KEY=any-key${config.apiKeys ? ' (one of the configured keys)' : ''}\n` +
          `Playground: ${url}/\n`,
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        app.logger.info({ signal }, 'shutting down');
        app.close().then(
          () => process.exit(0),
          (err) => {
            app.logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
