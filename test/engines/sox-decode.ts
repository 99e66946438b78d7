// Test-only audio helpers built on sox (the project's audio module is separate): decode any file to 16 kHz mono
// Float32 PCM, synthesise a sentence with espeak-ng, and place PCM at an offset inside silence.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../helpers.js';

export function soxDecode(file: string): Float32Array {
  const raw = execFileSync('sox', [file, '-r', '16000', '-c', '1', '-b', '32', '-e', 'float', '-t', 'raw', '-'], {
    maxBuffer: 1 << 30,
  });
  return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
}

/** espeak-ng speech for `text` (US English voice, 130 words/min), resampled to 16 kHz mono float. */
export function espeak(text: string, args: string[] = ['-v', 'en-us', '-s', '130']): Float32Array {
  const { dir, cleanup } = tempDir('earshot-espeak-');
  try {
    const wav = path.join(dir, 'say.wav');
    execFileSync('espeak-ng', [...args, '-w', wav, text]);
    return soxDecode(wav);
  } finally {
    cleanup();
  }
}

/** `clip` placed at `offsetSec` inside `totalSec` of digital silence. */
export function placeAt(clip: Float32Array, offsetSec: number, totalSec: number): Float32Array {
  const out = new Float32Array(Math.round(totalSec * 16000));
  out.set(clip.subarray(0, Math.max(0, out.length - Math.round(offsetSec * 16000))), Math.round(offsetSec * 16000));
  return out;
}
