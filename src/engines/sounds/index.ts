// Public surface of the sound-event engine (YAMNet): construction, verification and score helpers.
export {
  createYamnet,
  verifyYamnet,
  sha256File,
  frameStarts,
  YAMNET_SHA256,
  YAMNET_FRAME,
  YAMNET_HOP_SECONDS,
  DEFAULT_EVENT_THRESHOLD,
} from './yamnet.js';
export type { YamnetEngine, YamnetOptions, ClassifyOptions, LastFramePolicy } from './yamnet.js';
export { topK, meanScores, mergeEvents, parseClassMap } from './scores.js';
export type { ScoredLabel, EventOptions } from './scores.js';
