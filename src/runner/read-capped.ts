import { open, stat } from "node:fs/promises";

/**
 * The first `limit` bytes of a regular file as UTF-8, or undefined when it is missing or not a
 * regular file (a FIFO planted by a job would block a read forever). Files written by jobs are
 * untrusted: they are never read whole.
 */
export async function readCapped(path: string, limit: number): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    const handle = await open(path, "r");
    try {
      const buffer = Buffer.alloc(Math.min((await handle.stat()).size, limit));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}
