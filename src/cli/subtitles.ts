// Transcript output formats for `earshot transcribe`: they live in src/domain/subtitles.ts, below the API, which
// writes the same SRT and WebVTT on its OpenAI-compatible endpoint.
export * from '../domain/subtitles.js';
