const MARK = "…";

/** At most `limit` characters (code points), the last one an ellipsis when cut. */
export function truncateChars(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let count = 0;
  let end = 0;
  for (const char of text) {
    if (count === limit) return `${text.slice(0, cutAt(text, limit - 1))}${MARK}`;
    count++;
    end += char.length;
  }
  return text.slice(0, end);
}

/** The UTF-16 index after the first `count` code points. */
function cutAt(text: string, count: number): number {
  let seen = 0;
  let end = 0;
  for (const char of text) {
    if (seen === count) break;
    seen++;
    end += char.length;
  }
  return end;
}

/** Cut to `limit` UTF-8 bytes on a character boundary, marked with an ellipsis. */
export function truncateBytes(text: string, limit: number): string {
  if (utf8Length(text) <= limit) return text;
  const room = limit - utf8Length(MARK);
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > room) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end) + MARK;
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
