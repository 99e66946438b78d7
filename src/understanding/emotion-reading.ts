// A language model's reading of the emotion in each segment's words, for answers whose schema asks for an emotion
// when a model is configured and engines.emotionFromWords is on: one grammar-constrained choice (happy / sad / angry /
// neutral) per segment. A vocal sound event stays the stronger evidence (facts.ts); the reading fills only segments
// without one. Off by default: Qwen2.5-Coder-0.5B, the default model, read 7 of 8 test sentences right but called
// "My dog died yesterday and I cannot stop crying." happy; a reading that wrong is worse than the neutral default.

import type { EmotionReading } from '../domain/analysis.js';
import type { TextGenerator } from '../engines/types.js';
import { factKind } from './schema/fill-facts.js';
import type { JsonSchema } from './schema.js';
import type { Conversation } from './types.js';

export const READ_EMOTIONS: readonly EmotionReading['value'][] = ['happy', 'sad', 'angry', 'neutral'];

const TASK =
  'You read the emotion a speaker expresses from the words alone. Answer with exactly one of: happy, sad, angry, ' +
  'neutral. Say neutral unless the words clearly express one of the others.';

/** One reading per text ('' gets none); undefined where the model's output is not one of the values. */
export async function readEmotions(
  generator: TextGenerator,
  texts: readonly string[],
  signal?: AbortSignal,
): Promise<(EmotionReading['value'] | undefined)[]> {
  const out: (EmotionReading['value'] | undefined)[] = [];
  for (const text of texts) {
    if (!text.trim()) {
      out.push(undefined);
      continue;
    }
    let raw = '';
    const it = generator.generate({
      messages: [
        { role: 'system', content: TASK },
        { role: 'user', content: `Words: "${text.trim()}"\nEmotion:` },
      ],
      jsonSchema: { type: 'string', enum: [...READ_EMOTIONS] },
      maxOutputTokens: 8,
      temperature: 0,
      signal,
    });
    for (let step = await it.next(); !step.done; step = await it.next()) raw += step.value.text;
    const value = parsed(raw);
    out.push(READ_EMOTIONS.find((v) => v === value));
  }
  return out;
}

function parsed(raw: string): unknown {
  try {
    return JSON.parse(raw.trim());
  } catch {
    return raw.trim().toLowerCase();
  }
}

/** Whether a JSON schema has a field asking for an emotion (by the same reading of names that fills it). */
export function schemaAsksEmotion(schema: JsonSchema | undefined, depth = 0): boolean {
  if (!schema || typeof schema !== 'object' || depth > 32) return false;
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, sub] of Object.entries(props)) {
    if (factKind(name, sub) === 'emotion' || schemaAsksEmotion(sub, depth + 1)) return true;
  }
  const nested = [schema.items, ...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  return nested.some((n) => schemaAsksEmotion(n as JsonSchema, depth + 1));
}

/** The conversation with every spoken segment of its audio carrying the model's reading (segments unchanged else). */
export async function withEmotionReadings(
  conversation: Conversation,
  read: (texts: readonly string[], signal?: AbortSignal) => Promise<(EmotionReading['value'] | undefined)[]>,
  by: string,
  signal?: AbortSignal,
): Promise<Conversation> {
  const turns = [];
  for (const turn of conversation.turns) {
    const parts = [];
    for (const part of turn.parts) {
      if (part.kind !== 'audio') {
        parts.push(part);
        continue;
      }
      const values = await read(
        part.analysis.segments.map((s) => s.text),
        signal,
      );
      const segments = part.analysis.segments.map((s, i) => {
        const value = values[i];
        return value ? { ...s, emotionReading: { value, by } } : s;
      });
      parts.push({ ...part, analysis: { ...part.analysis, segments } });
    }
    turns.push({ ...turn, parts });
  }
  return { ...conversation, turns };
}
