// The answering design: which answerer takes a request when a language model is configured. Exact, checkable
// requests are computed from the analysis by the composer; open prompts go to the language model, grounded.
//
// Why: the analysis already holds the transcript, the times, the sounds and the facts (speakers, language,
// duration). Computing them is exact and instant; a language model (a 0.5B one above all) can only copy them, and
// sometimes copies them wrong or claims what the analysis does not hold. What only a language model can do is
// write: describe, summarise, interpret, answer free questions, follow up. So:
// - composer: transcript, time, presence, count, duration, language, speakers, sounds. Presence is here on purpose:
//   "is there a dog?" is checkable against the classifier's events, and the composer's evidence-based "No …" can
//   never invent a dog.
// - model: description, summary, question (free questions about the words), reasoning (mood, opinions, anything the
//   intent reader does not know), translate (needs a writer), text-only (no audio: nothing for the composer).
//   Except a translation the analysis already holds for every segment (Whisper's translate task into English, or
//   speech already in the target language): that is exact, so the composer gives it. And, with emotionFromWords on, a
//   composer route whose JSON schema asks for an emotion first has the model read each segment's words
//   (emotion-reading.ts; off by default: the default 0.5B model reads emotions wrongly).
// A follow-up inherits its kind from the request it follows (intent.ts), so it is routed like that request.
// JSON mode follows the same table: composer routes fill the schema from facts (fillSchema), model routes generate
// under a grammar built from the schema. Without a language model every request goes to the composer.

import type { IntentKind } from './intent.js';
import { audioParts, classifyIntent } from './intent.js';
import type { Conversation } from './types.js';
import { translationInto } from './facts.js';
import { jsonSchemaOf, type Answerer } from './answer.js';
import { schemaAsksEmotion, withEmotionReadings } from './emotion-reading.js';

export type Route = 'composer' | 'model';

export const ROUTES: Readonly<Record<IntentKind, Route>> = {
  transcript: 'composer',
  time: 'composer',
  presence: 'composer',
  count: 'composer',
  duration: 'composer',
  language: 'composer',
  speakers: 'composer',
  sounds: 'composer',
  description: 'model',
  summary: 'model',
  question: 'model',
  reasoning: 'model',
  translate: 'model',
  'text-only': 'model',
};

/**
 * One answerer over two: each request goes to the composer or the language model by the kind of its last user
 * turn (ROUTES). The name is the model's; closing closes the model.
 */
export function routedAnswerer(
  composer: Answerer,
  model: Answerer,
  labels: readonly string[],
  options: { emotionFromWords?: boolean } = {},
): Answerer {
  return {
    name: model.name,
    close: model.close,
    answer(conversation, req) {
      // the labels the composer reads questions with: the classifier's, plus those the analyses hold
      const all = new Set([...labels, ...audioParts(conversation).flatMap((p) => p.analysis.soundEvents.map((e) => e.label))]);
      const intent = classifyIntent(conversation, { labels: [...all] });
      const route = intent.kind === 'translate' && translationHeld(conversation, intent.target) ? 'composer' : ROUTES[intent.kind];
      if (route === 'model') return model.answer(conversation, req);
      // a schema asking for an emotion: the model reads the words of segments no vocal sound speaks for
      const read = options.emotionFromWords ? model.readEmotions : undefined;
      if (read && req.responseMimeType?.toLowerCase() === 'application/json' && schemaAsksEmotion(jsonSchemaOf(req))) {
        return (async function* () {
          return yield* composer.answer(await withEmotionReadings(conversation, read, model.name, req.signal), req);
        })();
      }
      return composer.answer(conversation, req);
    },
  };
}

/** Whether every spoken segment of the conversation's audio has a translation into `target` in the analysis. */
function translationHeld(conversation: Conversation, target = 'english'): boolean {
  const segments = audioParts(conversation).flatMap((p) => p.analysis.segments.filter((s) => s.text.trim()));
  if (segments.length === 0) return false;
  return segments.every((s) => translationInto(s, target) !== undefined);
}
