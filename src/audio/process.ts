// Runs an ffmpeg-family tool to completion with a timeout and abort signal, collecting its output
// (or handing stdout over line by line so huge listings never sit in memory).

import { spawn } from 'node:child_process';

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** When set, stdout is delivered line by line here and not kept. */
  onLine?: (line: string) => void;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  /** last 16 KB of stderr */
  stderr: string;
  timedOut: boolean;
}

const STDERR_KEEP = 16 * 1024;

export function runTool(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const { timeoutMs = 60_000, signal, onLine } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: string[] = [];
    let partial = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (!onLine) {
        out.push(chunk);
        return;
      }
      const text = partial + chunk;
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.length > STDERR_KEEP * 2) stderr = stderr.slice(-STDERR_KEEP);
    });

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const onAbort = (): void => {
      child.kill('SIGKILL');
      finish(() => reject(signal?.reason ?? new Error('aborted')));
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };

    child.on('error', (err) => finish(() => reject(err)));
    child.on('close', (code) => {
      if (onLine && partial) onLine(partial);
      finish(() => resolve({ code, stdout: out.join(''), stderr: stderr.slice(-STDERR_KEEP), timedOut }));
    });
  });
}

/** The useful tail of a tool's stderr for an error message: last few non-empty lines. */
export function stderrTail(stderr: string, lines = 6): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-lines)
    .join(' | ');
}
