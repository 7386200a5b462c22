/**
 * Placing citations (canonical.ts `Citation`) in an output text, for the encoders whose wire gives
 * a citation a span of the whole answer: OpenAI Chat `annotations[].url_citation` and Responses
 * `output_text.annotations[]` (`start_index` / `end_index`, characters of the text, counted here
 * in UTF-16 code units as JavaScript clients slice them), Gemini `groundingSupports[].segment`
 * (`startIndex` / `endIndex`, bytes of the UTF-8 text: see `utf8Offset`).
 */
import type { Citation } from './canonical';

/** A citation with its span in the whole output text, UTF-16 code units, `[start, end)`. */
export interface PlacedCitation {
  citation: Citation;
  start: number;
  end: number;
}

/**
 * The span in the output text of a citation of a text part that begins at `partStart` and is
 * `partLength` long: its own span moved by `partStart` (clamped to the part), or the whole part.
 */
export function place(citation: Citation, partStart: number, partLength: number): PlacedCitation {
  const clamp = (n: number) => Math.min(Math.max(0, Math.floor(n)), partLength);
  const start = citation.start === undefined ? 0 : clamp(citation.start);
  const end = citation.end === undefined ? partLength : Math.max(start, clamp(citation.end));
  return { citation, start: partStart + start, end: partStart + end };
}

/** Citations of consecutive text parts, placed in their concatenation (a Chat message's `content`). */
export function placeAll(parts: Array<{ text: string; citations?: Citation[] }>): PlacedCitation[] {
  const out: PlacedCitation[] = [];
  let at = 0;
  for (const p of parts) {
    for (const c of p.citations ?? []) out.push(place(c, at, p.text.length));
    at += p.text.length;
  }
  return out;
}

/** The UTF-8 byte offset of UTF-16 offset `index` in `text` (a lone surrogate counts 3 bytes, as it is encoded). */
export function utf8Offset(text: string, index: number): number {
  return new TextEncoder().encode(text.slice(0, index)).length;
}

/** The UTF-16 offset of UTF-8 byte offset `bytes` in `text` (a byte inside a character rounds up to its end). */
export function utf16Offset(text: string, bytes: number): number {
  let b = 0;
  let i = 0;
  while (i < text.length && b < bytes) {
    const cp = text.codePointAt(i)!;
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return i;
}

/**
 * Stream side: follows the text blocks as they go out, so a block's citations can be placed in the
 * whole output when the block ends (an Anthropic citation covers its block, whose length is only
 * known then). Blocks are taken to follow each other in the output in the order of their first text.
 */
export class CitationTracker {
  private total = 0;
  private blocks = new Map<number, { start: number; length: number; citations: Citation[] }>();

  private block(index: number) {
    let b = this.blocks.get(index);
    if (!b) this.blocks.set(index, (b = { start: this.total, length: 0, citations: [] }));
    return b;
  }

  /** Text of block `index` went out. */
  text(index: number, text: string): void {
    const b = this.block(index);
    b.length += text.length;
    this.total += text.length;
  }

  /** A citation of block `index`. */
  cite(index: number, citation: Citation): void {
    this.block(index).citations.push(citation);
  }

  /** Block `index` ended: its citations, placed (none when it had none). */
  end(index: number): PlacedCitation[] {
    const b = this.blocks.get(index);
    if (!b) return [];
    this.blocks.delete(index);
    return b.citations.map((c) => place(c, b.start, b.length));
  }

  /** Citations of blocks never ended (a stream cut short), placed. */
  endAll(): PlacedCitation[] {
    return [...this.blocks.keys()].flatMap((i) => this.end(i));
  }
}
