// Test helper: decodes a clip to 16 kHz mono Float32 PCM with system sox, the way the YAMNet reference
// scores were produced (sox resampling to 16-bit; sox dithers when it does that, and -R makes the
// dither repeatable so the tests are deterministic).
import { execFileSync } from 'node:child_process';

export function soxDecode16k(file: string): Float32Array {
  let raw: Buffer;
  try {
    raw = execFileSync('sox', ['-R', file, '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', '-'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 28,
    });
  } catch (err) {
    throw new Error(`sox failed on ${file} (is the Debian package "sox" with Ogg support installed?): ${(err as Error).message}`);
  }
  const ints = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1);
  return Float32Array.from(ints, (v) => v / 32768);
}
