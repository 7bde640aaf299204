/** Shorter values are not redacted: masking "a" or "on" would shred every line of a log. */
export const MIN_SECRET_LENGTH = 4;
export const MASK = "***";

export interface Redactor {
  /** False when there is nothing to mask (the job has no secrets of masking length). */
  readonly active: boolean;
  /** Masks every secret in a complete piece of text. */
  readonly redact: (text: string) => string;
  /**
   * For a line too long to hold until its end: masks and returns the part that can safely be
   * written now, keeping back the tail a secret could still be starting in.
   */
  readonly redactPrefix: (text: string) => { readonly emit: string; readonly rest: string };
}

/** Values to mask: each secret, and each line of a multi-line secret (logs are line-based). */
export function secretNeedles(secrets: readonly string[]): string[] {
  const needles = new Set<string>();
  for (const secret of secrets) {
    const lines = secret.includes("\n") ? secret.split(/\r?\n/).map((line) => line.trim()) : [];
    for (const value of [secret, ...lines]) {
      if (value.length >= MIN_SECRET_LENGTH) needles.add(value);
    }
  }
  // Longest first, so a secret that contains another is masked whole.
  return [...needles].sort((a, b) => b.length - a.length);
}

function escape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function createRedactor(secrets: readonly string[]): Redactor {
  const needles = secretNeedles(secrets);
  if (needles.length === 0) {
    return {
      active: false,
      redact: (text) => text,
      redactPrefix: (text) => ({ emit: text, rest: "" }),
    };
  }
  const pattern = new RegExp(needles.map(escape).join("|"), "g");
  const longest = needles[0]?.length ?? 0;
  return {
    active: true,
    redact: (text) => text.replace(pattern, MASK),
    redactPrefix: (text) => {
      // A match starting before `safe` ends inside `text`, so it is already complete.
      const safe = Math.max(0, text.length - (longest - 1));
      let emit = "";
      let last = 0;
      for (const match of text.matchAll(pattern)) {
        if (match.index >= safe) break;
        emit += text.slice(last, match.index) + MASK;
        last = match.index + match[0].length;
      }
      const cut = Math.max(safe, last);
      return { emit: emit + text.slice(last, cut), rest: text.slice(cut) };
    },
  };
}
