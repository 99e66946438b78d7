import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeAnswer, findSpoken, sliceSegments, truncateToTokens } from '../../src/understanding/composer.js';
import { ask, audio, dogs, jfk, longTalk, siren, untranscribed } from './fixtures.js';
import type { Conversation } from '../../src/understanding/types.js';

const words = (s: string) => s.match(/[A-Za-z']+/g) ?? [];

test('whole transcript is the segments verbatim', () => {
  const r = composeAnswer(ask('Generate a transcript of the speech.', audio(jfk())));
  assert.equal(r.text, 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.');
  assert.equal(r.finishReason, 'STOP');
  assert.deepEqual(r.grounding, [{ audioIndex: 0, start: 0.32, end: 10.5 }]);
});

test('range transcript holds exactly the words whose midpoint is inside the range', () => {
  const a = jfk();
  for (const [from, to] of [
    [3, 7],
    [0, 2],
    [5.5, 9.5],
    [2.43, 3.27],
    [0, 11],
  ] as [number, number][]) {
    const fmt = (t: number) => `${Math.floor(t / 60)}:${(t % 60).toFixed(2).padStart(5, '0')}`;
    const r = composeAnswer(ask(`Transcribe from ${fmt(from)} to ${fmt(to)}`, audio(a)));
    const expected = a.segments[0].words
      .filter((w) => (w.start + w.end) / 2 >= from && ((w.start + w.end) / 2 < to || to >= a.durationSec))
      .map((w) => w.text);
    if (expected.length === 0) assert.match(r.text, /No speech was transcribed between/);
    else assert.deepEqual(words(r.text), words(expected.join(' ')), `${from}-${to}: ${r.text}`);
  }
  const mid = composeAnswer(ask('Provide a transcript of the speech from 00:03 to 00:07.', audio(a)));
  assert.equal(mid.text, 'ask not what your country can do for');
  assert.doesNotMatch(mid.text, /Americans|you,/);
});

test('range transcript on a one-hour analysis contains no word outside the range', () => {
  const a = longTalk();
  const r = composeAnswer(ask('Transcribe from 10:00 to 12:00', audio(a)));
  const inside = a.segments
    .flatMap((s) => s.words)
    .filter((w) => {
      const m = (w.start + w.end) / 2;
      return m >= 600 && m < 720;
    });
  assert.equal(words(r.text).length, words(inside.map((w) => w.text).join(' ')).length);
  assert.ok(r.grounding.every((g) => g.start >= 600 - 1e-9 && g.end <= 720 + 4));
  const slice = sliceSegments(a, { start: 600, end: 720 });
  assert.ok(slice[0].start >= 600 && slice[slice.length - 1].end <= 724);
});

test('out-of-range request says how long the audio is instead of inventing', () => {
  const r = composeAnswer(ask('Provide a transcript of the speech from 02:30 to 03:29.', audio(jfk())));
  assert.match(r.text, /only 0:11 long/);
  assert.doesNotMatch(r.text, /country/);
});

test('timestamps: one [MM:SS] line per segment', () => {
  const a = longTalk(20);
  const r = composeAnswer(ask('Transcribe with timestamps', audio(a)));
  const lines = r.text.split('\n');
  assert.equal(lines.length, 20);
  lines.forEach((l, i) => {
    const t = Math.floor(a.segments[i].start);
    assert.equal(l.slice(0, 7), `[${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}]`);
    assert.ok(l.endsWith(a.segments[i].text));
  });
  const hour = composeAnswer(ask('Transcribe the last 10 seconds with timestamps', audio(longTalk())));
  assert.match(hour.text, /^\[59:5\d\] /);
});

test('point reference widens to the segment spanning it', () => {
  const a = longTalk(100); // 36 s segments
  const r = composeAnswer(ask('What is said at 1:15?', audio(a)));
  const seg = a.segments.find((s) => s.start <= 75 && s.end >= 75)!;
  assert.equal(r.text, seg.text);
});

test('description names the siren with its times', () => {
  const r = composeAnswer(ask('Describe this audio clip', audio(siren())));
  // named by its most specific AudioSet class: the fire engine's siren, a child of Siren (see ontology.test.ts)
  assert.match(r.text, /fire engine \(Fire engine, fire truck \(siren\)\) is heard from 0:00 to 0:06/i);
  assert.match(r.text, /no speech/);
  assert.match(r.text, /7\.4-second/);
  const j = composeAnswer(ask('Describe this audio clip', audio(jfk())));
  assert.match(j.text, /fellow Americans/);
  assert.match(j.text, /English/);
});

test('presence: yes with evidence, no with what was heard', () => {
  const yes = composeAnswer(ask('Is there a siren?', audio(siren())));
  assert.match(yes.text, /^Yes/);
  assert.match(yes.text, /Siren/);
  assert.equal(yes.data.clips[0].present, true);
  const no = composeAnswer(ask('Is there a dog?', audio(siren())));
  assert.match(no.text, /^No dog was detected/);
  assert.match(no.text, /siren/i);
  assert.equal(no.data.clips[0].present, false);
  const speech = composeAnswer(ask('Is someone speaking?', audio(jfk())));
  assert.match(speech.text, /^Yes, there is speech/);
  assert.match(composeAnswer(ask('Does he mention taxes?', audio(jfk()))).text, /^No\. "taxes" is not said/);
  assert.match(composeAnswer(ask('Does he mention country?', audio(jfk()))).text, /^Yes, "country" is said 2 times/);
});

test('counts separated events and says how it counted', () => {
  const r = composeAnswer(ask('How many times does the dog bark?', audio(dogs())));
  assert.match(r.text, /^3 times/);
  assert.equal(r.data.clips[0].count, 3);
  assert.match(r.text, /merged/);
  const w = composeAnswer(ask('How many times does he say "country"?', audio(jfk())));
  assert.equal(w.data.clips[0].count, 2);
  assert.equal(composeAnswer(ask('How many words are spoken?', audio(jfk()))).data.clips[0].count, 22);
});

test('time questions: first occurrence of a sound or a spoken word', () => {
  const s = composeAnswer(ask('When does the siren start?', audio(siren())));
  assert.match(s.text, /starts at 0:00\.0/);
  const w = composeAnswer(ask('At what time does he say country?', audio(jfk())));
  assert.match(w.text, /said at 0:05\.6 and 0:09\.8/);
  assert.equal(w.data.clips[0].time, 5.6);
  assert.deepEqual(
    findSpoken(jfk(), 'fellow Americans').map((o) => o.start),
    [1.14],
  );
});

test('content questions are answered by retrieval and say so', () => {
  const a = longTalk(60);
  const r = composeAnswer(ask('What broke the old mill wheel?', audio(a)));
  assert.match(r.text, /not by reasoning/);
  assert.match(r.text, /mill wheel/);
  assert.ok(r.grounding.length >= 1 && r.grounding.length <= 3);
});

test('summary of a long talk is extractive, in time order, without repeats', () => {
  const r = composeAnswer(ask('Summarize the talk', audio(longTalk())));
  assert.match(r.text, /extractive/);
  const times = [...r.text.matchAll(/^- \[(\d\d):(\d\d):?(\d\d)?\]/gm)].map((m) =>
    m[3] ? +m[1] * 3600 + +m[2] * 60 + +m[3] : +m[1] * 60 + +m[2],
  );
  assert.ok(times.length >= 2 && times.length <= 7);
  assert.deepEqual(
    times,
    [...times].sort((x, y) => x - y),
  );
  const bodies = [...r.text.matchAll(/^- \[[\d:]+\] Part \d+: (.*)$/gm)].map((m) => m[1]);
  assert.equal(new Set(bodies).size, bodies.length, 'no repeated sentence');
  assert.match(r.text, /siren/i);
});

test('missing speech engine: the warning surfaces instead of a transcript', () => {
  for (const p of ['Transcribe this', 'Summarize it', 'What does he say about the country?', 'What language is it?']) {
    const r = composeAnswer(ask(p, audio(untranscribed())));
    assert.match(r.text, /no speech engine is installed/, p);
    assert.match(r.text, /pocketsphinx/, p);
  }
});

test('text-only prompt says a language model must be configured', () => {
  const c: Conversation = { turns: [{ role: 'user', parts: [{ kind: 'text', text: 'Write a haiku about autumn.' }] }] };
  const r = composeAnswer(c, { llmHint: 'start earshot with --llm model.gguf' });
  assert.match(r.text, /language model must be configured/);
  assert.match(r.text, /--llm model\.gguf/);
  assert.deepEqual(r.grounding, []);
});

test('reasoning requests say so and suggest a language model', () => {
  const r = composeAnswer(ask('Write a poem about this recording', audio(jfk())));
  assert.match(r.text, /needs reasoning/);
  assert.match(r.text, /configure/);
});

test('several clips are told apart', () => {
  const r = composeAnswer(ask('Describe each clip', audio(jfk(), 0, 'jfk.wav'), audio(siren(), 1, 'firetruck.ogg')));
  const first = r.text.indexOf('The first clip (jfk.wav, 0:11)');
  const second = r.text.indexOf('The second clip (firetruck.ogg, 0:07)');
  assert.ok(first === 0 && second > first, r.text);
  assert.match(r.text.slice(first, second), /Americans/);
  assert.match(r.text.slice(second), /siren/i);
  assert.doesNotMatch(r.text.slice(second), /Americans/);
  const only = composeAnswer(ask('Transcribe the first clip', audio(jfk(), 0), audio(siren(), 1)));
  assert.match(only.text, /^And so my fellow Americans/);
  assert.ok(only.grounding.every((g) => g.audioIndex === 0));
});

test('maxOutputTokens cuts the text at that many tokens', () => {
  const countTokens = (t: string) => (t.match(/\S+/g) ?? []).length; // a word counter stands in for the tokenizer
  const r = composeAnswer(ask('Transcribe it', audio(jfk())), { maxOutputTokens: 5, countTokens });
  assert.equal(r.text, 'And so my fellow Americans,');
  assert.equal(r.finishReason, 'MAX_TOKENS');
  const full = composeAnswer(ask('Transcribe it', audio(jfk())), { maxOutputTokens: 1000, countTokens });
  assert.equal(full.finishReason, 'STOP');
  const chars = truncateToTokens('abcdefghij', 2, (t) => Math.ceil(t.length / 4));
  assert.deepEqual(chars, { text: 'abcdefgh', truncated: true });
});

test('stop sequences cut at the first occurrence with finishReason STOP', () => {
  const r = composeAnswer(ask('Transcribe it', audio(jfk())), { stopSequences: ['country', 'ask'] });
  assert.equal(r.text, 'And so my fellow Americans, ');
  assert.equal(r.finishReason, 'STOP');
});

test('language and duration', () => {
  assert.match(composeAnswer(ask('What language is spoken?', audio(jfk()))).text, /English \(en\)/);
  assert.match(composeAnswer(ask('What language is spoken?', audio(siren()))).text, /no speech/);
  assert.match(composeAnswer(ask('How long is the audio?', audio(siren()))).text, /0:07 \(7\.4 s\)/);
});
