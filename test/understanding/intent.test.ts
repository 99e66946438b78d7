import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyIntent, classifyKind } from '../../src/understanding/intent.js';
import { matchSoundLabels } from '../../src/understanding/labels.js';
import { YAMNET_DIR } from '../helpers.js';
import { ask, audio, jfk, siren } from './fixtures.js';
import type { Conversation } from '../../src/understanding/types.js';

/** the 521 YAMNet display names from the class map (quoted CSV fields) */
export function yamnetLabels(): string[] {
  const rows = readFileSync(path.join(YAMNET_DIR, 'yamnet_class_map.csv'), 'utf8').trim().split('\n').slice(1);
  return rows.map((r) => {
    const m = /^\d+,[^,]+,(?:"(.*)"|(.*))$/.exec(r.trimEnd())!;
    return (m[1] ?? m[2]).replace(/""/g, '"');
  });
}

const KINDS: [string, string][] = [
  ['Generate a transcript of the speech.', 'transcript'],
  ['Provide a transcript of the speech from 02:30 to 03:29.', 'transcript'],
  ['What exactly is said between 0:03 and 0:07?', 'transcript'],
  ['Please summarize the audio.', 'summary'],
  ['What is this recording about?', 'summary'],
  ['Describe this audio clip', 'description'],
  ['What do you hear?', 'description'],
  ['What does the speaker ask the Americans to do?', 'question'],
  ['Why does he mention the country?', 'question'],
  ['When does the siren start?', 'time'],
  ['At what time does he say country?', 'time'],
  ['Is there a dog?', 'presence'],
  ['Do you hear birds?', 'presence'],
  ['How many times does the dog bark?', 'count'],
  ['What language is spoken?', 'language'],
  ['How long is the audio?', 'duration'],
  ['How many speakers are there?', 'speakers'],
  ['What sounds can you hear?', 'sounds'],
  ['Translate the speech into French.', 'translate'],
  ['What is the mood of the speaker?', 'reasoning'],
];

for (const [prompt, kind] of KINDS) {
  test(`intent of "${prompt}" is ${kind}`, () => {
    assert.equal(classifyKind(prompt), kind);
    assert.equal(classifyIntent(ask(prompt, audio(jfk()))).kind, kind);
  });
}

test('timestamps are requested by the prompt or the system instruction', () => {
  assert.equal(classifyIntent(ask('Transcribe it with timestamps', audio(jfk()))).timestamps, true);
  assert.equal(classifyIntent(ask('Give me a timestamped transcript', audio(jfk()))).timestamps, true);
  assert.equal(classifyIntent(ask('Transcribe it', audio(jfk()))).timestamps, false);
  const c = ask('Transcribe it', audio(jfk()));
  c.system = 'Always include timestamps in MM:SS format.';
  assert.equal(classifyIntent(c).timestamps, true);
});

test('the system instruction gives the kind when the turn has none', () => {
  const c = ask('', audio(jfk()));
  c.system = 'You are a transcription service. Transcribe every audio file verbatim.';
  assert.equal(classifyIntent(c).kind, 'transcript');
  assert.equal(classifyIntent(ask('', audio(jfk()))).kind, 'description');
});

test('targets: ordinals, clip numbers, both, display names, default all', () => {
  const a = audio(jfk(), 0, 'jfk.wav');
  const b = audio(siren(), 1, 'firetruck.ogg');
  assert.deepEqual(classifyIntent(ask('Describe the second clip', a, b)).targets, [1]);
  assert.deepEqual(classifyIntent(ask('Transcribe clip 1', a, b)).targets, [0]);
  assert.deepEqual(classifyIntent(ask('Describe both', a, b)).targets, [0, 1]);
  assert.deepEqual(classifyIntent(ask('What is in firetruck.ogg?', a, b)).targets, [1]);
  assert.deepEqual(classifyIntent(ask('Describe the last recording', a, b)).targets, [1]);
  assert.deepEqual(classifyIntent(ask('Describe these', a, b)).targets, [0, 1]);
  // "first" in a time reference is not a clip ordinal
  assert.deepEqual(classifyIntent(ask('Transcribe the first 5 seconds', a, b)).targets, [0, 1]);
});

test('follow-up "and the second one?" inherits the previous request', () => {
  const a = audio(jfk(), 0);
  const b = audio(siren(), 1);
  const c: Conversation = {
    turns: [
      { role: 'user', parts: [a, b, { kind: 'text', text: 'Is there a siren in the first clip?' }] },
      { role: 'model', parts: [{ kind: 'text', text: 'No.' }] },
      { role: 'user', parts: [{ kind: 'text', text: 'And the second one?' }] },
    ],
  };
  const i = classifyIntent(c);
  assert.equal(i.followUp, true);
  assert.equal(i.kind, 'presence');
  assert.deepEqual(i.targets, [1]);
  assert.ok(i.subject?.labels.includes('Siren'));
  // a follow-up naming a new sound keeps the kind, replaces the subject
  c.turns.push(
    { role: 'model', parts: [{ kind: 'text', text: 'Yes.' }] },
    { role: 'user', parts: [{ kind: 'text', text: 'what about a dog?' }] },
  );
  const j = classifyIntent(c);
  assert.equal(j.kind, 'presence');
  assert.ok(j.subject?.labels.includes('Dog'));
  assert.ok(!j.subject?.labels.includes('Siren'));
});

test('subjects: spoken words vs sound labels', () => {
  const labels = yamnetLabels();
  assert.equal(labels.length, 521);
  const t = classifyIntent(ask('At what time does he say country?', audio(jfk())), { labels });
  assert.equal(t.subject?.spoken, 'country');
  const q = classifyIntent(ask('When is "fellow Americans" said?', audio(jfk())), { labels });
  assert.equal(q.subject?.spoken, 'fellow Americans');
  const s = classifyIntent(ask('When does the siren start?', audio(siren())), { labels });
  assert.ok(s.subject?.labels.includes('Siren') && s.subject.labels.includes('Emergency vehicle'));
  assert.equal(s.edge, 'start');
  assert.equal(classifyIntent(ask('When does the siren stop?', audio(siren())), { labels }).edge, 'end');
  const sp = classifyIntent(ask('Is someone speaking?', audio(jfk())), { labels });
  assert.equal(sp.subject?.speech, true);
  const w = classifyIntent(ask('How many words are spoken?', audio(jfk())), { labels });
  assert.equal(w.subject?.words, true);
});

test('sound words map to AudioSet labels through synonyms and fuzzy matching', () => {
  const labels = yamnetLabels();
  const set = new Set(labels);
  for (const [phrase, want] of [
    ['a dog barking', ['Dog', 'Bark']],
    ['sirens', ['Siren', 'Emergency vehicle']],
    ['birds', ['Bird', 'Bird vocalization, bird call, bird song']],
    ['church bells', ['Church bell', 'Bell']],
    ['applause', ['Applause', 'Clapping']],
    ['laughing', ['Laughter']],
    ['music', ['Music']],
    ['a car', ['Car']],
    ['a harmonica', ['Harmonica']],
    ['a ukulele', ['Ukulele']],
    ['thunder', ['Thunder']],
  ] as [string, string[]][]) {
    const got = matchSoundLabels(phrase, labels);
    for (const w of want) assert.ok(got.includes(w), `${phrase} → ${w} (got ${got.join('; ')})`);
    for (const g of got) assert.ok(set.has(g), `${g} is a YAMNet label`);
  }
  assert.deepEqual(matchSoundLabels('in the background', labels), []);
});
