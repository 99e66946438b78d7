// The answering design's routing table: with a language model configured, exact requests (transcript, times,
// presence, counts, facts, sound lists) are still computed by the real composer, and open prompts (describe,
// summarise, free questions, mood, follow-ups of those) reach the model with the grounded context.
// The model here is a stand-in TextGenerator that records the messages it gets (nothing is loaded); the real
// model runs in test/e2e/llm-answers.test.ts. Also: text 'auto' without any model answers with the composer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composerAnswerer, collectAnswer, generatorAnswerer } from '../../src/understanding/answer.js';
import { routedAnswerer, ROUTES } from '../../src/understanding/routing.js';
import { answererFactory } from '../../src/understanding/backends.js';
import { resolveConfig } from '../../src/config.js';
import type { ChatMessage, TextGenerator, TextRequest } from '../../src/engines/types.js';
import type { AudioAnalysis } from '../../src/domain/analysis.js';
import type { AudioPart, Conversation } from '../../src/understanding/types.js';
import { tempDir } from '../helpers.js';
import { EMOTION_TRANSCRIPT_SCHEMA, ask, audio, conversation, jfk, siren } from './fixtures.js';

function recordingModel(): { generator: TextGenerator; seen: ChatMessage[][] } {
  const seen: ChatMessage[][] = [];
  return {
    seen,
    generator: {
      name: 'stand-in',
      async *generate(req) {
        seen.push(req.messages);
        yield { text: 'model answer' };
        return { finishReason: 'STOP', outputTokens: 2 };
      },
    },
  };
}

function routed() {
  const m = recordingModel();
  const answerer = routedAnswerer(composerAnswerer(undefined, [], 'hint'), generatorAnswerer(m.generator, []), []);
  const run = async (c: Conversation) => (await collectAnswer(answerer.answer(c, {}))).text;
  return { run, seen: m.seen, answerer };
}

test('exact requests are computed by the composer even with a language model configured', async () => {
  const { run, seen } = routed();
  assert.match(await run(ask('Transcribe this.', audio(jfk()))), /ask not what your country can do for you/);
  assert.match(await run(ask('Is there a dog barking?', audio(jfk()))), /^No\b/);
  assert.match(await run(ask('When does the word "country" come up?', audio(jfk()))), /0:0\d/);
  assert.match(await run(ask('How long is the audio?', audio(jfk()))), /11 seconds|0:11/);
  assert.match(await run(ask('How many times is a siren heard?', audio(siren()))), /\d|once|twice/);
  assert.equal(seen.length, 0, 'the model was not asked');
});

test('open prompts go to the model, with the analysis and a task line right before the prompt', async () => {
  const { run, seen } = routed();
  for (const p of ['Describe this audio clip', 'Summarize the audio.', 'What does the speaker ask people to do?', 'What is the mood?']) {
    assert.equal(await run(ask(p, audio(jfk()))), 'model answer', p);
  }
  assert.equal(seen.length, 4);
  const describe = seen[0].at(-1)!.content;
  assert.match(describe, /And so my fellow Americans/, 'the transcript is in the context');
  assert.match(describe, /Task: describe the recording[^\n]*\n\nDescribe this audio clip$/);
  assert.match(
    describe,
    /Facts computed from the analysis:\nAn 11-second recording[^\n]*"And so my fellow Americans/,
    "the composer's description is given as facts",
  );
  assert.match(seen[1].at(-1)!.content, /Facts computed from the analysis:\n[\s\S]*Task: summarise/);
  assert.match(seen[2].at(-1)!.content, /Task: answer the question[^\n]*from the transcript/);
  assert.doesNotMatch(seen[3].at(-1)!.content, /Task:/, 'no task line where the request is open-ended');
});

test('a follow-up is routed like the request it follows', async () => {
  const { run, seen } = routed();
  const c: Conversation = {
    turns: [
      { role: 'user', parts: [audio(jfk()), { kind: 'text', text: 'Summarize this.' }] },
      { role: 'model', parts: [{ kind: 'text', text: 'A call to public service.' }] },
      { role: 'user', parts: [{ kind: 'text', text: 'And in one sentence?' }] },
    ],
  };
  assert.equal(await run(c), 'model answer');
  assert.equal(seen.length, 1);
  assert.equal(ROUTES.summary, 'model');
});

test("text 'auto' with no model installed and offline answers with the composer, without loading anything", async () => {
  const tmp = tempDir('earshot-auto-');
  try {
    const config = resolveConfig({ modelsDir: tmp.dir, offline: true, engines: { text: 'auto' } });
    const answerer = await answererFactory(config, undefined, [], { pull: true })();
    assert.equal(answerer.name, 'composer');
    assert.match((await collectAnswer(answerer.answer(ask('Describe this audio clip', audio(siren())), {}))).text, /siren/i);
  } finally {
    tmp.cleanup();
  }
});

test('text/x.enum through a model: generated under an enum grammar and answered bare; no enum is a 400', async () => {
  const asked: (object | undefined)[] = [];
  const generator: TextGenerator = {
    name: 'stand-in',
    async *generate(req) {
      asked.push(req.jsonSchema);
      for (const piece of ['"ur', 'gent"']) yield { text: piece };
      return { finishReason: 'STOP', outputTokens: 2 };
    },
  };
  const model = generatorAnswerer(generator, []);
  const chunks: string[] = [];
  const it = model.answer(ask('What is the mood?', audio(siren())), {
    responseMimeType: 'text/x.enum',
    geminiSchema: { type: 'STRING', enum: ['calm', 'urgent'] },
  });
  let step = await it.next();
  for (; !step.done; step = await it.next()) chunks.push(step.value);
  assert.deepEqual(asked, [{ type: 'string', enum: ['calm', 'urgent'] }]);
  assert.deepEqual(chunks, ['urgent']);
  assert.equal(step.value.text, 'urgent');
  await assert.rejects(
    collectAnswer(model.answer(ask('What is the mood?', audio(siren())), { responseMimeType: 'text/x.enum' })),
    (e: Error & { code?: string }) => e.code === 'SCHEMA_ENUM_MISSING',
  );
});

test("text 'auto' with a llamaModel that is not there warns and answers with the composer; 'llama' refuses", async () => {
  const tmp = tempDir('earshot-auto-');
  try {
    const warnings: string[] = [];
    const log = { info: () => undefined, warn: (m: string) => warnings.push(m) };
    const auto = resolveConfig({ modelsDir: tmp.dir, offline: true, engines: { text: 'auto', llamaModel: 'no-such-model' } });
    assert.equal((await answererFactory(auto, undefined, [], { log })()).name, 'composer');
    assert.match(warnings.join('\n'), /no-such-model is unavailable .*not installed/);
    const llama = resolveConfig({ modelsDir: tmp.dir, offline: true, engines: { text: 'llama', llamaModel: 'no-such-model' } });
    await assert.rejects(
      answererFactory(llama, undefined, [], { log })(),
      (e: Error & { code?: string }) => e.code === 'TEXT_MODEL_NOT_INSTALLED',
    );
  } finally {
    tmp.cleanup();
  }
});

test('a translation the analysis holds for every segment is given by the composer; otherwise the model writes one', async () => {
  const { run, seen } = routed();
  const spanish = (translation?: string): AudioPart =>
    audio({
      ...jfk(),
      language: 'es',
      segments: [
        { start: 0.3, end: 4, text: 'El tren llega a la estación.', language: 'es', words: [], ...(translation ? { translation } : {}) },
      ],
    });
  assert.match(
    await run(ask('Translate this into English.', spanish('The train arrives at the station.'))),
    /The train arrives at the station/,
  );
  const english = { ...jfk(), segments: jfk().segments.map((s) => ({ ...s, language: 'en' })) };
  assert.match(await run(ask('Translate this into English.', audio(english))), /ask not what your country/, 'English already');
  assert.equal(seen.length, 0, 'the model was not asked');
  assert.equal(await run(ask('Translate this into English.', spanish())), 'model answer', 'no translation held: the model writes one');
  assert.equal(await run(ask('Translate this into French.', spanish('The train arrives at the station.'))), 'model answer');
  assert.equal(seen.length, 2);
});

test('emotionFromWords: a schema asking for an emotion has the model read the words of segments no vocal sound speaks for', async () => {
  const seen: TextRequest[] = [];
  const generator: TextGenerator = {
    name: 'stand-in',
    async *generate(req) {
      seen.push(req);
      yield { text: '"sad"' };
      return { finishReason: 'STOP', outputTokens: 1 };
    },
  };
  const answerer = routedAnswerer(composerAnswerer(undefined, [], 'hint'), generatorAnswerer(generator, []), [], {
    emotionFromWords: true,
  });
  const schema = EMOTION_TRANSCRIPT_SCHEMA;
  const ask2 = (a: AudioAnalysis) =>
    collectAnswer(
      answerer.answer(ask('Generate a transcript of the speech, with segments.', audio(a)), {
        responseMimeType: 'application/json',
        responseSchema: schema,
      }),
    );
  const jfkOut = JSON.parse((await ask2(jfk())).text) as { segments: { content: string; emotion: string }[] };
  assert.ok(jfkOut.segments.length > 0);
  assert.ok(
    jfkOut.segments.every((s) => s.emotion === 'sad'),
    'no vocal sound: the reading',
  );
  assert.equal(seen.length, jfk().segments.length, 'one reading per segment');
  assert.deepEqual(seen[0].jsonSchema, { type: 'string', enum: ['happy', 'sad', 'angry', 'neutral'] }, 'grammar-constrained');
  assert.match(seen[0].messages.at(-1)!.content, /ask not what your country/, 'the words are what is read');
  // laughter over a segment is stronger evidence than the reading
  const talk = conversation();
  const out = JSON.parse((await ask2(talk)).text) as { segments: { content: string; emotion: string }[] };
  const laughed = out.segments.find((s) => s.content === talk.segments[2]!.text);
  assert.equal(laughed?.emotion, 'happy');
  // without a schema field for emotion, nothing is read; nor with emotionFromWords off (the default)
  seen.length = 0;
  await collectAnswer(answerer.answer(ask('Transcribe this.', audio(jfk())), {}));
  const off = routedAnswerer(composerAnswerer(undefined, [], 'hint'), generatorAnswerer(generator, []), []);
  const offOut = JSON.parse(
    (
      await collectAnswer(
        off.answer(ask('Generate a transcript of the speech, with segments.', audio(jfk())), {
          responseMimeType: 'application/json',
          responseSchema: schema,
        }),
      )
    ).text,
  ) as { segments: { emotion: string }[] };
  assert.ok(
    offOut.segments.every((s) => s.emotion === 'neutral'),
    'the neutral default',
  );
  assert.equal(seen.length, 0);
});
