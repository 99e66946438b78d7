// Sounds named by their most specific confident AudioSet class, from the ontology's hierarchy shipped in
// src/understanding/data/ (checked against the ontology in ../shared): a crow and a sheep, not "an animal".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ancestorsOf, childrenOf, isAncestor, mostSpecific } from '../../src/understanding/ontology.js';
import { composeAnswer } from '../../src/understanding/composer.js';
import { REPO_ROOT } from '../helpers.js';
import { animals, ask, audio, dogs } from './fixtures.js';

test('the shipped hierarchy matches the AudioSet ontology, every class and child', () => {
  const full = JSON.parse(readFileSync(path.join(REPO_ROOT, '../shared/models/audioset/ontology.json'), 'utf8')) as {
    id: string;
    name: string;
    child_ids: string[];
  }[];
  const names = new Map(full.map((c) => [c.id, c.name]));
  assert.equal(full.length, 632);
  for (const c of full)
    assert.deepEqual(
      childrenOf(c.name),
      c.child_ids.map((id) => names.get(id)),
      c.name,
    );
  assert.ok(isAncestor('Animal', 'Sheep'));
  assert.ok(isAncestor('Bird', 'Crow'));
  assert.ok(!isAncestor('Sheep', 'Animal'));
  assert.deepEqual(ancestorsOf('Animal'), []);
  assert.deepEqual(ancestorsOf('No such class'), []);
});

test('a child overlapping its ancestors names the sound; an ancestor alone stays', () => {
  const kept = mostSpecific(animals().soundEvents).map((e) => e.label);
  assert.deepEqual(kept, ['Crow', 'Sheep', 'Animal']);
  // an animal's call gives way to the animal (Crow over Caw, Dog over Bark) when both are heard together
  const dog = mostSpecific([
    { label: 'Bark', start: 0, end: 1 },
    { label: 'Dog', start: 0.2, end: 1.2 },
  ]).map((e) => e.label);
  assert.deepEqual(dog, ['Dog']);
  // events that do not overlap are all kept
  assert.equal(
    mostSpecific([
      { label: 'Animal', start: 0, end: 1 },
      { label: 'Sheep', start: 2, end: 3 },
    ]).length,
    2,
  );
});

test('descriptions say "a crow" at 1:00 and "a sheep" at 1:50; "an animal" only where no child is confident', () => {
  const text = composeAnswer(ask('Describe this audio', audio(animals()))).text;
  assert.match(text, /A crow is heard from 1:00 to 1:02/);
  assert.match(text, /A sheep is heard from 1:50 to 1:52/);
  assert.match(text, /An animal is heard at 2:30/);
  assert.doesNotMatch(text, /animal is heard (from|at) (1:00|0:59|1:49|1:50)/);
  assert.doesNotMatch(text, /\bbird\b|livestock/i);
  const list = composeAnswer(ask('What sounds can you hear?', audio(animals()))).data.clips[0].sounds!.map((s) => s.label);
  assert.deepEqual([...new Set(list)].sort(), ['Animal', 'Crow', 'Sheep']);
  // the dogs clip: the barks at 2.5 s and the dog at 0.2 s, and no "animal" over them
  assert.doesNotMatch(composeAnswer(ask('Describe this audio', audio(dogs()))).text, /animal/i);
});
