// Resolving a request's parts: fileData → the caller's stored file (403 when not theirs, waits briefly
// while it is PROCESSING), inlineData → probed (countTokens) or analysed (generate) bytes, text files →
// text. Produces the understanding layer's Conversation and the token accounting of the prompt.

import { readFile } from 'node:fs/promises';

import type { ApiContext } from './context.js';
import { EarshotError } from '../domain/errors.js';

import { fileIdFromRef } from './wire.js';

import type { GenerateRequest, WireContent, WirePart } from './request.js';
import type { Conversation, Part, Turn } from '../understanding/types.js';
import type { AudioAnalysis, AudioProbe } from '../domain/analysis.js';
import type { TranscriptionHints } from '../domain/hints.js';
import { FILE_ID_PATTERN, type FileRecord } from '../store/files.js';

import { isAudioMime } from '../audio/formats.js';

import { AudioError } from '../audio/errors.js';
import { formatDuration } from '../domain/audio.js';

const MAX_TEXT_FILE_BYTES = 4 * 1024 * 1024;

export interface ResolvedPrompt {
  conversation: Conversation;
  /** every text that counts as prompt text (system instruction included) */
  texts: string[];
  audioSeconds: number[];
}

type Mode = 'count' | 'generate';

interface AudioRef {
  source?: { path?: string; bytes?: Buffer };
  probe: AudioProbe;
  analysis?: AudioAnalysis;
  mimeType: string;
  displayName?: string;
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

export function decodeBase64(data: string, where: string): Buffer {
  const clean = data.replace(/\s+/g, '');
  if (!BASE64.test(clean) || clean.length % 4 === 1) {
    throw new EarshotError('API_BAD_BASE64', { where, sample: `${clean.slice(0, 40)}${clean.length > 40 ? '…' : ''}` });
  }
  return Buffer.from(clean, 'base64');
}

/** Only an audio-native OpenAI-compatible backend hears the audio itself; everything else reads the analysis. */
function wantsAudio(ctx: ApiContext): boolean {
  return ctx.config.engines.text === 'openai' && ctx.config.engines.openaiSendAudio;
}

function isTextMime(m: string): boolean {
  return /^text\/|^application\/(json|xml|x-yaml|yaml)\b/.test(m);
}

async function waitForFile(ctx: ApiContext, rec: FileRecord, mode: Mode): Promise<FileRecord> {
  const waitMs = ctx.config.limits.processingWaitSec * 1000;
  const ready = (r: FileRecord) => r.state !== 'PROCESSING' || (mode === 'count' && r.probe !== null);
  let current = rec;
  if (!ready(current)) current = await ctx.media.settled(rec, waitMs);
  if (current.state === 'FAILED') {
    throw new EarshotError('API_FILE_FAILED', { id: rec.id, reason: current.error?.message ?? 'unknown error' });
  }
  if (!ready(current)) {
    throw new EarshotError('API_FILE_NOT_ACTIVE', { id: rec.id });
  }
  return current;
}

async function resolveFilePart(
  ctx: ApiContext,
  project: string,
  part: WirePart,
  where: string,
  mode: Mode,
  hints?: TranscriptionHints,
): Promise<AudioRef | string> {
  const ref = part.fileData!.fileUri!;
  const id = fileIdFromRef(ref);
  if (!id || !FILE_ID_PATTERN.test(id)) throw new EarshotError('API_BAD_FILE_URI', { where, ref: ref.slice(0, 200) });
  const found = await ctx.files.getVisible(project, id);
  if (!found) throw new EarshotError('FILE_ACCESS_DENIED', { name: id });
  const rec = await waitForFile(ctx, found, mode);
  if (!rec.probe) {
    if (isTextMime(rec.mimeType)) {
      if (rec.sizeBytes > MAX_TEXT_FILE_BYTES) throw new EarshotError('API_TEXT_FILE_TOO_LARGE', { id, max: MAX_TEXT_FILE_BYTES });
      return (await readFile(await ctx.media.blobPath(rec.sha256))).toString('utf8');
    }
    throw new EarshotError('API_FILE_NOT_AUDIO', { id, mimeType: rec.mimeType });
  }
  const analysis = mode === 'generate' ? await ctx.media.analysisOf(rec, hints) : undefined;
  const source = wantsAudio(ctx) ? { path: await ctx.media.blobPath(rec.sha256) } : undefined;
  return { probe: rec.probe, analysis, mimeType: rec.mimeType, displayName: rec.displayName ?? undefined, source };
}

async function resolveInlinePart(
  ctx: ApiContext,
  project: string,
  part: WirePart,
  where: string,
  mode: Mode,
  hints?: TranscriptionHints,
): Promise<AudioRef | string> {
  const mime = part.inlineData!.mimeType!;
  const bytes = decodeBase64(part.inlineData!.data!, where);
  if (isTextMime(mime)) return bytes.toString('utf8');
  if (!isAudioMime(mime) && !/^(audio|video)\//.test(mime) && mime !== 'application/octet-stream') {
    throw new EarshotError('API_UNSUPPORTED_MIME', { mime });
  }
  try {
    if (mode === 'count') {
      const { probe } = await ctx.media.probeInline(bytes, mime, project);
      return { probe, mimeType: mime };
    }
    const { probe, analysis } = await ctx.media.inline(bytes, mime, project, hints);
    return { probe, analysis, mimeType: mime, source: wantsAudio(ctx) ? { bytes } : undefined };
  } catch (err) {
    if (err instanceof AudioError) throw new EarshotError('API_INLINE_AUDIO_UNREADABLE', { where, reason: err.message }, { cause: err });
    throw err;
  }
}

/** `hints`: the audio is answered from its analysis made with these transcription hints (audioTranscriptionConfig). */
export async function resolvePrompt(
  ctx: ApiContext,
  project: string,
  req: GenerateRequest,
  mode: Mode,
  hints?: TranscriptionHints,
): Promise<ResolvedPrompt> {
  const texts: string[] = [];
  const audioSeconds: number[] = [];
  let audioIndex = 0;

  const resolveContent = async (content: WireContent, where: string): Promise<Part[]> => {
    const parts: Part[] = [];
    for (const [i, p] of content.parts.entries()) {
      const pw = `${where}.parts[${i}]`;
      if (p.text !== undefined) {
        if (p.thought) continue;
        texts.push(p.text);
        parts.push({ kind: 'text', text: p.text });
        continue;
      }
      const resolved = p.fileData
        ? await resolveFilePart(ctx, project, p, pw, mode, hints)
        : await resolveInlinePart(ctx, project, p, pw, mode, hints);
      if (typeof resolved === 'string') {
        texts.push(resolved);
        parts.push({ kind: 'text', text: resolved });
        continue;
      }
      audioSeconds.push(resolved.probe.durationSec);
      const total = audioSeconds.reduce((a, b) => a + b, 0);
      if (total > ctx.config.limits.maxPromptAudioSec) {
        throw new EarshotError('API_PROMPT_AUDIO_TOO_LONG', {
          held: formatDuration(total),
          seconds: total.toFixed(1),
          limit: formatDuration(ctx.config.limits.maxPromptAudioSec),
        });
      }
      if (resolved.analysis) {
        parts.push({
          kind: 'audio',
          index: audioIndex,
          analysis: resolved.analysis,
          mimeType: resolved.mimeType,
          displayName: resolved.displayName,
          source: resolved.source,
        });
      }
      audioIndex++;
    }
    return parts;
  };

  const turns: Turn[] = [];
  for (const [i, c] of req.contents.entries()) {
    turns.push({ role: c.role === 'model' ? 'model' : 'user', parts: await resolveContent(c, `contents[${i}]`) });
  }
  let system: string | undefined;
  if (req.systemInstruction) {
    const parts = await resolveContent(req.systemInstruction, 'system_instruction');
    system = parts.map((p) => (p.kind === 'text' ? p.text : '')).join('\n');
  }
  return { conversation: { system, turns }, texts, audioSeconds };
}
