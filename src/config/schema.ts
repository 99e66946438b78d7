// The one schema of Earshot's settings (TypeBox): for each setting its type, default, allowed values, CLI flag,
// environment variable and whether it is a secret. Defaults, parsing, validation, --print-config and the README's
// table are all derived from this file; add a setting here and nowhere else.

import Type, { type Static, type TSchema } from 'typebox';

/** What the schema says about a setting beyond its JSON Schema type (kept as extra keywords on the leaf). */
export interface SettingMeta {
  /** one line for the README table and `--help` */
  description: string;
  /** command-line flag of `earshot serve`, e.g. '--port' */
  flag?: string;
  /** environment variable, e.g. 'EARSHOT_PORT' */
  env?: string;
  /** never printed in full: 'whole' masks the value, 'url-password' masks only a URL's password */
  secret?: 'whole' | 'url-password';
  /** the allowed values in words, where the JSON Schema type alone does not say it well */
  allowed?: string;
  /** the default in words, where the value itself depends on the machine (paths) */
  defaultText?: string;
  /** false: may not appear in the config file (the file's own name) */
  inFile?: boolean;
  /** further environment variables read, in order, when `env` is unset */
  envAliases?: string[];
}

/** Attach the setting's metadata to its schema. */
function setting<T extends TSchema>(schema: T, meta: SettingMeta): T {
  return Object.assign(schema, meta);
}
const optional = <T extends TSchema>(schema: T, meta: SettingMeta) => Type.Optional(setting(schema, meta));
const oneOf = <const V extends string[]>(values: readonly [...V], def: V[number], meta: SettingMeta) =>
  setting(Type.Enum(values, { default: def }), meta);
const int = (min: number, def: number, meta: SettingMeta, max?: number) =>
  setting(Type.Integer(max === undefined ? { minimum: min, default: def } : { minimum: min, maximum: max, default: def }), meta);
const positive = (def: number, meta: SettingMeta) => setting(Type.Number({ exclusiveMinimum: 0, default: def }), meta);
const HTTP_URL = '^https?://[^\\s/]+';

export const GB = 1_000_000_000;
export const MB = 1_000_000;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const LimitsSchema = Type.Object(
  {
    maxFileBytes: int(1, 2 * GB, { description: 'bytes per uploaded file (Gemini: 2 GB)' }),
    maxProjectBytes: int(1, 20 * GB, { description: 'bytes stored per project (Gemini: 20 GB)' }),
    fileTtlSec: positive(48 * 3600, { description: 'seconds a file lives after creation (Gemini: 48 h)' }),
    maxRequestBytes: int(1, 20 * 1024 * 1024, { description: 'bytes per generateContent/countTokens request body (Gemini: 20 MB)' }),
    maxPromptAudioSec: positive(9.5 * 3600, { description: 'seconds of audio in one prompt (Gemini: 9.5 h)' }),
    maxDisplayNameChars: int(1, 512, { description: 'characters in a display name (Gemini: 512)' }),
    uploadTtlSec: positive(7 * 24 * 3600, { description: 'seconds an unfinished resumable upload is kept' }),
    processingWaitSec: setting(Type.Number({ minimum: 0, default: 120 }), {
      description: 'seconds generateContent waits for a PROCESSING file before answering FAILED_PRECONDITION',
    }),
    inlineAnalysisTtlSec: positive(3600, { description: 'seconds the analysis of inline audio is kept after its last use, then deleted' }),
  },
  { additionalProperties: false },
);

export const EnginesSchema = Type.Object(
  {
    speech: oneOf(['auto', 'whisper', 'pocketsphinx', 'openai', 'none'], 'auto', {
      description:
        'speech engine (auto: whisper if a model is installed, else pocketsphinx; openai: an OpenAI-compatible transcription server)',
      env: 'EARSHOT_SPEECH_ENGINE',
    }),
    whisperModel: setting(Type.String({ minLength: 1, default: 'base.en' }), {
      description: 'whisper model name from the catalogue or a path to a ggml file',
      env: 'EARSHOT_WHISPER_MODEL',
    }),
    speechBaseUrl: optional(Type.String({ pattern: HTTP_URL }), {
      description: "base URL of the OpenAI-compatible transcription server for speech 'openai' (speaches, vLLM, LocalAI, another Earshot)",
      env: 'EARSHOT_SPEECH_BASE_URL',
      allowed: 'an http:// or https:// URL, usually ending in /v1',
    }),
    speechModel: optional(Type.String({ minLength: 1 }), {
      description: 'model name sent to the transcription server',
      env: 'EARSHOT_SPEECH_MODEL',
      defaultText: 'whisper-1',
    }),
    speechApiKey: optional(Type.String({ minLength: 1 }), {
      description: 'API key for the transcription server',
      env: 'EARSHOT_SPEECH_API_KEY',
      secret: 'whole',
    }),
    speechTimeoutSec: positive(120, { description: 'seconds one transcription request may take', env: 'EARSHOT_SPEECH_TIMEOUT_SEC' }),
    whisperNative: optional(Type.String({ minLength: 1 }), {
      description:
        'path to a whisper.node addon built for this CPU by `npm run build:whisper-native` (several times faster than the npm CPU build, which has no AVX); `bundled`: the npm build',
      env: 'EARSHOT_WHISPER_NATIVE',
      defaultText: "~/.cache/earshot/whisper-native/index.node when built, else the npm package's build",
    }),
    sounds: oneOf(['yamnet', 'none'], 'yamnet', { description: 'sound classifier' }),
    yamnetModel: optional(Type.String({ minLength: 1 }), {
      description: 'path to the YAMNet tflite file',
      defaultText: 'the models dir, else ../shared/models/yamnet',
    }),
    vad: oneOf(['silero', 'none'], 'silero', { description: 'voice activity detector' }),
    speakers: oneOf(['resemblyzer', 'none'], 'resemblyzer', {
      description: 'speaker diarization (resemblyzer: GE2E voice encoder, pulled on first need unless offline)',
      env: 'EARSHOT_SPEAKER_ENGINE',
    }),
    speakerModel: optional(Type.String({ minLength: 1 }), {
      description: "path to Resemblyzer's pretrained.pt",
      defaultText: 'the models dir (earshot models pull resemblyzer)',
    }),
    text: oneOf(['auto', 'composer', 'llama', 'openai'], 'auto', {
      description:
        'text generator for open prompts (exact requests are always computed by the composer): auto (llama on llamaModel or the default model qwen2.5-coder-0.5b-instruct when installed, pulled on first need unless offline; the composer until then), composer (built in, no LLM), llama (GGUF via node-llama-cpp), openai (OpenAI-compatible server)',
      env: 'EARSHOT_TEXT_ENGINE',
    }),
    emotionFromWords: setting(Type.Boolean({ default: false }), {
      description:
        "let the language model read each segment's emotion from its words when a JSON schema asks for one and no vocal sound speaks for it (off by default: the default 0.5B model misreads some; turn on with a stronger model)",
      env: 'EARSHOT_EMOTION_FROM_WORDS',
    }),
    llamaModel: optional(Type.String({ minLength: 1 }), {
      description: "GGUF path or catalogue name for text 'llama' or 'auto'",
      env: 'EARSHOT_LLAMA_MODEL',
    }),
    openaiBaseUrl: optional(Type.String({ pattern: HTTP_URL }), {
      description: "base URL of the OpenAI-compatible server for text 'openai'",
      env: 'EARSHOT_OPENAI_BASE_URL',
      allowed: 'an http:// or https:// URL',
    }),
    openaiModel: optional(Type.String({ minLength: 1 }), {
      description: 'model name sent to the OpenAI-compatible server',
      env: 'EARSHOT_OPENAI_MODEL',
    }),
    openaiApiKey: optional(Type.String({ minLength: 1 }), {
      description: 'API key for the OpenAI-compatible server',
      env: 'EARSHOT_OPENAI_API_KEY',
      secret: 'whole',
    }),
    openaiSendAudio: setting(Type.Boolean({ default: false }), {
      description: 'send the audio itself to an audio-native OpenAI-compatible server',
    }),
    openaiTimeoutSec: positive(120, {
      description: 'seconds the text server may take to start answering',
      env: 'EARSHOT_OPENAI_TIMEOUT_SEC',
    }),
    remoteRetries: int(
      0,
      2,
      {
        description:
          'retries of a remote engine request after a network error, 5xx or 429 (exponential back-off; 4xx and time-outs are not retried)',
      },
      10,
    ),
    remoteBreakerFailures: int(1, 5, {
      description: "consecutive failures after which a remote engine's circuit breaker opens and its calls fail at once",
    }),
    remoteBreakerResetSec: positive(30, {
      description: 'seconds an open circuit breaker fails fast before one probe request is let through',
    }),
    gpu: oneOf(['auto', 'off'], 'auto', { description: 'GPU use for engines that support it' }),
    threads: int(0, 0, { description: 'threads for CPU engines (0: let the engine choose)' }),
  },
  { additionalProperties: false },
);

export const SettingsSchema = Type.Object(
  {
    configFile: optional(Type.String({ minLength: 1 }), {
      description: 'JSON config file with the settings below, nested as named here',
      flag: '--config',
      env: 'EARSHOT_CONFIG',
      inFile: false,
    }),
    host: setting(Type.String({ minLength: 1, default: '127.0.0.1' }), {
      description: 'interface to listen on',
      flag: '--host',
      env: 'EARSHOT_HOST',
    }),
    port: int(0, 8080, { description: 'port, 0 for any free one', flag: '--port', env: 'EARSHOT_PORT' }, 65535),
    dataDir: setting(Type.String({ minLength: 1, default: '.earshot' }), {
      description: 'where files, database and analyses live',
      flag: '--data-dir',
      env: 'EARSHOT_DATA_DIR',
      defaultText: './.earshot',
    }),
    modelsDir: setting(Type.String({ minLength: 1, default: '~/.cache/earshot/models' }), {
      description: 'where model weights live',
      flag: '--models-dir',
      env: 'EARSHOT_MODELS_DIR',
    }),
    publicUrl: optional(Type.String({ pattern: HTTP_URL }), {
      description: 'base URL clients use to reach this server, for File.uri and upload URLs',
      flag: '--public-url',
      env: 'EARSHOT_PUBLIC_URL',
      allowed: 'an http:// or https:// URL',
      defaultText: "the request's host",
    }),
    allowedHosts: optional(Type.Array(Type.String({ minLength: 1 })), {
      description: 'Host header values accepted for building URLs',
      env: 'EARSHOT_ALLOWED_HOSTS',
      allowed: 'host names, comma-separated in the environment',
      defaultText: 'any',
    }),
    apiKeys: optional(Type.Union([Type.String(), Type.Array(Type.String()), Type.Record(Type.String(), Type.String())]), {
      description: 'accepted keys, "key" or "key=project"',
      flag: '--api-keys',
      env: 'EARSHOT_API_KEYS',
      secret: 'whole',
      allowed: '"k1=alpha,k2=beta", a list, or an object key → project',
      defaultText: 'any key, each its own project',
    }),
    apiKeysFile: optional(Type.String({ minLength: 1 }), {
      description: 'file with one "key" or "key=project" per line',
      flag: '--api-keys-file',
      env: 'EARSHOT_API_KEYS_FILE',
    }),
    metricsRequireKey: setting(Type.Boolean({ default: false }), {
      description: '/metrics asks for an API key',
      env: 'EARSHOT_METRICS_REQUIRE_KEY',
    }),
    offline: setting(Type.Boolean({ default: false }), {
      description: 'never download anything (models)',
      flag: '--offline',
      env: 'EARSHOT_OFFLINE',
    }),
    logLevel: oneOf(LOG_LEVELS, 'info', { description: 'log level', flag: '--log-level', env: 'EARSHOT_LOG_LEVEL' }),
    role: oneOf(['api', 'worker', 'all'], 'all', {
      description: 'what this process does (all: one process does everything)',
      flag: '--role',
      env: 'EARSHOT_ROLE',
    }),
    databaseUrl: optional(Type.String({ pattern: '^postgres(ql)?://[^\\s]+$' }), {
      description: 'PostgreSQL for metadata',
      flag: '--database-url',
      env: 'EARSHOT_DATABASE_URL',
      secret: 'url-password',
      allowed: 'a postgres:// URL',
      defaultText: 'embedded SQLite in the data dir',
    }),
    blobStore: optional(Type.String({ pattern: '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\\s]*)?$' }), {
      description: 'S3-compatible object storage for file bytes (credentials from the standard AWS variables)',
      flag: '--blob-store',
      env: 'EARSHOT_BLOB_STORE',
      allowed: 's3://bucket or s3://bucket/prefix',
      defaultText: 'the data dir',
    }),
    s3Endpoint: optional(Type.String({ pattern: HTTP_URL }), {
      description: 'endpoint of a non-AWS S3 server (path-style addressing)',
      env: 'EARSHOT_S3_ENDPOINT',
      allowed: 'an http:// or https:// URL',
      defaultText: 'AWS',
    }),
    s3Region: setting(Type.String({ minLength: 1, default: 'us-east-1' }), {
      description: 'region of the S3 bucket (any value for most S3-compatible servers)',
      env: 'AWS_REGION',
    }),
    testCrashSha256: optional(Type.String({ pattern: '^[0-9a-f]{64}$' }), {
      description: 'test only: the analysis worker process dies (SIGSEGV) on this content, to exercise crash handling',
      env: 'EARSHOT_TEST_CRASH_SHA256',
      allowed: 'a SHA-256 in hex',
      defaultText: 'none',
    }),
    analysisConcurrency: int(1, 1, { description: 'concurrent analyses (each uses the CPU fully)' }),
    sweepIntervalSec: positive(60, { description: 'seconds between expiry sweeps' }),
    shareAnalysisAcrossProjects: setting(Type.Boolean({ default: false }), {
      description: 'analyse identical audio once for all projects (reveals to a project that another sent the same audio)',
      env: 'EARSHOT_SHARE_ANALYSIS_ACROSS_PROJECTS',
    }),
    limits: LimitsSchema,
    engines: EnginesSchema,
  },
  { additionalProperties: false },
);

export type Settings = Static<typeof SettingsSchema>;
export type Limits = Static<typeof LimitsSchema>;
export type EngineConfig = Static<typeof EnginesSchema>;

/** The effective configuration every part of Earshot receives. */
export type Config = Omit<Settings, 'apiKeys' | 'apiKeysFile' | 'configFile'> & {
  /** null: any key is accepted and each distinct key is its own project; else key → project name */
  apiKeys: Map<string, string> | null;
};

/** Settings as a caller (tests, flags) gives them: every field optional, nested like Config. */
export type ConfigInput = Partial<Omit<Settings, 'limits' | 'engines'>> & {
  limits?: Partial<Limits>;
  engines?: Partial<EngineConfig>;
};

/** Settings of the client commands (`earshot files`), which talk to a running server. */
export const ClientSchema = Type.Object(
  {
    baseUrl: setting(Type.String({ pattern: HTTP_URL, default: 'http://127.0.0.1:8080' }), {
      description: 'server `earshot files` talks to',
      flag: '--server',
      env: 'GOOGLE_GEMINI_BASE_URL',
      allowed: 'an http:// or https:// URL',
    }),
    apiKey: optional(Type.String({ minLength: 1 }), {
      description: 'API key `earshot files` sends',
      flag: '--key',
      env: 'GEMINI_API_KEY',
      envAliases: ['GOOGLE_API_KEY'],
      secret: 'whole',
    }),
  },
  { additionalProperties: false },
);
export type ClientConfig = Static<typeof ClientSchema>;
