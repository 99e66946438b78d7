// The catalogue of models Earshot knows how to fetch: where each is published, its file name, and how to verify it.
// LLM (GGUF) entries come from the text engine's catalogue (src/engines/text/catalogue.ts, data only).

import { TEXT_MODELS } from '../text/catalogue.js';
import { EarshotError } from '../../domain/errors.js';

export type ModelKind = 'whisper' | 'yamnet' | 'speakers' | 'llm';

export interface ModelEntry {
  /** short name used on the command line, e.g. "whisper-base.en" */
  name: string;
  kind: ModelKind;
  /** file name inside the models directory */
  file: string;
  url: string;
  /** Published checksum (hex). When neither is known, only the size (and, for whisper, the file structure) is checked. */
  sha256?: string;
  sha1?: string;
  /** exact size in bytes when known */
  bytes?: number;
  /** rough size for display and a sanity check (±15 %) when the exact size is unknown */
  approxBytes: number;
  description: string;
}

const HF_WHISPER = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';
const MiB = 1024 * 1024;

function whisper(id: string, approxMiB: number, description: string, sha1?: string): ModelEntry {
  return {
    name: `whisper-${id}`,
    kind: 'whisper',
    file: `ggml-${id}.bin`,
    url: `${HF_WHISPER}/ggml-${id}.bin`,
    sha1,
    approxBytes: Math.round(approxMiB * MiB),
    description,
  };
}

/** whisper.cpp ggml models. SHA-1 values are those published in whisper.cpp's models/README.md; the quantized
 *  tiny/base/small/medium files have no published checksum, so they are checked by size and structure only. */
export const WHISPER_MODELS: readonly ModelEntry[] = [
  whisper('tiny', 75, 'multilingual, fastest, lowest accuracy', 'bd577a113a864445d4c299885e0cb97d4ba92b5f'),
  whisper('tiny.en', 75, 'English only, fastest', 'c78c86eb1a8faa21b369bcd33207cc90d64ae9df'),
  whisper('base', 142, 'multilingual, good speed/accuracy balance', '465707469ff3a37a2b9b8d8f89f2f99de7299dac'),
  whisper('base.en', 142, 'English only, the default', '137c40403d78fd54d454da0f9bd998f78703390c'),
  whisper('small', 466, 'multilingual, better accuracy', '55356645c2b361a969dfd0ef2c5a50d530afd8d5'),
  whisper('small.en', 466, 'English only, better accuracy', 'db8a495a91d927739e50b3fc1cc4c6b8f6c2d022'),
  whisper('medium', 1.5 * 1024, 'multilingual, high accuracy, slow on CPU', 'fd9727b6e1217c2f614f9b698455c4ffd82463b4'),
  whisper('medium.en', 1.5 * 1024, 'English only, high accuracy, slow on CPU', '8c30f0e44ce9560643ebd10bbe50cd20eafd3723'),
  whisper(
    'large-v3-turbo',
    1.5 * 1024,
    'multilingual, near large-v3 accuracy, much faster (GPU recommended)',
    '4af2b29d7ec73d781377bfd1758ca957a807e941',
  ),
  whisper('large-v3-turbo-q5_0', 547, 'large-v3-turbo quantized to 5 bits', 'e050f7970618a659205450ad97eb95a18d69c9ee'),
  whisper('large-v3-turbo-q8_0', 834, 'large-v3-turbo quantized to 8 bits (no published checksum)'),
  whisper('tiny-q5_1', 31, 'tiny quantized to 5 bits (no published checksum)'),
  whisper('tiny-q8_0', 42, 'tiny quantized to 8 bits (no published checksum)'),
  whisper('tiny.en-q5_1', 31, 'tiny.en quantized to 5 bits (no published checksum)'),
  whisper('tiny.en-q8_0', 42, 'tiny.en quantized to 8 bits (no published checksum)'),
  whisper('base-q5_1', 57, 'base quantized to 5 bits (no published checksum)'),
  whisper('base-q8_0', 78, 'base quantized to 8 bits (no published checksum)'),
  whisper('base.en-q5_1', 57, 'base.en quantized to 5 bits (no published checksum)'),
  whisper('base.en-q8_0', 78, 'base.en quantized to 8 bits (no published checksum)'),
  whisper('small-q5_1', 181, 'small quantized to 5 bits (no published checksum)'),
  whisper('small-q8_0', 252, 'small quantized to 8 bits (no published checksum)'),
  whisper('small.en-q5_1', 181, 'small.en quantized to 5 bits (no published checksum)'),
  whisper('small.en-q8_0', 252, 'small.en quantized to 8 bits (no published checksum)'),
  whisper('medium-q5_0', 514, 'medium quantized to 5 bits (no published checksum)'),
  whisper('medium-q8_0', 785, 'medium quantized to 8 bits (no published checksum)'),
  whisper('medium.en-q5_0', 514, 'medium.en quantized to 5 bits (no published checksum)'),
  whisper('medium.en-q8_0', 785, 'medium.en quantized to 8 bits (no published checksum)'),
];

/** YAMNet TFLite (AudioSet, 521 classes): the export Earshot is tested with (int8 weights + DEQUANTIZE), pinned to
 *  the commit of the public repository it comes from. Google's own export (Kaggle, formerly TF Hub
 *  lite-model/yamnet/classification/tflite/1) is a different file and would fail this checksum. */
export const YAMNET_MODELS: readonly ModelEntry[] = [
  {
    name: 'yamnet',
    kind: 'yamnet',
    file: 'yamnet.tflite',
    url: 'https://github.com/Jaskaran197/Speaker-Detector/raw/4ec29b6938f1051fe36b46786f8d486d8b74a38e/yamnet.tflite',
    sha256: '469be6a3421cbc52cf97e9f2f966cba984198e8e7af9854d68b3e3ebb1e04194',
    bytes: 4_078_224,
    approxBytes: 4_078_224,
    description: 'YAMNet sound-event classifier (521 AudioSet classes), TFLite',
  },
];

/** Resemblyzer's GE2E voice encoder (Resemble AI, Apache-2.0) for diarization. Its authors publish it in their
 *  repository and inside their PyPI wheel Resemblyzer 0.1.4, whose SHA-256 PyPI lists
 *  (8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f); the checksum below is of the
 *  pretrained.pt inside that verified wheel. */
export const SPEAKER_MODELS: readonly ModelEntry[] = [
  {
    name: 'resemblyzer',
    kind: 'speakers',
    file: 'resemblyzer-pretrained.pt',
    url: 'https://github.com/resemble-ai/Resemblyzer/raw/master/resemblyzer/pretrained.pt',
    sha256: '39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e',
    bytes: 17_090_379,
    approxBytes: 17_090_379,
    description: 'Resemblyzer GE2E speaker encoder (256-d voice embeddings) for diarization, PyTorch',
  },
];

/** Filled by the LLM engine (GGUF models for llama.cpp). */
export const LLM_MODELS: readonly ModelEntry[] = TEXT_MODELS.map((m) => ({
  name: m.name,
  kind: 'llm' as const,
  file: `${m.name}.gguf`,
  url: m.url,
  sha256: m.sha256,
  bytes: m.sha256 ? m.sizeBytes : undefined,
  approxBytes: m.sizeBytes,
  description: m.description,
}));

export function allModels(): ModelEntry[] {
  return [...WHISPER_MODELS, ...YAMNET_MODELS, ...SPEAKER_MODELS, ...LLM_MODELS];
}

/** The entry called `name` (with or without its "whisper-" prefix); throws with the known names otherwise. */
export function findModel(name: string): ModelEntry {
  const all = allModels();
  const hit = all.find((m) => m.name === name || m.name === `whisper-${name}` || m.file === name);
  if (!hit) throw new EarshotError('MODEL_UNKNOWN', { name, known: all.map((m) => m.name) });
  return hit;
}
