// Splits a composed answer into chunks for streaming (streamGenerateContent / SSE): at line and sentence ends,
// so that the chunks joined together are exactly the original text.

export interface SplitOptions {
  /** chunks longer than this are split further at spaces (default 400 characters) */
  maxChunkChars?: number;
}

/** Chunks of `text` ending at line breaks or sentence ends; `chunks.join('') === text` always holds. */
export function splitForStreaming(text: string, options: SplitOptions = {}): string[] {
  const max = Math.max(1, options.maxChunkChars ?? 400);
  if (!text) return [];
  const pieces: string[] = [];
  // a piece ends after a newline, or after sentence punctuation followed by whitespace (kept with the piece)
  const re = /[^\n]*?(?:\n|[.!?…]["'”’)\]]*\s+|$)/g;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    const piece = m && m[0].length ? m[0] : text.slice(pos);
    pieces.push(piece);
    pos += piece.length;
  }
  const out: string[] = [];
  for (const p of pieces) {
    if (p.length <= max) {
      out.push(p);
      continue;
    }
    let rest = p;
    while (rest.length > max) {
      const space = rest.lastIndexOf(' ', max);
      const cut = space > 0 ? space + 1 : max;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    if (rest) out.push(rest);
  }
  return out;
}
