// Hand-built AudioAnalysis fixtures: inputs to the pure understanding layer (no engines run here).
// jfk: the jfk.wav sentence with word times close to what whisper.cpp reports; siren: a fire-truck clip's events;
// dogs: separated barks; long: a synthetic one-hour talk with ~1000 segments; silent: no speech engine installed.
import type { AudioAnalysis, TranscriptSegment, Word } from '../../src/domain/analysis.js';
import type { AudioPart, Conversation } from '../../src/understanding/types.js';

function wordsFrom(text: string, start: number, end: number): Word[] {
  const ws = text.split(/\s+/);
  const step = (end - start) / ws.length;
  return ws.map((w, i) => ({ text: w, start: +(start + i * step).toFixed(2), end: +(start + (i + 1) * step - 0.05).toFixed(2) }));
}

const JFK_WORDS: [string, number, number][] = [
  ['And', 0.32, 0.54],
  ['so', 0.54, 0.9],
  ['my', 0.9, 1.14],
  ['fellow', 1.14, 1.6],
  ['Americans,', 1.6, 2.42],
  ['ask', 3.28, 3.9],
  ['not', 3.9, 4.56],
  ['what', 5.0, 5.28],
  ['your', 5.28, 5.6],
  ['country', 5.6, 6.14],
  ['can', 6.14, 6.44],
  ['do', 6.44, 6.7],
  ['for', 6.7, 6.96],
  ['you,', 6.96, 7.6],
  ['ask', 8.12, 8.5],
  ['what', 8.5, 8.76],
  ['you', 8.76, 8.96],
  ['can', 8.96, 9.2],
  ['do', 9.2, 9.4],
  ['for', 9.4, 9.6],
  ['your', 9.6, 9.86],
  ['country.', 9.86, 10.5],
];

export function jfk(): AudioAnalysis {
  const words: Word[] = JFK_WORDS.map(([text, start, end]) => ({ text, start, end, confidence: 0.9 }));
  const seg: TranscriptSegment = {
    start: 0.32,
    end: 10.5,
    text: 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.',
    words,
  };
  return {
    sha256: 'jfk',
    durationSec: 11.0,
    speechRegions: [
      { start: 0.3, end: 2.5 },
      { start: 3.2, end: 7.7 },
      { start: 8.0, end: 10.6 },
    ],
    segments: [seg],
    language: 'en',
    soundEvents: [
      { label: 'Speech', start: 0, end: 10.7, score: 0.92 },
      { label: 'Narration, monologue', start: 0.5, end: 9.8, score: 0.31 },
    ],
    loudnessDb: -24.5,
    engines: { vad: 'silero', speech: 'whisper', sounds: 'yamnet' },
    warnings: [],
  };
}

export function siren(): AudioAnalysis {
  return {
    sha256: 'siren',
    durationSec: 7.4,
    speechRegions: [],
    segments: [],
    soundEvents: [
      { label: 'Siren', start: 0, end: 7.0, score: 0.81 },
      { label: 'Fire engine, fire truck (siren)', start: 0.0, end: 6.8, score: 0.55 },
      { label: 'Emergency vehicle', start: 0.5, end: 7.0, score: 0.62 },
      { label: 'Vehicle', start: 1.0, end: 3.0, score: 0.2 },
    ],
    loudnessDb: -18,
    engines: { vad: 'silero', speech: 'whisper', sounds: 'yamnet' },
    warnings: [],
  };
}

/** three barks separated by silence, and a fourth event that overlaps the third (same bark, two labels) */
export function dogs(): AudioAnalysis {
  return {
    sha256: 'dogs',
    durationSec: 6.0,
    speechRegions: [],
    segments: [],
    soundEvents: [
      { label: 'Dog', start: 0.2, end: 1.0, score: 0.7 },
      { label: 'Bark', start: 2.5, end: 3.2, score: 0.66 },
      { label: 'Dog', start: 4.6, end: 5.4, score: 0.74 },
      { label: 'Bark', start: 4.9, end: 5.6, score: 0.6 },
      { label: 'Animal', start: 0.2, end: 5.6, score: 0.5 },
    ],
    loudnessDb: -20,
    engines: { vad: 'silero', speech: 'whisper', sounds: 'yamnet' },
    warnings: [],
  };
}

/** speech was heard by the VAD but no speech engine was installed */
export function untranscribed(): AudioAnalysis {
  return {
    sha256: 'nospeech',
    durationSec: 11.0,
    speechRegions: [{ start: 0.3, end: 10.6 }],
    segments: [],
    soundEvents: [
      { label: 'Speech', start: 0, end: 10.7, score: 0.9 },
      { label: 'Music', start: 8, end: 11, score: 0.4 },
    ],
    loudnessDb: -24,
    engines: { vad: 'silero', sounds: 'yamnet' },
    warnings: [
      'Speech was not transcribed: no speech engine is installed. Install whisper.cpp models (earshot models pull whisper-base) or PocketSphinx (apt-get install pocketsphinx pocketsphinx-en-us).',
    ],
  };
}

const TOPICS = [
  'the river valley flooded every spring and farmers moved their cattle to the hills',
  'the new bridge across the river was built from steel and opened in the autumn',
  'schools in the valley taught children to read maps of the river and the hills',
  'the town council argued about the cost of the bridge for many months',
  'a storm in winter broke the old mill wheel near the river bank',
  'the harvest festival brought music and dancing to the market square',
];

/** a synthetic one-hour talk: ~1000 segments of ~3.6 s with word times; a siren at 30:00 */
export function longTalk(segments = 1000): AudioAnalysis {
  const dur = 3600;
  const step = dur / segments;
  const segs: TranscriptSegment[] = [];
  for (let i = 0; i < segments; i++) {
    const text = `Part ${i + 1}: ${TOPICS[i % TOPICS.length]}.`;
    const start = i * step;
    const end = start + step - 0.2;
    segs.push({ start, end, text, words: wordsFrom(text, start, end) });
  }
  return {
    sha256: 'long',
    durationSec: dur,
    speechRegions: segs.map((s) => ({ start: s.start, end: s.end })),
    segments: segs,
    language: 'en',
    soundEvents: [
      { label: 'Speech', start: 0, end: dur, score: 0.9 },
      { label: 'Siren', start: 1800, end: 1812, score: 0.7 },
    ],
    loudnessDb: -22,
    engines: { vad: 'silero', speech: 'whisper', sounds: 'yamnet' },
    warnings: [],
  };
}

export function audio(analysis: AudioAnalysis, index = 0, displayName?: string): AudioPart {
  return { kind: 'audio', index, analysis, mimeType: 'audio/wav', displayName };
}

/** a one-turn conversation: the audio parts, then the prompt */
export function ask(prompt: string, ...parts: AudioPart[]): Conversation {
  return { turns: [{ role: 'user', parts: [...parts, ...(prompt ? [{ kind: 'text' as const, text: prompt }] : [])] }] };
}

/**
 * a diarized two-speaker conversation with per-segment languages (English and Spanish) as a multilingual engine
 * reports them, laughter over the third segment and a shout over the fourth
 */
export function conversation(): AudioAnalysis {
  const seg = (start: number, end: number, text: string, speaker: string, language: string): TranscriptSegment => ({
    start,
    end,
    text,
    speaker,
    language,
    words: wordsFrom(text, start, end).map((w) => ({ ...w, speaker })),
  });
  const segments = [
    seg(0.5, 3.0, 'Good morning and welcome to the show.', 'spk_1', 'en'),
    seg(3.4, 6.8, 'Hola, gracias por invitarme al programa.', 'spk_2', 'es'),
    seg(7.2, 10.0, 'That is the funniest story I have heard.', 'spk_1', 'en'),
    seg(10.5, 13.5, 'I am still angry about the broken bridge.', 'spk_2', 'en'),
  ];
  return {
    sha256: 'conversation',
    durationSec: 14.0,
    speechRegions: segments.map((s) => ({ start: s.start, end: s.end })),
    segments,
    language: 'en',
    speakers: segments.map((s) => ({ start: s.start, end: s.end, speaker: s.speaker! })),
    soundEvents: [
      { label: 'Speech', start: 0.4, end: 13.6, score: 0.9 },
      { label: 'Laughter', start: 8.0, end: 9.5, score: 0.62 },
      { label: 'Shout', start: 11.0, end: 12.0, score: 0.48 },
    ],
    loudnessDb: -21,
    engines: { vad: 'silero', speech: 'whisper', sounds: 'yamnet', speakers: 'resemblyzer' },
    warnings: [],
  };
}

/** the same conversation analysed without a speaker model and by an engine that identified no language */
export function undiarized(): AudioAnalysis {
  const a = conversation();
  return {
    ...a,
    sha256: 'undiarized',
    speakers: undefined,
    language: undefined,
    segments: a.segments.map(({ speaker: _s, language: _l, ...s }) => ({ ...s, words: s.words.map(({ speaker: _w, ...w }) => w) })),
    engines: { vad: 'silero', speech: 'whisper', sounds: 'yamnet' },
    warnings: ['Speakers were not told apart: no speaker model is installed (earshot models pull resemblyzer).'],
  };
}

/** animals in the open: a crow at 1:00 and a sheep at 1:50, each detected with its AudioSet ancestors; an unnamed animal at 2:30 */
export function animals(): AudioAnalysis {
  return {
    sha256: 'animals',
    durationSec: 180,
    speechRegions: [],
    segments: [],
    soundEvents: [
      { label: 'Animal', start: 59.5, end: 62.5, score: 0.7 },
      { label: 'Bird', start: 59.8, end: 62.2, score: 0.6 },
      { label: 'Crow', start: 60.0, end: 62.0, score: 0.55 },
      { label: 'Caw', start: 60.2, end: 61.5, score: 0.4 },
      { label: 'Animal', start: 109.5, end: 113.0, score: 0.72 },
      { label: 'Livestock, farm animals, working animals', start: 109.8, end: 112.8, score: 0.5 },
      { label: 'Sheep', start: 110.0, end: 112.5, score: 0.58 },
      { label: 'Animal', start: 150.0, end: 151.0, score: 0.45 },
    ],
    loudnessDb: -30,
    engines: { vad: 'silero', speech: 'whisper', sounds: 'yamnet' },
    warnings: [],
  };
}

/** A transcript schema whose segments carry `content` and an `emotion` from the guide's four values. */
export const EMOTION_TRANSCRIPT_SCHEMA = {
  type: 'object',
  properties: {
    segments: {
      type: 'array',
      items: {
        type: 'object',
        properties: { content: { type: 'string' }, emotion: { type: 'string', enum: ['happy', 'sad', 'angry', 'neutral'] } },
        required: ['content', 'emotion'],
      },
    },
  },
  required: ['segments'],
} as const;
