// The AudioSet ontology's hierarchy (Animal → Domestic animals → … → Sheep) over the classifier's display names,
// used to name each sound by its most specific confident class: a parent is dropped where a child overlaps it.
//
// Data: audioset/ontology.json, derived from github.com/audioset/ontology's ontology.json (© Google,
// CC BY-SA 4.0, https://creativecommons.org/licenses/by-sa/4.0/; the derived file is shared under the same licence).
// It keeps only id → [name, child ids, restrictions?]; regenerate from ../shared/models/audioset/ontology.json with
//   python3 -c 'import json;d=json.load(open("ontology.json"));print(json.dumps({"classes":{x["id"]:[x["name"],x["child_ids"]]+([x["restrictions"]] if x["restrictions"] else []) for x in d}}))'

import ontology from './audioset/ontology.json' with { type: 'json' };

type Row = [string, string[], string[]?];
const CLASSES = (ontology as unknown as { classes: Record<string, Row> }).classes;

const byName = new Map<string, string>();
const parents = new Map<string, string[]>();
for (const [id, [name, children]] of Object.entries(CLASSES)) {
  byName.set(name, id);
  for (const c of children) parents.set(c, [...(parents.get(c) ?? []), id]);
}

/** The display names of every ancestor of a class (all paths up, nearest first); empty for unknown names. */
export function ancestorsOf(name: string): string[] {
  let cached = ancestorCache.get(name);
  if (!cached) ancestorCache.set(name, (cached = computeAncestors(name)));
  return cached;
}

const ancestorCache = new Map<string, string[]>();

function computeAncestors(name: string): string[] {
  const start = byName.get(name);
  if (!start) return [];
  const out: string[] = [];
  const seen = new Set<string>([start]);
  let frontier = [start];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const p of parents.get(id) ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        const parentName = CLASSES[p]?.[0]; // parent ids come from the table's own keys
        if (parentName !== undefined) out.push(parentName);
        next.push(p);
      }
    }
    frontier = next;
  }
  return out;
}

/** Whether `ancestor` lies above `name` in the hierarchy. */
export function isAncestor(ancestor: string, name: string): boolean {
  return ancestorsOf(name).includes(ancestor);
}

/** Whether the ontology knows the display name. */
export function knownClass(name: string): boolean {
  return byName.has(name);
}

/** The direct children's display names of a class. */
export function childrenOf(name: string): string[] {
  const id = byName.get(name);
  const children = id ? (CLASSES[id]?.[1] ?? []) : [];
  return children.map((c) => CLASSES[c]?.[0]).filter((n): n is string => !!n);
}

interface Timed {
  label: string;
  start: number;
  end: number;
}

/** A leaf directly under an animal class is that animal's call (Dog → Bark, Crow → Caw, Sheep → Bleat). */
export function isAnimalCall(child: string, parent: string): boolean {
  return childrenOf(parent).includes(child) && childrenOf(child).length === 0 && ancestorsOf(parent).includes('Animal');
}

/** Whether detection `o` makes detection `e` redundant when they overlap (see mostSpecific). */
function hides(o: string, e: string): boolean {
  if (isAnimalCall(e, o)) return true;
  return isAncestor(e, o) && !isAnimalCall(o, e);
}

/**
 * The events that name their sound most specifically: an event is dropped when an event of one of its descendant
 * classes overlaps it in time (a Crow at 1:00 hides the Bird and Animal detected with it, but an Animal alone at
 * 2:30 stays). One exception keeps the source's name: an animal's call (a leaf right under an animal class, such as
 * Caw or Bark) gives way to the animal (Crow, Dog) when both are detected. Events keep their order.
 */
export function mostSpecific<T extends Timed>(events: readonly T[]): T[] {
  const known = events.filter((e) => byName.has(e.label));
  if (known.length < 2) return [...events];
  // events by start, so each one is compared only with those that can overlap it
  const sorted = [...known].sort((x, y) => x.start - y.start);
  const starts = sorted.map((e) => e.start);
  const longest = Math.max(...sorted.map((e) => e.end - e.start));
  const hidden = new Set<T>();
  for (const e of sorted) {
    let i = lowerBound(starts, e.start - longest);
    for (; i < sorted.length; i++) {
      const o = sorted[i];
      if (!o || o.start >= e.end) break;
      if (o !== e && o.label !== e.label && o.end > e.start && hides(o.label, e.label)) {
        hidden.add(e);
        break;
      }
    }
  }
  return events.filter((e) => !hidden.has(e));
}

function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x)
      lo = mid + 1; // 0 <= lo <= mid < hi <= xs.length
    else hi = mid;
  }
  return lo;
}
