// Offline speech recognition with CMU PocketSphinx (Debian bookworm packages pocketsphinx 0.8+5prealpha and
// pocketsphinx-en-us). One transcribe() = one run of `pocketsphinx_batch` over a temporary raw 16-bit file: the
// control file lists the utterances (the whole input, or ≤ `maxUtteranceSec` pieces cut at the quietest points for
// long input), the CTM output ("utt channel start duration word posterior") gives word times and confidences, and
// the words become TranscriptSegment[] split at pauses ≥ `segmentPauseSec`.
//
// Why pocketsphinx_batch and not pocketsphinx_continuous: continuous mode runs its own silence detector and live
// cepstral-mean normalisation; batch mode normalises over the whole utterance and keeps all frames. On
// ../shared/audio/speech (jfk.wav + 5 LibriVox clips, 92 reference words) that alone took WER from 46.7% to 26.1%
// with the same search flags (tuning table in POCKETSPHINX_DEFAULT_ARGS). Continuous mode also depended on how
// much a pipe read returned at a time, so its output was not reproducible from a pipe.
//
// Confidence: the CTM column is the word posterior already exponentiated by the decoder (logmath_exp of the log
// posterior), i.e. 0..1; it is clamped, as rounding can push it a hair past 1.

import { availableParallelism } from 'node:os';

import { spawn } from 'node:child_process';

import { accessSync, constants, existsSync } from 'node:fs';

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';

import { tmpdir } from 'node:os';

import path from 'node:path';
import type { TranscriptSegment, Word } from '../../domain/analysis.js';
import type { SpeechEngine, TranscribeOptions, TranscribeResult } from '../types.js';
import { planWindows } from '../vad/windows.js';
import { SAMPLE_RATE } from '../../domain/audio.js';
import { executableSearchPath } from '../../config.js';
import { EarshotError } from '../../domain/errors.js';

export const POCKETSPHINX_INSTALL_HINT =
  'Install it with: apt-get install pocketsphinx pocketsphinx-en-us (Debian/Ubuntu), ' +
  'or pass binary/modelDir pointing to an existing pocketsphinx_batch and en-us model.';

/**
 * Decoder flags used unless overridden in `decoderArgs`. Tuned on ../shared/audio/speech (jfk.wav + 5 LibriVox
 * clips, 92 reference words; WER after normalizeForWer; speed = audio seconds per CPU second including one model
 * load, measured on a 2-core machine shared with other jobs, so ±30%):
 *
 *   pocketsphinx_continuous (own VAD, live CMN):
 *     defaults                                              42.4%  1.8×
 *     -topn 2                                               40.2%  —
 *     -maxhmmpf 3000                                        48.9%  —
 *     -maxhmmpf 5000 -maxwpf 10                             42.4%  2.7×
 *     -maxhmmpf 3000 -maxwpf 5 -topn 2                      46.7%  3.1×
 *       + -fwdflat no                                       47.8%  3.9×
 *       + -fwdflat no -bestpath no                          52.2%  3.4×
 *       + -lw 5 -fwdflatlw 7 -bestpathlw 8                  39.1%  2.1×
 *       + -lw 5.5 -fwdflatlw 7.5 -bestpathlw 8.5            43.5%  2.6×
 *       + -lw 8 -fwdflatlw 10 -bestpathlw 11                47.8%  3.9×
 *       + -wip 0.2                                          51.1%  3.2×
 *       + -ds 2                                             52.2%  3.3×
 *       + -remove_silence no                                53.3%  3.0×
 *     -maxhmmpf 3000 -maxwpf 5 -pl_window 10 -topn 2 -fwdflat no -bestpath no   52.2%  4.4×
 *     -beam 1e-30 -wbeam 1e-20 -pbeam 1e-30                 85.9%  —
 *   pocketsphinx_batch, -remove_silence no (whole-utterance CMN), all with -topn 2 -maxwpf 5:
 *     -maxhmmpf 3000                                        32.6%  3.0×
 *     -maxhmmpf 3000 -fwdflat no        (chosen, + dither)  26.1%  3.1–4.3×
 *       + -pl_window 10                                     26.1%  3.0×
 *       + -bestpath no                                      29.3%  3.3×
 *       + -lw 8 -bestpathlw 11                              38.0%  3.8×
 *     -maxhmmpf 5000 -fwdflat no                            26.1%  2.7×
 *     -maxhmmpf 2000                                        39.1%  4.2×
 *     -maxhmmpf 1500 -fwdflat no                            37.0%  4.6×
 *     -maxhmmpf 3000 -ds 2                                  40.2%  3.2×
 *     (without -topn 2) -maxhmmpf 3000                      39.1%  2.8×
 */
export const POCKETSPHINX_DEFAULT_ARGS: Readonly<Record<string, string>> = {
  remove_silence: 'no',
  // Digital silence (exact zeros) gives log(0) energies and the decoder then "hears" a word across it; 1/2-bit
  // dither with a fixed seed fixes that and keeps output reproducible (WER unchanged: 26.1%; seed 2: 28.3%).
  dither: 'yes',
  seed: '1',
  topn: '2',
  // Wider word and HMM limits than the speed-first 3000/5: corpus WER 26.1% → 19.6% (jfk 45% → 18%) for
  // about 20% more decoding time (3.5× → 2.8× real time on the loaded 2-core machine). 10000/20 adds
  // nothing more (19.6%) and is slower still (2.1×).
  maxhmmpf: '5000',
  maxwpf: '10',
  fwdflat: 'no',
};

export interface PocketSphinxOptions {
  /** decoder processes one pipeline may run at once (default: the machine's cores) */
  parallelism?: number;
  /** the batch decoder binary (default: pocketsphinx_batch on PATH) */
  binary?: string;
  /** directory holding en-us/ (acoustic model), en-us.lm.bin and cmudict-en-us.dict
   *  (default /usr/share/pocketsphinx/model/en-us) */
  modelDir?: string;
  /** override individual files */
  hmm?: string;
  lm?: string;
  dict?: string;
  /** extra or overriding decoder flags without the dash, e.g. { lw: '7', beam: '1e-40' } */
  decoderArgs?: Record<string, string | number>;
  /** where the temporary files go (default: the OS temp directory) */
  tmpDir?: string;
  /** longer input is decoded as several utterances cut at the quietest points (default 30) */
  maxUtteranceSec?: number;
  /** a pause between words at least this long starts a new segment (default 0.5) */
  segmentPauseSec?: number;
}

export interface CtmWord {
  utterance: string;
  start: number;
  end: number;
  word: string;
  posterior: number;
}

const CTM_LINE = /^(\S+) \S+ (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\S+) (-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)$/;

/** Parse pocketsphinx CTM lines; times are relative to each utterance's start. Fillers are dropped. */
export function parseCtm(ctm: string): CtmWord[] {
  const words: CtmWord[] = [];
  for (const line of ctm.split('\n')) {
    const m = CTM_LINE.exec(line.trim());
    if (!m) continue;
    // every group of CTM_LINE is mandatory, so a match defines all five
    const [, utterance = '', startText = '', duration = '', token = '', posterior = ''] = m;
    if (isFiller(token)) continue;
    const start = Number(startText);
    words.push({
      utterance,
      start,
      end: start + Number(duration),
      word: token.replace(/\(\d+\)$/, ''),
      posterior: Math.min(1, Math.max(0, Number(posterior))),
    });
  }
  return words;
}

/** <s>, </s>, <sil>, [NOISE], [SPEECH], ++FILLER++ and the like. */
function isFiller(token: string): boolean {
  return /^[<[+]/.test(token);
}

/** Group time-ordered words into segments, starting a new one at each pause ≥ pauseSec. */
export function wordsToSegments(words: readonly Word[], pauseSec = 0.5): TranscriptSegment[] {
  const segments: TranscriptSegment[] = [];
  let current: Word[] = [];
  const flush = (): void => {
    const first = current[0];
    const last = current.at(-1);
    if (!first || !last) return;
    const conf = current.reduce((a, w) => a + (w.confidence ?? 0), 0) / current.length;
    segments.push({
      start: first.start,
      end: last.end,
      text: current.map((w) => w.text).join(' '),
      words: current,
      confidence: round3(conf),
    });
    current = [];
  };
  for (const w of words) {
    const previous = current.at(-1);
    if (previous && w.start - previous.end >= pauseSec) flush();
    current.push(w);
  }
  flush();
  return segments;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Raw 16-bit little-endian PCM for float samples (clipped to -1..1). */
export function int16Bytes(pcm: Float32Array): Buffer {
  const buf = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) {
    const s = Math.max(-1, Math.min(1, pcm[i]!)); // i < pcm.length
    buf.writeInt16LE(Math.round(s < 0 ? s * 32768 : s * 32767), i * 2);
  }
  return buf;
}

interface ResolvedPaths {
  binary: string;
  hmm: string;
  lm: string;
  dict: string;
}

function findOnPath(name: string): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of executableSearchPath()) {
    const full = path.join(dir, name);
    if (isExecutable(full)) return full;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function resolvePaths(options: PocketSphinxOptions): { paths?: ResolvedPaths; problem?: string } {
  const binaryName = options.binary ?? 'pocketsphinx_batch';
  const binary = findOnPath(binaryName);
  if (!binary) return { problem: `PocketSphinx decoder "${binaryName}" not found. ${POCKETSPHINX_INSTALL_HINT}` };
  const modelDir = options.modelDir ?? '/usr/share/pocketsphinx/model/en-us';
  const hmm = options.hmm ?? path.join(modelDir, 'en-us');
  const lm = options.lm ?? path.join(modelDir, 'en-us.lm.bin');
  const dict = options.dict ?? path.join(modelDir, 'cmudict-en-us.dict');
  for (const [what, p] of [
    ['acoustic model', path.join(hmm, 'mdef')],
    ['language model', lm],
    ['dictionary', dict],
  ] as const) {
    if (!existsSync(p)) return { problem: `PocketSphinx ${what} not found at ${p}. ${POCKETSPHINX_INSTALL_HINT}` };
  }
  return { paths: { binary, hmm, lm, dict } };
}

/** Whether the decoder binary and the en-us model are installed (with these options). */
export function pocketsphinxAvailable(options: PocketSphinxOptions = {}): boolean {
  return resolvePaths(options).paths !== undefined;
}

const FRAME_RATE = 100; // pocketsphinx frames per second (-frate default)

export class PocketSphinx implements SpeechEngine {
  readonly name = 'pocketsphinx';
  /** English-only acoustic model: it cannot tell which language is spoken, so results carry none */
  readonly languageIdentification = false;
  /** each call is its own single-threaded decoder process, so windows can be decoded side by side */
  readonly parallelism: number;

  constructor(
    private readonly paths: ResolvedPaths,
    private readonly options: PocketSphinxOptions,
  ) {
    this.parallelism = Math.max(1, options.parallelism ?? availableParallelism());
  }

  /** The decoder's argument list for a control file over raw files in `dir` (exposed for diagnostics). */
  args(dir: string, ctl: string, ctm: string): string[] {
    const flags: Record<string, string> = {
      ...POCKETSPHINX_DEFAULT_ARGS,
      ...Object.fromEntries(Object.entries(this.options.decoderArgs ?? {}).map(([k, v]) => [k.replace(/^-/, ''), String(v)])),
    };
    const args = ['-hmm', this.paths.hmm, '-lm', this.paths.lm, '-dict', this.paths.dict, '-samprate', String(SAMPLE_RATE)];
    for (const [k, v] of Object.entries(flags)) args.push(`-${k}`, v);
    args.push('-adcin', 'yes', '-cepdir', dir, '-cepext', '.raw', '-ctl', ctl, '-ctm', ctm, '-hyp', '/dev/null');
    return args;
  }

  async transcribe(pcm: Float32Array, options: TranscribeOptions = {}): Promise<TranscribeResult> {
    if (options.language && !/^en\b/i.test(options.language)) {
      throw new EarshotError('POCKETSPHINX_ENGLISH_ONLY', { language: options.language });
    }
    if (options.translate) throw new EarshotError('SPEECH_TRANSLATION_UNAVAILABLE', { engine: 'pocketsphinx' });
    options.signal?.throwIfAborted();
    const durationSec = pcm.length / SAMPLE_RATE;
    if (durationSec < 0.1) return { segments: [] };

    // Utterances: the whole input, or ≤ maxUtteranceSec pieces cut at the quietest points.
    const maxSec = this.options.maxUtteranceSec ?? 30;
    const utterances =
      durationSec <= maxSec
        ? [{ start: 0, end: durationSec }]
        : planWindows([{ start: 0, end: durationSec }], { maxWindowSec: maxSec, pcm });
    const dir = await mkdtemp(path.join(this.options.tmpDir ?? tmpdir(), 'earshot-ps-'));
    try {
      await writeFile(path.join(dir, 'input.raw'), int16Bytes(pcm));
      const ctl = path.join(dir, 'input.ctl');
      const ctm = path.join(dir, 'output.ctm');
      const lastFrame = Math.floor(durationSec * FRAME_RATE);
      await writeFile(
        ctl,
        utterances
          .map((u, i) => `input ${Math.round(u.start * FRAME_RATE)} ${Math.min(lastFrame, Math.round(u.end * FRAME_RATE))} u${i}\n`)
          .join(''),
      );
      await this.run(this.args(dir, ctl, ctm), utterances, durationSec, options);
      const words: Word[] = parseCtm(await readFile(ctm, 'utf8')).map((w) => {
        const offset = utterances[Number(w.utterance.slice(1))]?.start ?? 0;
        return { text: w.word, start: round3(offset + w.start), end: round3(offset + w.end), confidence: round3(w.posterior) };
      });
      words.sort((a, b) => a.start - b.start);
      options.onProgress?.(1);
      return { segments: wordsToSegments(words, this.options.segmentPauseSec ?? 0.5) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private run(args: string[], utterances: { end: number }[], durationSec: number, options: TranscribeOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.paths.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderrTail = '';
      let log = '';
      const onAbort = (): void => {
        child.kill('SIGKILL');
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderrTail = (stderrTail + chunk).slice(-4000);
        if (!options.onProgress) return;
        // The log names each utterance as it finishes ("INFO: batch.c(…): u3: 29.95 seconds speech, …").
        log = (log + chunk).slice(-2000);
        const latest = [...log.matchAll(/batch\.c\(\d+\): u(\d+):/g)].at(-1)?.[1];
        if (latest !== undefined) {
          const u = utterances[Number(latest)];
          if (u) options.onProgress(Math.min(0.99, u.end / durationSec));
        }
      });
      child.on('error', (e) => {
        options.signal?.removeEventListener('abort', onAbort);
        reject(
          new EarshotError('POCKETSPHINX_NOT_RUNNABLE', { binary: this.paths.binary, reason: e.message, hint: POCKETSPHINX_INSTALL_HINT }),
        );
      });
      child.on('close', (code, sig) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (options.signal?.aborted) {
          reject(options.signal.reason ?? new Error('transcription aborted'));
        } else if (code !== 0) {
          const errs = stderrTail
            .split('\n')
            .filter((l) => /ERROR|FATAL/.test(l))
            .slice(-3)
            .join(' | ');
          reject(
            new EarshotError('POCKETSPHINX_FAILED', {
              tool: path.basename(this.paths.binary),
              how: sig ?? `exit ${code}`,
              errors: errs || stderrTail.slice(-500),
            }),
          );
        } else {
          resolve();
        }
      });
    });
  }
}

/** Check the binary and model, then return the engine. Throws with what to install when something is missing. */
export async function createPocketSphinx(options: PocketSphinxOptions = {}): Promise<PocketSphinx> {
  const { paths, problem } = resolvePaths(options);
  if (!paths) throw new EarshotError('POCKETSPHINX_MISSING', { problem: String(problem) });
  return new PocketSphinx(paths, options);
}
