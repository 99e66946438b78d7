// Gemini's audioTranscriptionConfig and the guide's structured example through the real @google/genai client, on a
// two-voice espeak-ng conversation whose turns are known to the sample, with diarization by Resemblyzer's real
// weights (engines.speakerModel) and PocketSphinx: speaker labels that follow the true turns, word offsets inside
// their segments, SMART's refusal and answer, streaming, and the same facts on the OpenAI endpoint without a
// second analysis.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ApiError,
  GoogleGenAI,
  Type,
  createPartFromUri,
  createUserContent,
  type File as GenAiFile,
  type GenerateContentResponse,
} from '@google/genai';
import OpenAI, { toFile } from 'openai';
import { startServer, type Running } from './harness.js';
import { tempDir } from '../helpers.js';
import { testModel } from '../models/paths.js';
import { conversation } from '../engines/speakers/conversation.js';
import { encodeWav16 } from '../../src/audio/decode.js';
import type { AudioAnalysis } from '../../src/domain/analysis.js';

const KEY = 'gem-key';
const MODEL = 'gemini-3.5-transcribe';
const tmp = tempDir();
const talk = conversation(2);
const wav = encodeWav16(talk.pcm);
let server: Running;
let ai: GoogleGenAI;
let file: GenAiFile;
let analysis: AudioAnalysis;

/** Seconds from a Duration string ("1.250s"). */
const sec = (d: string | undefined) => {
  assert.match(d ?? '', /^\d+(\.\d{3})?s$/);
  return Number(d!.slice(0, -1));
};

/** The true speaker (ref_1, ref_2) at time t, from the conversation's turns. */
const truthAt = (t: number) => talk.turns.find((r) => r.start - 0.3 <= t && t <= r.end + 0.3)?.speaker;

async function analysesRun(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(
    text
      .split('\n')
      .find((l) => l.startsWith('earshot_analysis_duration_seconds_count'))
      ?.split(' ')[1] ?? 0,
  );
}

before(async () => {
  server = await startServer({
    offline: true,
    engines: { speech: 'pocketsphinx', sounds: 'none', speakerModel: testModel('resemblyzer') },
  });
  ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
  const wavPath = path.join(tmp.dir, 'conversation.wav');
  writeFileSync(wavPath, wav);
  file = await ai.files.upload({ file: wavPath, config: { mimeType: 'audio/wav', displayName: 'two voices' } });
  for (let i = 0; i < 3000 && file.state === 'PROCESSING'; i++) {
    await new Promise((r) => setTimeout(r, 200));
    file = await ai.files.get({ name: file.name! });
  }
  assert.equal(file.state, 'ACTIVE');
  const res = await fetch(`${server.url}/v1beta/${file.name}:analysis`, { headers: { 'x-goog-api-key': KEY } });
  analysis = ((await res.json()) as { analysis: AudioAnalysis }).analysis;
  assert.ok(analysis.speakers, `diarization ran: ${analysis.warnings.join('; ')}`);
});

after(async () => {
  await server.close();
  tmp.cleanup();
});

const transcribe = (audioTranscriptionConfig: object) =>
  ai.models.generateContent({
    model: MODEL,
    contents: createUserContent([createPartFromUri(file.uri!, file.mimeType!)]),
    config: { audioTranscriptionConfig },
  });

test('diarization + wordTimestamp: a part per segment, spk_1/spk_2 following the true turns, words inside their segment', async () => {
  const res = await transcribe({ diarization: true, wordTimestamp: true });
  const parts = res.candidates![0]!.content!.parts!;
  const heard = analysis.segments.filter((s) => s.text.trim());
  assert.equal(parts.length, heard.length);
  assert.ok(parts.length >= talk.turns.length, `${parts.length} parts for ${talk.turns.length} turns`);
  const labels = parts.map((p) => p.audioTranscription!.speakerLabel!);
  assert.deepEqual([...new Set(labels)], ['spk_1', 'spk_2'], 'two speakers, numbered in order of appearance');
  // each hypothesis label stands for one true voice on (nearly) every segment
  const votes = new Map<string, Map<string, number>>();
  parts.forEach((p, i) => {
    const t = p.audioTranscription!;
    assert.equal(t.text, heard[i]!.text.trim());
    const start = sec(t.startOffset);
    const end = sec(t.endOffset);
    assert.ok(start <= end);
    const ref = truthAt((start + end) / 2);
    if (ref)
      votes.set(t.speakerLabel!, (votes.get(t.speakerLabel!) ?? new Map()).set(ref, (votes.get(t.speakerLabel!)?.get(ref) ?? 0) + 1));
    assert.ok(t.words!.length > 0, 'words asked for and given');
    for (const w of t.words!) {
      assert.ok(
        w.word && sec(w.startOffset) >= start - 0.001 && sec(w.endOffset) <= end + 0.001,
        `${w.word} inside ${t.startOffset}–${t.endOffset}`,
      );
    }
  });
  const owners = new Set<string>();
  for (const [label, refs] of votes) {
    const total = [...refs.values()].reduce((a, b) => a + b, 0);
    const [owner, top] = [...refs.entries()].sort((a, b) => b[1] - a[1])[0]!;
    assert.ok(top / total >= 0.9, `${label}: ${JSON.stringify([...refs])}`);
    owners.add(owner);
  }
  assert.equal(owners.size, 2, 'the two labels are the two true voices');
  // response.text stays the plain transcript, a line per part
  assert.equal(res.text, heard.map((s) => s.text.trim()).join('\n'));
  assert.ok(res.usageMetadata!.candidatesTokenCount! > 0);
});

test('without diarization or wordTimestamp: offsets only, no labels, no words', async () => {
  const res = await transcribe({});
  for (const p of res.candidates![0]!.content!.parts!) {
    const t = p.audioTranscription!;
    assert.equal(t.speakerLabel, undefined);
    assert.equal(t.words, undefined);
    assert.ok(sec(t.startOffset) < sec(t.endOffset));
  }
});

test('SMART with diarization or word timestamps is a 400, as on Gemini; SMART alone gives formatted paragraphs', async () => {
  for (const cfg of [
    { mode: 'SMART', diarization: true },
    { mode: 'SMART', wordTimestamp: true },
  ]) {
    await assert.rejects(transcribe(cfg), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 400);
      assert.match(e.message, /cannot be used with mode SMART/);
      assert.match(e.message, /INVALID_ARGUMENT/);
      return true;
    });
  }
  // field types are checked as Gemini checks them, with the field's proto path
  for (const [cfg, field] of [
    [{ mode: 'FAST' }, 'mode'],
    [{ wordTimestamp: 'yes' }, 'word_timestamp'],
    [{ customVocabulary: 'Zyx' }, 'custom_vocabulary'],
  ] as const) {
    await assert.rejects(
      transcribe(cfg),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.message.includes(`audio_transcription_config.${field}`),
    );
  }
  const res = await transcribe({ mode: 'SMART' });
  const parts = res.candidates![0]!.content!.parts!;
  assert.ok(parts.length >= 1);
  for (const p of parts) {
    const t = p.audioTranscription!;
    assert.equal(t.startOffset, undefined);
    assert.equal(t.speakerLabel, undefined);
    assert.match(t.text!, /^\p{Lu}/u, 'starts with a capital');
    assert.match(t.text!, /[.!?]$/, 'ends a sentence');
  }
  // the words are the ones heard, in order: SMART only drops fillers and a word repeated straight after itself
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z' ]/g, ' ')
      .split(/\s+/)
      .filter(Boolean);
  const said = norm(parts.map((p) => p.audioTranscription!.text).join(' '));
  const heard = norm(analysis.segments.map((s) => s.text).join(' '));
  let j = 0;
  heard.forEach((w, i) => {
    if (said[j] === w) j++;
    else
      assert.ok(
        /^(um+|uh+|er+m?|ah+|hm+)$/.test(w) || w === heard[i - 1],
        `"${w}" (word ${i}) was dropped, yet it is neither a filler nor a repeat`,
      );
  });
  assert.equal(j, said.length, 'nothing added');
  assert.ok(said.length >= heard.length * 0.9);
});

test('streamGenerateContent: a part per chunk, the same transcript, finishReason on the last', async () => {
  const whole = await transcribe({ diarization: true });
  const chunks: GenerateContentResponse[] = [];
  const stream = await ai.models.generateContentStream({
    model: MODEL,
    contents: createUserContent([createPartFromUri(file.uri!, file.mimeType!)]),
    config: { audioTranscriptionConfig: { diarization: true } },
  });
  for await (const c of stream) chunks.push(c);
  assert.equal(chunks.length, whole.candidates![0]!.content!.parts!.length);
  assert.deepEqual(
    chunks.map((c) => c.candidates![0]!.content!.parts![0]!.audioTranscription),
    whole.candidates![0]!.content!.parts!.map((p) => p.audioTranscription),
  );
  assert.equal(chunks.at(-1)!.candidates![0]!.finishReason, 'STOP');
});

test('silence: no parts and finishReason STOP, unary and streamed alike', async () => {
  const data = encodeWav16(new Float32Array(16000 * 2)).toString('base64');
  const contents = [{ role: 'user', parts: [{ inlineData: { mimeType: 'audio/wav', data } }] }];
  const res = await ai.models.generateContent({ model: MODEL, contents, config: { audioTranscriptionConfig: { wordTimestamp: true } } });
  assert.deepEqual(res.candidates![0]!.content!.parts ?? [], []);
  assert.equal(res.candidates![0]!.finishReason, 'STOP');
  const chunks: GenerateContentResponse[] = [];
  for await (const c of await ai.models.generateContentStream({ model: MODEL, contents, config: { audioTranscriptionConfig: {} } }))
    chunks.push(c);
  assert.equal(chunks.length, 1);
  assert.deepEqual(chunks[0]!.candidates![0]!.content!.parts ?? [], []);
  assert.equal(chunks[0]!.candidates![0]!.finishReason, 'STOP');
});

test("the guide's structured example: each segment's speaker is its diarization label, timestamps MM:SS, no invented language", async () => {
  const prompt = `Process the audio file and generate a detailed transcription.

Requirements:
1. Identify distinct speakers (e.g., Speaker 1, Speaker 2, or names if context allows).
2. Provide accurate timestamps for each segment (Format: MM:SS).
3. Detect the primary language of each segment.
4. If the segment is in a language different than English, also provide the English translation.
5. Identify the primary emotion of the speaker in this segment. You MUST choose exactly one of the following: Happy, Sad, Angry, Neutral.
6. Provide a brief summary of the entire audio at the beginning.`;
  const res = await ai.models.generateContent({
    model: 'gemini-2.5-flash',
    contents: createUserContent([createPartFromUri(file.uri!, file.mimeType!), prompt]),
    config: {
      responseMimeType: 'application/json',
      responseSchema: {
        type: Type.OBJECT,
        properties: {
          summary: { type: Type.STRING, description: 'A concise summary of the audio content.' },
          segments: {
            type: Type.ARRAY,
            description: 'List of transcribed segments with speaker and timestamp.',
            items: {
              type: Type.OBJECT,
              properties: {
                speaker: { type: Type.STRING },
                timestamp: { type: Type.STRING },
                content: { type: Type.STRING },
                language: { type: Type.STRING },
                language_code: { type: Type.STRING },
                translation: { type: Type.STRING },
                emotion: { type: Type.STRING, enum: ['happy', 'sad', 'angry', 'neutral'] },
              },
              required: ['speaker', 'timestamp', 'content', 'language', 'language_code', 'emotion'],
            },
          },
        },
        required: ['summary', 'segments'],
      },
    },
  });
  const v = JSON.parse(res.text!) as { summary: string; segments: Record<string, string>[] };
  assert.ok(v.segments.length >= talk.turns.length);
  // the understanding layer names speakers "Speaker N" for diarization's spk_N
  const byStart = (mmss: string) => {
    const [m, s] = mmss.split(':').map(Number);
    return analysis.segments.find(
      (x) => Math.floor(x.start) === m! * 60 + s! || Math.floor(x.start) === m! * 60 + s! - 1 || Math.floor(x.start) === m! * 60 + s! + 1,
    );
  };
  for (const s of v.segments) {
    assert.match(s.timestamp!, /^\d\d:\d\d$/);
    const src = byStart(s.timestamp!);
    assert.ok(src?.speaker, `a diarized segment at ${s.timestamp}`);
    assert.equal(s.speaker, `Speaker ${src!.speaker!.slice(4)}`);
    assert.ok(['happy', 'sad', 'angry', 'neutral'].includes(s.emotion!));
    // PocketSphinx does not identify languages: the fields stay empty rather than claim English
    assert.equal(s.language_code, '');
  }
  assert.deepEqual([...new Set(v.segments.map((s) => s.speaker))].sort(), ['Speaker 1', 'Speaker 2']);
  assert.ok(v.summary.length > 0);
});

test('the OpenAI endpoint answers diarized_json from the same analysis: speakers A and B, nothing analysed again', async () => {
  const client = new OpenAI({ apiKey: KEY, baseURL: `${server.url}/v1`, maxRetries: 0, timeout: 600_000 });
  const before = await analysesRun();
  const res = (await client.audio.transcriptions.create({
    file: await toFile(wav, 'conversation.wav', { type: 'audio/wav' }),
    model: 'gpt-4o-transcribe-diarize',
    response_format: 'diarized_json',
  })) as unknown as OpenAI.Audio.TranscriptionDiarized;
  assert.equal(await analysesRun(), before, 'the uploaded file’s analysis answered');
  const heard = analysis.segments.filter((s) => s.text.trim());
  assert.deepEqual(
    res.segments.map((s) => s.speaker),
    heard.map((s) => (s.speaker === 'spk_1' ? 'A' : 'B')),
  );
  assert.equal(res.segments[0]!.type, 'transcript.text.segment');
  assert.equal(res.text, heard.map((s) => s.text.trim()).join(' '));
});
