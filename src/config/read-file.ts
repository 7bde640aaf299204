import { open, stat } from "node:fs/promises";

/** Config files larger than this are refused unread: no real config comes near it. */
export const MAX_CONFIG_BYTES = 256 * 1024;

export type ConfigFileRead =
  | { readonly kind: "ok"; readonly text: string }
  | { readonly kind: "missing" }
  | { readonly kind: "too-large"; readonly bytes: number }
  | { readonly kind: "unreadable"; readonly reason: string };

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a directory",
  ELOOP: "too many symbolic links",
};

function unreadable(error: unknown): ConfigFileRead {
  const code = errorCode(error);
  if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
  const reason = (code === undefined ? undefined : REASONS[code]) ?? code ?? String(error);
  return { kind: "unreadable", reason };
}

/**
 * Reads a config file as UTF-8 with its size checked first, so a huge file or a FIFO is refused
 * instead of read or waited on.
 */
export async function readConfigFile(path: string): Promise<ConfigFileRead> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { kind: "unreadable", reason: "it is a directory" };
    if (!info.isFile()) return { kind: "unreadable", reason: "it is not a regular file" };
    if (info.size > MAX_CONFIG_BYTES) return { kind: "too-large", bytes: info.size };
    const handle = await open(path, "r");
    try {
      // Read one byte past the limit: the file may have grown since stat.
      const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
      let filled = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
        filled += bytesRead;
        if (bytesRead === 0 || filled === buffer.length) break;
      }
      if (filled > MAX_CONFIG_BYTES) return { kind: "too-large", bytes: filled };
      return { kind: "ok", text: buffer.toString("utf8", 0, filled) };
    } finally {
      await handle.close();
    }
  } catch (error: unknown) {
    return unreadable(error);
  }
}

/** "is 300 KiB; Pylot reads config files up to 256 KiB". */
export function tooLargeMessage(bytes: number): string {
  const kib = Math.ceil(bytes / 1024);
  return `the file is ${kib} KiB; Pylot reads config files up to ${MAX_CONFIG_BYTES / 1024} KiB`;
}
