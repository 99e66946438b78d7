// Chooses and loads the listening engines the configuration asks for, falling back where it must:
// Whisper when a model is installed (pulled on first need unless offline), else PocketSphinx, else no
// speech engine and a warning that says what to install; or, when asked, a remote OpenAI-compatible
// transcription server. Each failure is reported once, not per file.

import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import type { PipelineEngines, SoundEngine, SpeakerEncoder, SpeechEngine, VadEngine } from './types.js';
import { YAMNET_CLASSES } from './sounds/yamnet-classes.js';

export interface EngineLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** YAMNet's model file: the configured one, the one pulled into the models dir, or the copy beside the project. */
export function yamnetPath(config: Config): string | undefined {
  const candidates = [
    config.engines.yamnetModel,
    path.join(config.modelsDir, 'yamnet.tflite'), // where `earshot models pull yamnet` puts it
    path.join(config.modelsDir, 'yamnet', 'yamnet.tflite'),
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/models/yamnet/yamnet.tflite'),
  ];
  return candidates.find((f): f is string => !!f && existsSync(f));
}

/** The sound classes questions may name: YAMNet's, unless sound analysis is turned off. */
export function soundLabels(config: Config): readonly string[] {
  return config.engines.sounds === 'none' ? [] : YAMNET_CLASSES;
}

export async function loadVad(config: Config): Promise<VadEngine | undefined> {
  if (config.engines.vad === 'none') return undefined;
  const { createSileroVad } = await import('./vad/silero.js');
  return createSileroVad({});
}

/** A catalogue model's installed file, else pulled now with progress (unless offline); undefined when it cannot be had. */
async function catalogueModel(
  config: Config,
  log: EngineLog,
  name: string,
  purpose: string,
  withoutIt: string,
): Promise<string | undefined> {
  const { findModel } = await import('./models/catalogue.js');
  const { installedOrPulled } = await import('./models/auto-pull.js');
  return installedOrPulled(findModel(name), { modelsDir: config.modelsDir, offline: config.offline, purpose, log, withoutIt });
}

/** YAMNet: a file found by yamnetPath, else the catalogue model pulled on first need (unless offline). */
export async function loadSounds(config: Config, log: EngineLog): Promise<SoundEngine | undefined> {
  if (config.engines.sounds === 'none') return undefined;
  let modelPath = yamnetPath(config);
  if (!modelPath && !config.engines.yamnetModel) {
    modelPath = await catalogueModel(config, log, 'yamnet', 'sound classifier', 'non-speech sounds will not be recognised.');
  }
  if (!modelPath) {
    log.warn(
      config.engines.yamnetModel
        ? `YAMNet not found at engines.yamnetModel (${config.engines.yamnetModel}).`
        : `YAMNet not found: run \`earshot models pull yamnet\` (or place yamnet.tflite in ${config.modelsDir}).`,
    );
    return undefined;
  }
  const { createYamnet } = await import('./sounds/yamnet.js');
  return createYamnet({ modelPath, cacheDir: path.join(config.modelsDir, 'cache'), threads: config.engines.threads || undefined });
}

/** The diarization encoder: a configured file, the installed catalogue model, or the model pulled on first need. */
export async function loadSpeakers(config: Config, log: EngineLog): Promise<SpeakerEncoder | undefined> {
  if (config.engines.speakers === 'none') return undefined;
  const modelPath =
    config.engines.speakerModel ?? (await catalogueModel(config, log, 'resemblyzer', 'speaker', 'speakers will not be told apart.'));
  if (!modelPath) return undefined;
  const { loadResemblyzer } = await import('./speakers/resemblyzer.js');
  return loadResemblyzer({ modelPath, threads: config.engines.threads || undefined });
}

export interface SpeechChoice {
  engine?: SpeechEngine;
  warning?: string;
}

export async function loadSpeech(config: Config, log: EngineLog): Promise<SpeechChoice> {
  const want = config.engines.speech;
  if (want === 'none') return { warning: 'Speech recognition is turned off (engines.speech = none).' };
  if (want === 'openai') {
    const e = config.engines;
    const { createRemoteSpeech } = await import('./speech/openai-remote.js');
    const engine = createRemoteSpeech({
      baseUrl: e.speechBaseUrl ?? '',
      model: e.speechModel ?? 'whisper-1',
      apiKey: e.speechApiKey,
      timeoutMs: e.speechTimeoutSec * 1000,
      retries: e.remoteRetries,
      breakerFailures: e.remoteBreakerFailures,
      breakerResetMs: e.remoteBreakerResetSec * 1000,
    });
    log.info(`Speech goes to the OpenAI-compatible server at ${engine.url} (model ${e.speechModel ?? 'whisper-1'}).`);
    return { engine };
  }
  if (want === 'whisper' || want === 'auto') {
    try {
      const { resolveWhisperModel } = await import('./speech/whisper-models.js');
      const modelPath = await resolveWhisperModel(config, log);
      if (modelPath) {
        const { createWhisper } = await import('./speech/whisper.js');
        return {
          engine: await createWhisper({
            modelPath,
            useGpu: config.engines.gpu !== 'off',
            threads: config.engines.threads || undefined,
            nativeAddon: config.engines.whisperNative,
          }),
        };
      }
    } catch (err) {
      if (want === 'whisper') throw err;
      log.warn(`Whisper is unavailable (${(err as Error).message}); using PocketSphinx instead.`);
    }
  }
  const { createPocketSphinx, pocketsphinxAvailable, POCKETSPHINX_INSTALL_HINT } = await import('./speech/pocketsphinx.js');
  if (!pocketsphinxAvailable()) {
    return {
      warning: `No speech engine is available: install a Whisper model with \`earshot models pull ${config.engines.whisperModel}\` (needs network), or the offline engine: ${POCKETSPHINX_INSTALL_HINT}`,
    };
  }
  return { engine: await createPocketSphinx({}) };
}

/** Every engine the analysis needs, with names and warnings for the record. */
export async function loadListeningEngines(config: Config, log: EngineLog): Promise<PipelineEngines> {
  const warnings: string[] = [];
  const names: Record<string, string> = {};
  const vad = await loadVad(config).catch((err: Error) => {
    warnings.push(`Voice activity detection failed to load: ${err.message}`);
    return undefined;
  });
  if (vad) names.vad = vad.name;
  const sounds = await loadSounds(config, log).catch((err: Error) => {
    warnings.push(`The sound classifier failed to load: ${err.message}`);
    return undefined;
  });
  if (sounds) names.sounds = sounds.name;
  else if (config.engines.sounds !== 'none')
    warnings.push('Non-speech sounds were not analysed: YAMNet is not installed (earshot models pull yamnet).');
  const speech = await loadSpeech(config, log).catch(
    (err: Error) => ({ engine: undefined, warning: `The speech engine failed to load: ${err.message}` }) as SpeechChoice,
  );
  if (speech.engine) names.speech = speech.engine.name;
  if (speech.warning) warnings.push(speech.warning);
  if (!vad && speech.engine) warnings.push('Speech was not transcribed: voice activity detection is needed to find the speech.');
  const speakers = await loadSpeakers(config, log).catch((err: Error) => {
    warnings.push(`The speaker encoder failed to load: ${err.message}`);
    return undefined;
  });
  if (speakers) names.speakers = speakers.name;
  else if (config.engines.speakers === 'none')
    warnings.push('Speakers were not told apart: diarization is turned off (engines.speakers = none).');
  else warnings.push('Speakers were not told apart: the speaker model is not installed (earshot models pull resemblyzer).');
  return { vad, sounds, speech: vad ? speech.engine : undefined, speakers: vad ? speakers : undefined, names, warnings };
}
