import type { Conclusion } from "../pipeline/types.js";

/** GitHub rejects check run `output.summary` and `output.text` longer than this. */
export const OUTPUT_LIMIT = 65_535;

const ICONS: Readonly<Record<Conclusion | "action_required", string>> = {
  success: "✅",
  failure: "❌",
  cancelled: "🚫",
  timed_out: "⏱️",
  skipped: "⏭️",
  neutral: "➖",
  action_required: "✋",
};

export function conclusionLabel(conclusion: Conclusion | "action_required" | null): string {
  if (conclusion === null) return "⏳ pending";
  return `${ICONS[conclusion]} ${conclusion.replace("_", " ")}`;
}

/** Escapes what would break a table cell or start markup in user-controlled text. */
export function cell(text: string): string {
  return text.replace(/[\\|`*_<>[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

export function duration(from: string | null | undefined, to: string | null | undefined): string {
  if (from === null || from === undefined || to === null || to === undefined) return "";
  const ms = Date.parse(to) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Keeps the start of `text`, cut at `limit` characters with a note saying so. */
export function capHead(text: string, limit = OUTPUT_LIMIT): string {
  if (text.length <= limit) return text;
  const note = "\n\n… (cut to fit GitHub's limit)";
  return text.slice(0, limit - note.length) + note;
}

/**
 * A log tail as a fenced block, keeping its end (where errors are) within `limit`. The fence is
 * longer than any backtick run in the log, so the log cannot close it.
 */
export function logBlock(log: string, limit = OUTPUT_LIMIT): string {
  const longest = Math.max(2, ...[...log.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const head = `Log tail (secrets redacted):\n\n${fence}text\n`;
  const tail = `\n${fence}`;
  const room = limit - head.length - tail.length;
  const marker = "… (earlier lines cut)\n";
  const body = log.length <= room ? log : marker + log.slice(log.length - (room - marker.length));
  return head + body + tail;
}

export function firstLine(text: string | undefined, limit = 200): string {
  const line = (text ?? "").split(/\r?\n/, 1)[0]?.trim() ?? "";
  return line.length <= limit ? line : `${line.slice(0, limit - 1)}…`;
}
