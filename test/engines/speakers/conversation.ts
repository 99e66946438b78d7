// Test conversations with known truth: the eval's builder (src/eval/conversation.ts) with the tests' sox-based
// espeak-ng synthesiser, so every test hears the same audio it was tuned on.
import { espeak } from '../sox-decode.js';
import { buildConversation, type Conversation, VOICES as EVAL_VOICES } from '../../../src/eval/conversation.js';

export type { Conversation } from '../../../src/eval/conversation.js';

/** espeak-ng voices far apart for a speaker encoder (measured: cross-voice similarity ≤ 0.72). */
export const VOICES = EVAL_VOICES as string[][];

/** `speakers` voices take `turnsCount` turns in rotation (a, b, c, a, …), with pauses of 0.4–0.8 s. */
export function conversation(speakers: number, turnsCount = Math.max(6, speakers * 3)): Conversation {
  return buildConversation(speakers, (text, voice) => espeak(text, voice), turnsCount);
}
