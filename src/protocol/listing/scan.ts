/**
 * Small helpers shared by the listing parsers. They read characters of a
 * larger string by position, so a parser never has to cut a line into
 * substrings just to look at it.
 */

/** Decimal value of text[from, to) when it is 1-`max` ASCII digits, else -1. */
export function intAt(text: string, from: number, to: number, max: number): number {
  if (to <= from || to - from > max) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** True when text[from, to) is one or more ASCII digits. */
export function isDigitsAt(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return to > from;
}

/** Value of an all-digit run; arithmetic up to 15 digits (exact in a double). */
export function digitsValue(text: string, from: number, to: number): number {
  if (to - from > 15) return Number(text.slice(from, to));
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (text.charCodeAt(i) - 48);
  return v;
}

/**
 * True when text[from, from + lower.length) equals `lower` ignoring ASCII
 * case. `lower` must be lower-case.
 */
export function equalsLowerAt(text: string, from: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = text.charCodeAt(from + i);
    if (c >= 65 && c <= 90) c |= 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Remembers the last few distinct short strings cut from listings. Owner,
 * group, permissions and type values repeat on nearly every line; handing
 * out the same string again saves an allocation per field per entry, which
 * matters when a listing has 100,000 entries.
 */
export class RecentStrings {
  private readonly items: string[] = [];
  private next = 0;
  constructor(private readonly size: number) {}

  get(text: string, from: number, to: number): string {
    const len = to - from;
    const items = this.items;
    search: for (let k = 0; k < items.length; k++) {
      const s = items[k]!;
      if (s.length !== len) continue;
      for (let i = 0; i < len; i++) if (s.charCodeAt(i) !== text.charCodeAt(from + i)) continue search;
      return s;
    }
    const s = text.slice(from, to);
    items[this.next] = s;
    this.next = (this.next + 1) % this.size;
    return s;
  }
}
