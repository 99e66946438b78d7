// Filling a JSON Schema from a composed answer by property names (transcript, segments, start, sounds, ...), built
// to satisfy the schema's constraints (lengths, patterns, bounds, enums) so the result validates. The walk over the
// schema and the choice of each value live here; what a name means (field-names.ts), reading a node
// (schema-node.ts), fitting a value to its constraints (constrain.ts) and fact fields (fill-facts.ts) are apart.

import { EarshotError } from '../../domain/errors.js';
import { formatTime, formatTimestamp } from '../time-references.js';
import type { AnswerData, ClipAnswer, SegmentData, SoundData } from '../types.js';
import type { JsonSchema } from './convert.js';
import { schemaErrors } from './validate.js';
import { bestEnumValue, naturalJson } from './answer-json.js';
import { OMIT, factKind, fillFact } from './fill-facts.js';
import { languageName } from '../../domain/languages.js';
import { speakerName } from '../facts.js';
import { R, has, nameWords, singular } from './field-names.js';
import { branchValid, resolveRef, typesOf } from './schema-node.js';
import { constrainNumber, constrainString, lengthBounds } from './constrain.js';

interface Ctx {
  data: AnswerData;
  clip?: ClipAnswer;
  segment?: SegmentData;
  sound?: SoundData;
  root: JsonSchema;
  depth: number;
  /** the field being filled is required by its object */
  required?: boolean;
}

function clipOf(ctx: Ctx): ClipAnswer | undefined {
  return ctx.clip ?? (ctx.data.clips.length === 1 ? ctx.data.clips[0] : undefined);
}

function allSegments(ctx: Ctx): SegmentData[] {
  const c = clipOf(ctx);
  if (c) return c.segments ?? c.fallback?.segments ?? [];
  return ctx.data.clips.flatMap((x) => x.segments ?? x.fallback?.segments ?? []);
}

function allSounds(ctx: Ctx): SoundData[] {
  const c = clipOf(ctx);
  if (c) return c.sounds ?? c.fallback?.sounds ?? [];
  return ctx.data.clips.flatMap((x) => x.sounds ?? x.fallback?.sounds ?? []);
}

/** Fill `schema` from the composed answer; the result is built to satisfy the schema's constraints. */
export function fillSchema(schema: object, data: AnswerData): unknown {
  const root = schema as JsonSchema;
  const value = fill(root, undefined, { data, root, depth: 0 });
  if (schemaErrors(root, value).length === 0) return value;
  const minimal = fill(root, undefined, { data: { kind: data.kind, answer: data.answer, clips: [] }, root, depth: 0 });
  return schemaErrors(root, minimal).length === 0 ? minimal : value;
}

function fill(schemaIn: JsonSchema, name: string | undefined, ctx: Ctx): unknown {
  if (ctx.depth > 12) return null;
  const s = resolveRef(schemaIn ?? {}, ctx.root);
  if ('const' in s) return s.const;
  if (Array.isArray(s.allOf) && s.allOf.length) {
    const merged: JsonSchema = { ...s, allOf: undefined };
    for (const part of s.allOf.map((p: JsonSchema) => resolveRef(p, ctx.root))) {
      merged.properties = { ...(merged.properties ?? {}), ...(part.properties ?? {}) };
      merged.required = [...(merged.required ?? []), ...(part.required ?? [])];
      for (const [k, v] of Object.entries(part)) if (!(k in merged) || merged[k] === undefined) merged[k] = v;
    }
    delete merged.allOf;
    return fill(merged, name, ctx);
  }
  const branches: JsonSchema[] | undefined = s.anyOf ?? s.oneOf;
  if (Array.isArray(branches) && branches.length) {
    const { anyOf: _a, oneOf: _o, ...base } = s;
    const candidates = branches.map((b) => ({ ...base, ...resolveRef(b, ctx.root) }));
    const nonNull = candidates.filter((c) => !typesOf(c).every((t) => t === 'null'));
    for (const c of [...nonNull, ...candidates]) {
      const v = fill(c, name, { ...ctx, depth: ctx.depth + 1 });
      if (branchValid(c, v, ctx.root)) return v;
    }
    const [first = base] = candidates; // branches is non-empty, so there is always a first candidate
    return fill(first, name, { ...ctx, depth: ctx.depth + 1 });
  }
  // speaker, language, translation, emotion: from the analysis' facts only (schema/fill-facts.ts)
  const fact = factKind(name, s);
  if (fact) return fillFact(fact, s, name ?? fact, ctx.segment, clipOf(ctx), !!ctx.required, (v) => branchValid(s, v, ctx.root));
  if (Array.isArray(s.enum) && s.enum.length) return pickEnumValue(s.enum, name, ctx);
  const types = typesOf(s).filter((t) => t !== 'null');
  const type = types[0] ?? 'null';
  switch (type) {
    case 'object':
      return fillObject(s, name, ctx);
    case 'array':
      return fillArray(s, name, ctx);
    case 'string':
      return fillString(s, name, ctx);
    case 'number':
    case 'integer':
      return fillNumber(s, name, ctx, type === 'integer');
    case 'boolean':
      return fillBoolean(name, ctx);
    default:
      return null;
  }
}

function pickEnumValue(values: unknown[], name: string | undefined, ctx: Ctx): unknown {
  const strings = values.filter((v): v is string => typeof v === 'string');
  if (strings.length) {
    const ws = nameWords(name);
    const clip = clipOf(ctx);
    if (ctx.sound) {
      const hit = strings.find((v) => v.toLowerCase() === ctx.sound!.label.toLowerCase());
      if (hit) return hit;
    }
    if (has(ws, R.language) && clip?.language) {
      const hit = strings.find(
        (v) => v.toLowerCase() === clip.language!.toLowerCase() || v.toLowerCase().startsWith(clip.language!.toLowerCase()),
      );
      if (hit) return hit;
    }
    const sub: AnswerData = clip ? { kind: ctx.data.kind, answer: clip.answer, clips: [clip] } : ctx.data;
    return bestEnumValue(strings, sub);
  }
  return values.find((v) => v !== null) ?? values[0];
}

function fillObject(s: JsonSchema, name: string | undefined, ctx: Ctx): unknown {
  const props: Record<string, JsonSchema> = s.properties ?? {};
  const keys = Object.keys(props);
  const order: string[] = Array.isArray(s.propertyOrdering) ? s.propertyOrdering.filter((k: string) => keys.includes(k)) : [];
  const sorted = [...order, ...keys.filter((k) => !order.includes(k))];
  const required: string[] = Array.isArray(s.required) ? s.required : [];
  for (const r of required) if (!sorted.includes(r)) sorted.push(r);
  if (!sorted.length) {
    if (s.additionalProperties === false) return {};
    return naturalJson(ctx.clip ? { kind: ctx.data.kind, answer: ctx.clip.answer, clips: [ctx.clip] } : ctx.data);
  }
  // an object holding one clip's answer when the answer covers several clips and the object names no clip list
  const out: Record<string, unknown> = {};
  const max = typeof s.maxProperties === 'number' ? s.maxProperties : Infinity;
  for (const k of sorted) {
    if (Object.keys(out).length >= max && !required.includes(k)) continue;
    const sub = props[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : {});
    const v = fill(sub, k, { ...ctx, depth: ctx.depth + 1, required: required.includes(k) });
    if (v !== OMIT) out[k] = v;
  }
  return out;
}

function fillArray(s: JsonSchema, name: string | undefined, ctx: Ctx): unknown[] {
  const itemSchema = resolveRef((Array.isArray(s.items) ? s.items[0] : s.items) ?? {}, ctx.root);
  const ws = nameWords(name);
  const itemTypes = typesOf(itemSchema);
  const itemProps = Object.keys(itemSchema.properties ?? {}).flatMap((k) => nameWords(k));
  let out: unknown[];
  const sub = (extra: Partial<Ctx>, n?: string) => fill(itemSchema, n ?? singular(name), { ...ctx, ...extra, depth: ctx.depth + 1 });
  const clipsWanted = has(ws, R.clips) && itemTypes[0] === 'object' && ctx.data.clips.length > 1 && !ctx.clip && !has(itemProps, R.start);
  if (
    clipsWanted ||
    (itemTypes[0] === 'object' && !ctx.clip && ctx.data.clips.length > 1 && has(ws, /^(clips|files|audios|recordings|tracks)$/))
  ) {
    out = ctx.data.clips.map((clip) => sub({ clip }));
  } else if (itemTypes[0] === 'object') {
    const soundLike = has(itemProps, R.label) && !has(itemProps, R.text);
    const wantsSounds = has(ws, R.sounds) || (soundLike && !has(ws, R.segments));
    if (wantsSounds) out = allSounds(ctx).map((sound) => sub({ sound }));
    else if (ctx.data.clips.length > 1 && !ctx.clip && !has(ws, R.segments) && !has(itemProps, R.start))
      out = ctx.data.clips.map((clip) => sub({ clip }));
    else {
      const segs = allSegments(ctx);
      out = segs.length ? segs.map((segment) => sub({ segment })) : [];
    }
  } else if (itemTypes[0] === 'string') {
    const clip = clipOf(ctx);
    const clips = clip ? [clip] : ctx.data.clips;
    if (has(ws, R.keywords)) out = clip?.keywords ?? ctx.data.clips.flatMap((c) => c.keywords ?? []);
    else if (has(ws, /^(speakers|speaker)$/)) out = [...new Set(clips.flatMap((c) => c.speakers ?? []))].map(speakerName);
    else if (has(ws, /^(languages|language|langs)$/)) {
      const codes = [
        ...new Set(clips.flatMap((c) => (c.segments ?? c.fallback?.segments ?? []).map((x) => x.language).filter((x): x is string => !!x))),
      ];
      out = has(ws, /^codes?$/) ? codes : codes.map(languageName);
    } else if (has(ws, R.sounds)) out = [...new Set(allSounds(ctx).map((x) => x.label))];
    else if (has(ws, R.segments) || has(ws, R.points)) out = allSegments(ctx).map((x) => x.text);
    else if (has(ws, R.time) || has(ws, R.start)) out = allSegments(ctx).map((x) => formatTimestamp(x.start));
    else out = [clip?.answer ?? ctx.data.answer];
    out = out.map((v) => constrainString(String(v), itemSchema, ctx.data));
    if (Array.isArray(itemSchema.enum)) out = out.length ? [pickEnumValue(itemSchema.enum, singular(name), ctx)] : out;
  } else if (itemTypes[0] === 'number' || itemTypes[0] === 'integer') {
    const segs = allSegments(ctx);
    const nums = has(ws, R.end) ? segs.map((x) => x.end) : has(ws, R.score) ? allSounds(ctx).map((x) => x.score) : segs.map((x) => x.start);
    out = nums.map((n) => constrainNumber(n, itemSchema, itemTypes[0] === 'integer'));
  } else {
    out = [sub({})];
  }
  if (s.uniqueItems) out = [...new Map(out.map((v) => [JSON.stringify(v), v])).values()];
  const [min, max] = lengthBounds(s);
  if (out.length > max) out = out.slice(0, max);
  let guard = 0;
  while (out.length < min && guard++ < 1000) {
    const extra = sub({}, singular(name));
    if (s.uniqueItems && out.some((v) => JSON.stringify(v) === JSON.stringify(extra))) {
      out.push(typeof extra === 'string' ? constrainString(`${extra} (${out.length + 1})`, itemSchema, ctx.data) : extra);
    } else out.push(extra);
  }
  return out;
}

function fillString(s: JsonSchema, name: string | undefined, ctx: Ctx): string {
  const ws = nameWords(name);
  const clip = clipOf(ctx);
  const seg = ctx.segment;
  const sound = ctx.sound;
  let v: string | undefined;
  if (s.format === 'date-time') v = new Date().toISOString();
  else if (s.format === 'date') v = new Date().toISOString().slice(0, 10);
  else if (s.format === 'time') v = new Date().toISOString().slice(11, 19) + 'Z';
  else if (s.format === 'uuid') v = '00000000-0000-4000-8000-000000000000';
  else if (s.format === 'duration' && clip) v = `PT${Math.round(clip.durationSec * 1000) / 1000}S`;
  else if (has(ws, R.start) || (has(ws, R.time) && !has(ws, R.end))) {
    const t = seg?.start ?? sound?.start ?? clip?.time ?? clip?.segments?.[0]?.start;
    if (t !== undefined) v = formatTimestamp(t);
  } else if (has(ws, R.end)) {
    const t = seg?.end ?? sound?.end ?? clip?.segments?.[clip.segments.length - 1]?.end;
    if (t !== undefined) v = formatTimestamp(t);
  } else if (has(ws, R.duration)) {
    if (seg) v = `${Math.round((seg.end - seg.start) * 10) / 10} s`;
    else if (sound) v = `${Math.round((sound.end - sound.start) * 10) / 10} s`;
    else if (clip) v = formatTime(clip.durationSec);
  } else if (has(ws, R.language)) v = clip?.language ?? ctx.data.clips.find((c) => c.language)?.language ?? 'unknown';
  else if (has(ws, R.unknownish)) v = 'unknown';
  else if (sound && (has(ws, R.label) || !ws.length)) v = sound.label;
  else if (seg && (has(ws, R.text) || has(ws, R.answer) || !ws.length)) v = seg.text;
  else if (has(ws, R.summary))
    v = clip
      ? (clip.summary ?? clip.fallback?.summary)
      : ctx.data.clips
          .map((c) => c.summary ?? c.fallback?.summary)
          .filter(Boolean)
          .join(' ') || undefined;
  else if (has(ws, R.description))
    v =
      clip?.description ??
      (ctx.data.clips
        .map((c) => c.description)
        .filter(Boolean)
        .join(' ') ||
        undefined);
  else if (has(ws, R.text))
    v = clip
      ? (clip.transcript ?? clip.fallback?.transcript)
      : ctx.data.clips
          .map((c) => c.transcript ?? c.fallback?.transcript)
          .filter(Boolean)
          .join('\n') || undefined;
  else if (has(ws, R.title) && clip?.name) v = clip.name;
  if (!v) v = clip?.answer ?? ctx.data.answer;
  return constrainString(v, s, ctx.data);
}

function fillNumber(s: JsonSchema, name: string | undefined, ctx: Ctx, integer: boolean): number {
  const ws = nameWords(name);
  const clip = clipOf(ctx);
  const seg = ctx.segment;
  const sound = ctx.sound;
  let v: number | undefined;
  if (has(ws, R.start) || (has(ws, R.time) && !has(ws, R.end))) v = seg?.start ?? sound?.start ?? clip?.time ?? clip?.segments?.[0]?.start;
  else if (has(ws, R.end)) v = seg?.end ?? sound?.end ?? clip?.segments?.[clip.segments.length - 1]?.end;
  else if (has(ws, R.duration))
    v = seg
      ? seg.end - seg.start
      : sound
        ? sound.end - sound.start
        : (clip?.durationSec ?? ctx.data.clips.reduce((t, c) => t + c.durationSec, 0));
  else if (has(ws, R.score)) v = sound?.score ?? (clip?.sounds?.length ? Math.max(...clip.sounds.map((x) => x.score)) : undefined);
  else if (has(ws, /^(speakers|speaker)$/)) {
    // a count of speakers only from diarization (or 0 when nothing was said); never guessed from the transcript
    const known = clip ? (clip.speakers?.length ?? ((clip.transcript ?? clip.fallback?.transcript) ? undefined : 0)) : undefined;
    if (known === undefined) {
      if (!ctx.required) return OMIT as unknown as number;
      throw new EarshotError('SCHEMA_NO_FACT', {
        field: name ?? 'speakers',
        fact: 'the number of speakers',
        why: clip?.speakersUnavailable ?? 'diarization did not run',
      });
    }
    v = known;
  } else if (has(ws, R.count))
    v =
      clip?.count ??
      (has(ws, /^(segments|sounds|events)$/) ? (has(ws, /^segments$/) ? allSegments(ctx).length : allSounds(ctx).length) : undefined);
  else if (has(ws, /^(index|id|clip|audio|file)$/) && clip) v = clip.audioIndex + (has(ws, /^index$/) ? 0 : 1);
  if (v === undefined) v = clip?.count ?? clip?.time ?? 0;
  return constrainNumber(v, s, integer);
}

function fillBoolean(name: string | undefined, ctx: Ctx): boolean {
  const ws = nameWords(name);
  const clip = clipOf(ctx);
  if (has(ws, /^(speech|spoken|talking|speaking)$/) && clip) return !!(clip.transcript ?? clip.fallback?.transcript);
  if (clip?.present !== undefined) return clip.present;
  if (!clip && ctx.data.clips.some((c) => c.present !== undefined)) return ctx.data.clips.some((c) => c.present === true);
  return false;
}
