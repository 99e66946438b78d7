// `earshot files list|get|delete` against a running server, through the official @google/genai client
// (the same public API any program uses).

import type { Command } from 'commander';
import { GoogleGenAI } from '@google/genai';
import { processEnvironment, resolveClientConfig } from '../config.js';
import { CliError, withInterrupt } from './errors.js';

interface RemoteFlags {
  server?: string;
  key?: string;
  json?: boolean;
}

function client(flags: RemoteFlags): GoogleGenAI {
  const { baseUrl, apiKey } = resolveClientConfig({ server: flags.server, key: flags.key }, processEnvironment());
  if (!apiKey) throw new CliError('an API key is needed: --key KEY or GEMINI_API_KEY', 2);
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl } });
}

function expiresIn(iso?: string): string {
  if (!iso) return '';
  const h = (Date.parse(iso) - Date.now()) / 3_600_000;
  return h >= 1 ? `expires in ${Math.floor(h)} h` : `expires in ${Math.max(0, Math.round(h * 60))} min`;
}

export function filesCommands(program: Command): void {
  const files = program.command('files').description('manage files on a running server');
  const remote = (c: Command) =>
    c
      .option('--server <url>', 'server base URL (GOOGLE_GEMINI_BASE_URL)')
      .option('--key <key>', 'API key (GEMINI_API_KEY)')
      .option('--json', 'JSON output');

  remote(files.command('list').description("list the project's files")).action((flags: RemoteFlags) =>
    withInterrupt(async () => {
      const ai = client(flags);
      const all = [];
      for await (const f of await ai.files.list({ config: { pageSize: 100 } })) all.push(f);
      if (flags.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      else
        for (const f of all)
          process.stdout.write(
            `${f.name}\t${f.state}\t${f.mimeType}\t${f.sizeBytes} B\t${f.displayName ?? ''}\t${expiresIn(f.expirationTime)}\n`,
          );
    }),
  );
  remote(files.command('get').argument('<name>').description('show one file')).action((name: string, flags: RemoteFlags) =>
    withInterrupt(async () => {
      const f = await client(flags).files.get({ name: name.startsWith('files/') ? name : `files/${name}` });
      process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
    }),
  );
  remote(files.command('delete').argument('<names...>').description('delete files')).action((names: string[], flags: RemoteFlags) =>
    withInterrupt(async () => {
      const ai = client(flags);
      for (const name of names) {
        await ai.files.delete({ name: name.startsWith('files/') ? name : `files/${name}` });
        if (!flags.json) process.stdout.write(`deleted ${name}\n`);
      }
    }),
  );
}
