// The text-generation backends behind TextGenerator: llama.cpp on a local GGUF file, or any OpenAI-compatible
// server; plus the catalogue of GGUF models to pull.

export { createLlamaGenerator, type LlamaGeneratorOptions } from './llama.js';
export { createOpenAiCompatibleGenerator, buildChatCompletionBody, type OpenAiCompatibleOptions } from './openai.js';
export { TEXT_MODELS, DEFAULT_TEXT_MODEL, findTextModel, type TextModelEntry } from './catalogue.js';
