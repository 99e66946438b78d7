// CLI failure handling: one clear line on stderr and a meaningful exit code
// (1 failure, 2 usage, 3 unusable input, 4 needs something installed, 130 interrupted).

import { isAudioError } from '../audio/errors.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (isAudioError(err)) return 3;
  return 1;
}

/** Run a command body with Ctrl-C wired to an AbortSignal; report errors as one line. */
export async function withInterrupt(body: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const abort = new AbortController();
  const onInt = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onInt);
  try {
    await body(abort.signal);
  } catch (err) {
    if (abort.signal.aborted) {
      process.stderr.write('earshot: interrupted\n');
      process.exitCode = 130;
      return;
    }
    process.stderr.write(`earshot: ${(err as Error).message.split('\n')[0]}\n`);
    process.exitCode = exitCodeOf(err);
  } finally {
    process.off('SIGINT', onInt);
  }
}
