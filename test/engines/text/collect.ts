// Drains a TextGenerator: its chunks, their concatenation and the result it returned.
import type { TextGenerator, TextRequest, TextResult } from '../../../src/engines/types.js';

export async function collect(gen: TextGenerator, request: TextRequest): Promise<{ chunks: string[]; text: string; result: TextResult }> {
  const it = gen.generate(request);
  const chunks: string[] = [];
  for (;;) {
    const step = await it.next();
    if (step.done) return { chunks, text: chunks.join(''), result: step.value };
    chunks.push(step.value.text);
  }
}
