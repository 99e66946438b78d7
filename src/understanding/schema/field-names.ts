// What a schema property's name asks for: its words ("startTime" → start, time), the singular of a list's name, and
// the vocabulary of words that ties a field to a part of the answer (times, text, sounds, segments, clips…).

/** property name → lower-case words: "startTime" → ["start", "time"], "sound_events" → ["sound", "events"] */
export function nameWords(name: string | undefined): string[] {
  if (!name) return [];
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** some word of a name matches */
export const has = (ws: string[], re: RegExp) => ws.some((w) => re.test(w));

/** one item's name from a list's name: "entries" → "entry", "segments" → "segment" */
export function singular(name: string | undefined): string | undefined {
  if (!name) return undefined;
  return name.replace(/ies$/, 'y').replace(/s$/, '');
}

/** the words that say what a field holds */
export const R = {
  start: /^(start|begin|beginning|from|onset|offset|starttime|start_time)$/,
  end: /^(end|stop|to|until|finish|endtime|end_time)$/,
  time: /^(time|timestamp|timestamps|at|when|moment|position|ts|timecode)$/,
  duration: /^(duration|length|len|seconds|secs)$/,
  text: /^(text|transcript|transcription|content|utterance|sentence|quote|line|speech|words|said|caption|value)$/,
  summary: /^(summary|gist|abstract|synopsis|overview|tldr|recap)$/,
  description: /^(description|describe|caption|scene)$/,
  language: /^(language|lang|locale|languagecode)$/,
  label: /^(label|labels|sound|event|class|category|type|kind|source|name|tag)$/,
  score: /^(score|confidence|probability|likelihood|certainty)$/,
  count: /^(count|number|total|occurrences|times|num|quantity|amount|n)$/,
  answer: /^(answer|response|result|reply|output|explanation|reason|reasoning|justification|evidence|notes?|comment|message|analysis)$/,
  unknownish: /^(emotion|sentiment|mood|tone|gender|accent|age|genre|speaker|voice|emotions)$/,
  segments:
    /^(segments|utterances|lines|entries|chunks|sentences|timeline|transcript|transcription|captions|subtitles|quotes|passages|items|parts)$/,
  sounds: /^(sounds|events|labels|tags|detections|classes|categories|noises|sound|event)$/,
  keywords: /^(keywords|topics|terms|themes|subjects|entities)$/,
  points: /^(points|bullets|highlights|takeaways|ideas|summary)$/,
  clips: /^(clips|files|audios|recordings|tracks|results|items|inputs)$/,
  presence: /^(present|detected|contains|found|exists|heard|has|is|audible|speech|yes|match|matches)$/,
  title: /^(title|headline|name|filename|file)$/,
};
