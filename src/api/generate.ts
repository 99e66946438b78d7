// Model methods: generateContent, streamGenerateContent and countTokens.
import type { ApiContext } from './context.js';
import type { ModelMethods } from './server.js';
import { ApiError } from './errors.js';

export function modelMethods(_ctx: ApiContext): ModelMethods {
  const todo = async () => {
    throw new ApiError('UNIMPLEMENTED', 'not yet');
  };
  return { generateContent: todo, streamGenerateContent: todo, countTokens: todo };
}
