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


/** Whether column `col` (0-based) of `line` is inside a string or a `#` comment. */
export function inCommentOrString(line: string, col: number): boolean {
  for (let i = 0; i < col && i < line.length; i++) {
    const c = line[i];
    if (c === "#") return true;
    if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') { if (line[i] === "\\") i++; i++; }
      if (i >= col) return true; // the string is still open at col
    }
  }
  return false;
}
