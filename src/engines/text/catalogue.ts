// Data only: the GGUF language models `earshot models pull` offers for the llama.cpp text backend, with
// where each is published and how big it is. The downloader (src/engines/models/) reads this list.

export interface TextModelEntry {
  /** catalogue name used by `earshot models pull <name>`; installed as <modelsDir>/llm/<name>.gguf */
  name: string;
  description: string;
  /** direct download URL of the .gguf file */
  url: string;
  /** approximate download size in bytes (exact when `sha256` is given) */
  sizeBytes: number;
  /** SHA-256 of the file when known, to check the download */
  sha256?: string;
  license: string;
  /** the model's training context in tokens */
  trainContextLength: number;
  /** context window to run it with on a CPU-only machine */
  recommendedContextSize: number;
  /** the default model for CPU-only installs */
  default?: boolean;
}

export const TEXT_MODELS: readonly TextModelEntry[] = [
  {
    // The default, pulled on first need unless offline: the model the test suite answers with (its bytes verified
    // there against this checksum), ~0.5 GB, and fast enough on a 2-core CPU to describe a clip in seconds rather
    // than minutes. Weaker prose than 1.5B; exact facts never come from it (see src/understanding/routing.ts).
    name: 'qwen2.5-coder-0.5b-instruct',
    description:
      "Qwen2.5-Coder 0.5B Instruct, Q4_K_M (default: smallest Qwen instruct model with Qwen's published checksum, fast on CPU, ~0.5 GB)",
    // pinned revision of Qwen's official GGUF repository; SHA-256 is its Git LFS checksum
    url: 'https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/ebb2015119c907b064c512bf053e945850b5875f/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
    sizeBytes: 491_400_064,
    sha256: '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32',
    license: 'Apache-2.0',
    trainContextLength: 32_768,
    recommendedContextSize: 4096,
    default: true,
  },
  {
    name: 'qwen2.5-1.5b-instruct',
    description: 'Qwen2.5 1.5B Instruct, Q4_K_M (better prose and instruction following, ~3x slower on CPU, ~1.1 GB)',
    // pinned revision of Qwen's official GGUF repository
    url: 'https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/91cad51170dc346986eccefdc2dd33a9da36ead9/qwen2.5-1.5b-instruct-q4_k_m.gguf',
    sizeBytes: 1_117_320_736,
    sha256: '6a1a2eb6d15622bf3c96857206351ba97e1af16c30d7a74ee38970e434e9407e',
    license: 'Apache-2.0',
    trainContextLength: 32_768,
    recommendedContextSize: 8192,
  },
  {
    name: 'qwen2.5-0.5b-instruct',
    description: 'Qwen2.5 0.5B Instruct, Q4_K_M (smallest and fastest, weaker answers, ~0.5 GB)',
    url: 'https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf',
    sizeBytes: 491_000_000,
    license: 'Apache-2.0',
    trainContextLength: 32_768,
    recommendedContextSize: 8192,
  },
];

export const DEFAULT_TEXT_MODEL: TextModelEntry = TEXT_MODELS.find((m) => m.default)!;

/** The catalogue entry called `name`, if any. */
export function findTextModel(name: string): TextModelEntry | undefined {
  return TEXT_MODELS.find((m) => m.name === name);
}
