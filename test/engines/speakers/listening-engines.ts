// The real listening engines the diarization tests run the pipeline with (Silero VAD, PocketSphinx, Resemblyzer's
// real weights): loaded before a test file's tests, closed after them.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { PipelineEngines } from '../../../src/analysis/pipeline.js';
import { loadListeningEngines } from '../../../src/engines/registry.js';
import { resolveConfig } from '../../../src/config.js';
import { tempDir } from '../../helpers.js';
import { testModel } from '../../models/paths.js';

/** Registers the hooks; the returned function gives the engines once `before` has run. */
export function diarizationEngines(): () => PipelineEngines {
  const tmp = tempDir();
  let engines: PipelineEngines | undefined;
  before(async () => {
    const config = resolveConfig({
      offline: true,
      modelsDir: path.join(tmp.dir, 'models'),
      engines: { speech: 'pocketsphinx', sounds: 'none', speakerModel: testModel('resemblyzer') },
    });
    engines = await loadListeningEngines(config, { info() {}, warn() {} });
    assert.ok(engines.vad && engines.speech && engines.speakers, `engines missing: ${engines.warnings.join('; ')}`);
  });
  after(async () => {
    await Promise.all([engines?.vad?.close?.(), engines?.speech?.close?.(), engines?.speakers?.close()]);
    tmp.cleanup();
  });
  return () => {
    assert.ok(engines, 'engines are loaded in before()');
    return engines;
  };
}
