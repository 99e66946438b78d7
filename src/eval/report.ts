// Formats an evaluation result for `earshot eval`: markdown tables (one section per part) or JSON.

import type { EvalResult } from './runner.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const fx = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}×` : '—');
const files = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

/** Markdown tables for an EvalResult: one section per part, per-file rows then a total row. */
export function formatEvalTable(result: EvalResult): string {
  const out: string[] = [`# earshot eval — ${result.dir}`, ''];
  if (result.speech) {
    const { rows, total, engine } = result.speech;
    out.push(
      `## Speech (${engine})`,
      '',
      '| file | WER | sub | del | ins | words | speed | language | hypothesis |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const r of rows) {
      out.push(
        `| ${cell(r.file)} | ${pct(r.wer)} | ${r.substitutions} | ${r.deletions} | ${r.insertions} | ${r.refWords} | ` +
          `${r.error ? '—' : fx(r.durationSec / r.seconds)} | ${r.language ?? '—'} | ${cell(r.error ? `ERROR: ${r.error}` : r.hypothesis)} |`,
      );
    }
    out.push(
      `| **total** | **${pct(total.wer)}** | ${total.substitutions} | ${total.deletions} | ${total.insertions} | ` +
        `${total.refWords} | ${fx(total.xRealtime)} | | |`,
      '',
    );
  }
  if (result.sounds) {
    const { rows, total, engine } = result.sounds;
    out.push(`## Sounds (${engine})`, '', '| file | what | top-5 | accepted rank | top 5 | speed |', '|---|---|---|---|---|---|');
    for (const r of rows) {
      const top = r.error ? `ERROR: ${r.error}` : r.top.map((t) => `${t.label} ${t.score.toFixed(2)}`).join(', ');
      out.push(
        `| ${cell(r.file)} | ${cell(r.what)} | ${r.correct ? 'yes' : 'no'} | ` +
          `${Number.isFinite(r.bestAcceptedRank) ? r.bestAcceptedRank : '—'} | ${cell(top)} | ${r.error ? '—' : fx(r.durationSec / r.seconds)} |`,
      );
    }
    out.push(`| **total** | | **${total.correct}/${total.count} (${pct(total.top5Accuracy)})** | | | ${fx(total.xRealtime)} |`, '');
  }
  if (result.vad) {
    const { rows, total, engine, reference } = result.vad;
    out.push(
      `## VAD (${engine}; reference: ${reference === 'labelled' ? 'vad/regions.tsv' : 'speech clips placed in -60 dBFS noise, energy-based reference'})`,
      '',
      '| file | accuracy | precision | recall | F1 | ref speech s | found s | speed |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const r of rows) {
      out.push(
        r.error
          ? `| ${cell(r.file)} | ERROR: ${cell(r.error)} | | | | | | |`
          : `| ${cell(r.file)} | ${pct(r.accuracy)} | ${pct(r.precision)} | ${pct(r.recall)} | ${pct(r.f1)} | ` +
              `${r.refSpeechSec.toFixed(2)} | ${r.hypSpeechSec.toFixed(2)} | ${fx(r.durationSec / r.seconds)} |`,
      );
    }
    out.push(
      `| **total** | **${pct(total.accuracy)}** | ${pct(total.precision)} | ${pct(total.recall)} | ${pct(total.f1)} | | | ${fx(total.xRealtime)} |`,
      '',
    );
  }
  if (result.speakers) {
    const { rows, total, engine } = result.speakers;
    out.push(
      `## Diarization (${engine}; DER with a 0.25 s collar where the truth gives turns)`,
      '',
      '| file | truth | speakers true / found | count | DER | missed s | false alarm s | confusion s | speed |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    const s = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(2));
    for (const r of rows) {
      out.push(
        r.error
          ? `| ${cell(r.file)} | ${r.source} | ${r.trueSpeakers} / — | ERROR: ${cell(r.error)} | | | | | |`
          : `| ${cell(r.file)} | ${r.source} | ${r.trueSpeakers} / ${r.foundSpeakers} | ${r.countCorrect ? 'yes' : 'no'} | ` +
              `${r.der === undefined ? '—' : pct(r.der)} | ${s(r.missed)} | ${s(r.falseAlarm)} | ${s(r.confusion)} | ${fx(r.durationSec / r.seconds)} |`,
      );
    }
    out.push(
      `| **total** | | | **${total.countCorrect}/${total.count} (${pct(total.countAccuracy)})** | ` +
        `**${total.der === undefined ? '—' : pct(total.der)}**${total.derFiles ? ` (${files(total.derFiles)})` : ''} | | | | ${fx(total.xRealtime)} |`,
      '',
    );
  }
  out.push(...summary(result));
  return out.join('\n');
}

/** One line per part: the headline figure of each, as the README quotes them. */
function summary(result: EvalResult): string[] {
  const lines: string[] = [];
  if (result.speech) lines.push(`- speech WER: ${pct(result.speech.total.wer)} (${result.speech.engine})`);
  if (result.sounds) lines.push(`- sounds top-5: ${result.sounds.total.correct}/${result.sounds.total.count}`);
  if (result.vad) lines.push(`- VAD frame accuracy: ${pct(result.vad.total.accuracy)}`);
  if (result.speakers) {
    const t = result.speakers.total;
    lines.push(
      `- speaker count right: ${t.countCorrect}/${t.count} (${pct(t.countAccuracy)}); DER: ${t.der === undefined ? '— (no clip has true turns)' : `${pct(t.der)} over ${files(t.derFiles)}`}`,
    );
  }
  return lines.length ? ['## Summary', '', ...lines, ''] : [];
}

/** The result as pretty-printed JSON (non-finite numbers, e.g. an unranked label, become null). */
export function formatEvalJson(result: EvalResult): string {
  return JSON.stringify(result, null, 2);
}
