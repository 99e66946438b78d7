// Diarization error rate: missed speech + false alarm + speaker confusion over the reference speech time,
// scored on 10 ms frames with a forgiveness collar around every reference boundary and the best one-to-one
// mapping of hypothesis speakers to reference speakers (NIST md-eval's definition, single-speaker frames).

export interface LabelledSpan {
  start: number;
  end: number;
  speaker: string;
}

export interface DerResult {
  der: number;
  missed: number;
  falseAlarm: number;
  confusion: number;
  /** reference speech seconds scored (outside collars) */
  scored: number;
  referenceSpeakers: number;
  hypothesisSpeakers: number;
}

const FRAME = 0.01;

function labelAt(spans: LabelledSpan[], t: number): string | undefined {
  for (const s of spans) if (s.start <= t && t < s.end) return s.speaker;
  return undefined;
}

function permutations<T>(items: T[], k: number): T[][] {
  if (k === 0) return [[]];
  const out: T[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)], k - 1)) out.push([x, ...rest]);
  });
  return out;
}

/** DER with a collar (seconds) on each side of every reference turn boundary. */
export function diarizationErrorRate(reference: LabelledSpan[], hypothesis: LabelledSpan[], collar = 0.25): DerResult {
  const end = Math.max(0, ...reference.map((s) => s.end), ...hypothesis.map((s) => s.end));
  const boundaries = reference.flatMap((s) => [s.start, s.end]);
  const refSpeakers = [...new Set(reference.map((s) => s.speaker))];
  const hypSpeakers = [...new Set(hypothesis.map((s) => s.speaker))];
  const frames: { ref?: string; hyp?: string }[] = [];
  for (let t = FRAME / 2; t < end; t += FRAME) {
    if (boundaries.some((b) => Math.abs(b - t) < collar)) continue;
    frames.push({ ref: labelAt(reference, t), hyp: labelAt(hypothesis, t) });
  }
  // best mapping hyp → ref (brute force: speaker counts here are small)
  const overlap = (h: string, r: string) => frames.filter((f) => f.hyp === h && f.ref === r).length;
  let bestMap = new Map<string, string>();
  let bestScore = -1;
  const k = Math.min(hypSpeakers.length, refSpeakers.length);
  if (hypSpeakers.length <= 7 && refSpeakers.length <= 7) {
    for (const perm of permutations(refSpeakers, k)) {
      for (const hypPerm of permutations(hypSpeakers, k)) {
        let score = 0;
        hypPerm.forEach((h, i) => {
          score += overlap(h, perm[i] as string);
        });
        if (score > bestScore) {
          bestScore = score;
          bestMap = new Map(hypPerm.map((h, i) => [h, perm[i] as string]));
        }
      }
    }
  }
  let missed = 0;
  let falseAlarm = 0;
  let confusion = 0;
  let scored = 0;
  for (const f of frames) {
    if (f.ref) scored += FRAME;
    if (f.ref && !f.hyp) missed += FRAME;
    else if (!f.ref && f.hyp) falseAlarm += FRAME;
    else if (f.ref && f.hyp && bestMap.get(f.hyp) !== f.ref) confusion += FRAME;
  }
  return {
    der: scored > 0 ? (missed + falseAlarm + confusion) / scored : 0,
    missed,
    falseAlarm,
    confusion,
    scored,
    referenceSpeakers: refSpeakers.length,
    hypothesisSpeakers: hypSpeakers.length,
  };
}
