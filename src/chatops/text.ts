/** Control, format (bidi overrides, zero-width), surrogate and private-use characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}]/gu;

/**
 * Free text from a comment made safe to store and show: invisible characters removed, every
 * run of whitespace one space, trimmed, at most `max` characters (never half a character).
 */
export function sanitizeText(text: string, max: number): string {
  const clean = text
    .replace(/[\t\n\v\f\r]/g, " ")
    .replace(INVISIBLE, "")
    .replace(/\s+/gu, " ")
    .trim();
  const chars = Array.from(clean);
  return chars.length <= max ? clean : chars.slice(0, max).join("").trimEnd();
}

const ZERO_WIDTH_SPACE = "&#8203;";

/**
 * Plain text → markdown that shows it as written, inline: no HTML, no formatting, no links,
 * and no @mention or cross-reference that would notify anyone.
 */
export function escapeText(text: string): string {
  return sanitizeText(text, Number.MAX_SAFE_INTEGER)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]()|~!{}]/g, (char) => `\\${char}`)
    .replace(/([@#])/g, `$1${ZERO_WIDTH_SPACE}`)
    .replace(/:\/\//g, `:${ZERO_WIDTH_SPACE}//`);
}

/** A name made only of `[A-Za-z0-9._-]` (validated env names, logins) as inline code. */
export function code(name: string): string {
  return /^[A-Za-z0-9._-]+$/.test(name) ? `\`${name}\`` : escapeText(name);
}

/** A commit as GitHub shows it, in code. */
export function commit(sha: string): string {
  return code(sha.slice(0, 7));
}

/** A markdown link to an http(s) URL the bot built itself; anything else is left out. */
export function link(label: string, url: string | undefined): string {
  if (url === undefined || !/^https?:\/\/[^\s<>"'`()[\]]+$/.test(url)) return "";
  return `[${label}](${url})`;
}
