// The whisper.node binding: its types (the package ships no .d.ts) and which build to load — a GPU build where a
// GPU runtime or driver is, else a build for this CPU (npm run build:whisper-native), else npm's CPU build.

import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EarshotError } from '../../domain/errors.js';

export type WhisperBackend = 'cpu' | 'cuda' | 'vulkan';

export interface NativeSegment {
  text: string;
  /** milliseconds */
  t0: number;
  t1: number;
}
export interface NativeResult {
  language?: string;
  result: string;
  segments: NativeSegment[];
  isAborted: boolean;
}
export interface NativeTranscribeOptions {
  language?: string;
  translate?: boolean;
  /** whisper.cpp's initial prompt: text the decoder takes as what came before */
  prompt?: string;
  maxThreads?: number;
  temperature?: number;
  temperatureInc?: number;
  bestOf?: number;
  maxLen?: number;
  tokenTimestamps?: boolean;
  onProgress?: (percent: number) => void;
  onNewSegments?: (r: { nNew: number; totalNNew: number }) => void;
}
export interface NativeContext {
  transcribeData(pcm16: ArrayBuffer, options: NativeTranscribeOptions): { stop(): Promise<void>; promise: Promise<NativeResult> };
  release(): Promise<void>;
}
export interface NativeModule {
  WhisperContext: {
    new (options: { filePath: string; useGpu?: boolean; useFlashAttn?: boolean }): NativeContext;
    toggleNativeLog(enable: boolean, callback?: (level: string, text: string) => void): void;
  };
}

const require = createRequire(import.meta.url);
const loaded = new Map<string, NativeModule>();

export function loadNative(useGpu: boolean, first?: 'cuda' | 'vulkan', own?: string): { module: NativeModule; backend: WhisperBackend } {
  const base = `@fugood/node-whisper-${process.platform}-${process.arch}`;
  const gpus = (useGpu ? (first === 'vulkan' ? ['vulkan', 'cuda'] : ['cuda', 'vulkan']) : []).filter(
    (b) => b !== 'vulkan' || hasVulkanDriver(),
  ) as WhisperBackend[];
  // GPU builds first (they load only where their runtime or driver is), then a whisper.node addon built for this CPU
  // (npm run build:whisper-native; the npm CPU build has no AVX), then npm's CPU build
  const candidates: { name: string; backend: WhisperBackend }[] = [
    ...gpus.map((backend) => ({ name: `${base}-${backend}`, backend })),
    ...(own ? [{ name: own, backend: 'cpu' as const }] : []),
    { name: base, backend: 'cpu' },
  ];
  const failures: string[] = [];
  for (const { name, backend } of candidates) {
    const cached = loaded.get(name);
    if (cached) return { module: cached, backend };
    try {
      const module = require(name) as NativeModule;
      loaded.set(name, module);
      return { module, backend };
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new EarshotError('WHISPER_UNAVAILABLE', { platform: process.platform, arch: process.arch, failures });
}

const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/etc/vulkan/icd.d'];

/**
 * Whether a hardware Vulkan driver is installed (an ICD manifest other than Mesa's lavapipe, which runs on the CPU).
 * Without one the Vulkan build still loads, finds "no GPU" and decodes on its own CPU path, several times slower
 * than a CPU build (jfk's 11 s with whisper-base: 55-64 s here, against 3-17 s for the CPU-built addon), so it is
 * not tried.
 */
function hasVulkanDriver(): boolean {
  return VULKAN_ICD_DIRS.some((dir) => {
    try {
      return readdirSync(dir).some((f) => f.endsWith('.json') && !f.startsWith('lvp_'));
    } catch {
      return false;
    }
  });
}
