// `earshot serve [--role api|worker|all]`: resolve the configuration (flags > env > config file > defaults), start
// the server (or, for a worker, the job consumer and its health endpoints), say how to point the SDKs at it, and
// shut down gracefully on SIGTERM/SIGINT.
import type { Command } from 'commander';
import { printableConfig, processEnvironment, resolveConfig, SETTINGS, type ConfigInput } from '../config.js';
import { createApp } from '../app.js';
import { checkRole } from '../analysis/jobs/node.js';

/** commander's attribute name for a flag: --data-dir → dataDir. */
const attributeOf = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The parsed command line as configuration input; values stay text, which resolveConfig converts and checks. */
export function flagsToInput(flags: Record<string, unknown>): ConfigInput {
  const input: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const v = s.flag ? flags[attributeOf(s.flag)] : undefined;
    if (v === undefined) continue;
    let node = input;
    for (const p of s.path.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[s.path[s.path.length - 1] as string] = v;
  }
  return input as ConfigInput;
}

export function serveCommand(program: Command): void {
  const serve = program.command('serve').description('run the Gemini-compatible HTTP server');
  for (const s of SETTINGS) {
    if (!s.flag) continue;
    const env = s.env ? ` (${s.env})` : '';
    serve.option(s.schema.type === 'boolean' ? s.flag : `${s.flag} <value>`, `${s.description}${env}`);
  }
  serve
    .option('--print-config', 'print the effective configuration (secrets masked) and exit')
    .action(async (flags: Record<string, unknown>) => {
      const config = resolveConfig(flagsToInput(flags), processEnvironment());
      if (flags.printConfig) {
        process.stdout.write(`${JSON.stringify(printableConfig(config), null, 2)}\n`);
        return;
      }
      // roles api and worker need the shared database and object store: a usage error (exit 2), said in one line
      try {
        checkRole(config);
      } catch (err) {
        process.stderr.write(`earshot: ${(err as Error).message}\n`);
        process.exit(2);
      }
      const app = await createApp(config);
      const url = await app.listen();
      if (config.role === 'worker') {
        process.stdout.write(`Earshot worker: analysing jobs from the shared queue; /readyz and /metrics on ${url}\n`);
      } else
        process.stdout.write(
          `Earshot listening on ${url}\n` +
            `Point the Gemini SDKs at it:\n` +
            `  export GOOGLE_GEMINI_BASE_URL=${url}\n` +
            `  export GEMINI_API_KEY=any-key${config.apiKeys ? ' (one of the configured keys)' : ''}\n` +
            `Playground: ${url}/\n` +
            (config.role === 'api' ? 'Role api: analyses run on the worker nodes (earshot serve --role worker)\n' : ''),
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
