// Deciding whether stored or inline bytes are audio and reading their facts: the bytes decide, the
// declared type only breaks ties; refusals are catalogued AudioErrors a person can act on.

import { isAudioMime, sniffContent, type SniffResult } from '../audio/formats.js';
import { probeAudio, readHead } from '../audio/probe.js';
import { AudioError } from '../audio/errors.js';
import type { AudioProbe } from '../domain/analysis.js';

export type Classification = 'audio' | 'other' | { notAudio: string };

/** Whether content should be treated as audio: the bytes decide; the declared type only breaks ties. */
export function classify(sniff: SniffResult, declaredMime: string): Classification {
  if (sniff.kind === 'audio') return 'audio';
  if (isAudioMime(declaredMime)) return sniff.kind === 'not-audio' ? { notAudio: sniff.what } : 'audio';
  return 'other';
}

/** Classify the file at `file` by its first bytes. */
export async function classifyFile(file: string, declaredMime: string): Promise<Classification> {
  return classify(sniffContent(await readHead(file)), declaredMime);
}

/**
 * Probe content already classified (or classify it now); refuses what is not audio. `subject` names the
 * bytes in messages: an uploaded 'file' or inline 'data'.
 */
export async function probeChecked(
  file: string,
  declaredMime: string,
  opts: { maxDurationSec: number; subject: 'file' | 'data'; known?: Classification },
): Promise<AudioProbe> {
  const kind = opts.known ?? (await classifyFile(file, declaredMime));
  if (typeof kind === 'object') throw new AudioError('AUDIO_NOT_AUDIO', { case: 'content', subject: opts.subject, what: kind.notAudio });
  if (kind === 'other')
    throw new AudioError('AUDIO_NOT_AUDIO', { case: 'content', subject: opts.subject, what: `of an unrecognised kind (${declaredMime})` });
  const probe = await probeAudio(file, { maxDurationSec: opts.maxDurationSec });
  if (!(probe.durationSec > 0)) throw new AudioError('AUDIO_EMPTY', { case: 'no-samples', format: probe.format });
  const { durationSec, channels, sampleRate, codec, bitRate, format } = probe;
  return { durationSec, channels, sampleRate, codec, bitRate, format };
}
