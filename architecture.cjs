// The layers of src/, bottom first, each with its one job: the single source for the layering rule
// (.dependency-cruiser.cjs, npm run lint:layers) and for the architecture tables in README.md and
// CONTRIBUTING.md (npm run docs regenerates them; a test fails when they drift).

/** Bottom first: [name, path pattern of the layer's files, its one job]. The README's architecture table and
 *  CONTRIBUTING's module map are generated from this list (npm run docs). */
const LAYERS = [
  ['domain', '^src/domain/', 'the analysis model, audio rules, the error catalogue — imports nothing of ours'],
  ['config', '^src/config(\\.ts$|/)', 'the one validated configuration object: schema, sources, precedence'],
  ['audio', '^src/audio/', 'find ffmpeg, sniff formats, probe, decode/resample/slice to 16 kHz mono'],
  ['store', '^src/store/', 'metadata (SQLite | PostgreSQL), blobs (disk | S3), upload sessions, quotas, expiry'],
  ['engines', '^src/engines/', 'vad/, sounds/, speech/, speakers/, text/, models/ — each an interface and its backends'],
  ['analysis', '^src/analysis/', 'the once-per-file analysis: ingest, pipeline, queue, worker process'],
  ['eval', '^src/eval/', 'quality scoring on labelled audio: WER, sounds, VAD, diarization'],
  ['understanding', '^src/understanding/', 'prompt → intent → grounded answer (composer, JSON schema filling, LLM context, tokenizer)'],
  ['api', '^src/api/', "the only layer that knows HTTP and Google's wire: routes, schemas, auth, errors"],
  ['cli', '^src/cli/', 'the earshot commands'],
];

module.exports = { LAYERS };
