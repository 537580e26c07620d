/** Applies LSP TextEdits to a string (positions in UTF-16 code units, as JS strings are). */
import type { TextEdit } from './lsp';
import type { Position } from './protocol';

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (ch === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return starts;
}

export function offsetAt(text: string, starts: number[], pos: Position): number {
  if (pos.line < 0) return 0;
  if (pos.line >= starts.length) return text.length;
  const start = starts[pos.line];
  let end = pos.line + 1 < starts.length ? starts[pos.line + 1] : text.length;
  // A position past the end of a line means its end, before the line break.
  while (end > start && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  return start + Math.max(0, Math.min(pos.character, end - start));
}

export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const starts = lineStarts(text);
  const spans = edits
    .map((e, i) => ({ from: offsetAt(text, starts, e.range.start), to: offsetAt(text, starts, e.range.end), text: e.newText, i }))
    .sort((a, b) => a.from - b.from || a.i - b.i);
  for (let k = 1; k < spans.length; k++) {
    if (spans[k].from < spans[k - 1].to) throw new Error('overlapping edits');
  }
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.to < s.from) throw new Error('edit range ends before it starts');
    out += text.slice(at, s.from) + s.text;
    at = s.to;
  }
  return out + text.slice(at);
}

/** The range covering a whole document. */
export function wholeDocumentRange(text: string): { start: Position; end: Position } {
  const starts = lineStarts(text);
  const last = starts.length - 1;
  return { start: { line: 0, character: 0 }, end: { line: last, character: text.length - starts[last] } };
}
