// Small text helpers shared by the language mode and the object scanner.

/** Offset of the brace that closes the `{` at `open`, skipping strings and comments; -1 if none. */
export function matchBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== "\n") { if (text[i] === "\\") i++; i++; }
    } else if (c === 35 /* # */) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === 123) depth++;
    else if (c === 125) { depth--; if (depth === 0) return i; }
  }
  return -1;
}

