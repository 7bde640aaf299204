import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobLog } from "../../../src/runner/job-log.js";
import { createRedactor } from "../../../src/runner/redact.js";
import { removeDir, tempDir } from "./harness.js";

const SECRET = "tok-1234567890";

describe("JobLog", () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir, "job.log");
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  const open = (options: { tailBytes?: number; maxFileBytes?: number } = {}) =>
    new JobLog({
      file,
      redactor: createRedactor([SECRET]),
      tailBytes: options.tailBytes ?? 1024,
      maxFileBytes: options.maxFileBytes ?? 1024 * 1024,
    });

  it("masks a secret split across chunks, and across a multi-byte character", async () => {
    const log = open();
    const sink = log.sink();
    const bytes = Buffer.from(`é ${SECRET} é\nnext\n`);

    for (const chunk of [
      bytes.subarray(0, 1),
      bytes.subarray(1, 8),
      bytes.subarray(8, 20),
      bytes.subarray(20),
    ]) {
      sink.write(chunk);
    }
    sink.end();
    await log.close();

    expect(await readFile(file, "utf8")).toBe("é *** é\nnext\n");
    expect(log.tail()).toBe("é *** é\nnext\n");
  });

  it("ends a last line without a newline, and masks our own lines too", async () => {
    const log = open();
    const sink = log.sink();

    log.line(`$ deploy --token ${SECRET}`);
    sink.write(Buffer.from("no newline at the end"));
    sink.end();
    await log.close();

    expect(await readFile(file, "utf8")).toBe("$ deploy --token ***\nno newline at the end\n");
  });

  it("writes very long lines in parts without letting a secret through", async () => {
    const log = open({ tailBytes: 300 * 1024 });
    const sink = log.sink();
    const line = `${"a".repeat(64 * 1024 - 5)}${SECRET}${"b".repeat(70 * 1024)}\n`;

    for (let i = 0; i < line.length; i += 4096) sink.write(Buffer.from(line.slice(i, i + 4096)));
    sink.end();
    await log.close();

    const written = await readFile(file, "utf8");
    expect(written).not.toContain(SECRET);
    expect(written).toBe(line.replace(SECRET, "***"));
  });

  it("keeps a tail that starts at a line and fits its size", async () => {
    const log = open({ tailBytes: 40 });

    for (let i = 0; i < 20; i += 1) log.line(`line number ${i}`);
    await log.close();

    expect(log.tail()).toBe("line number 18\nline number 19\n");
  });

  it("stops job.log at its cap but keeps the tail", async () => {
    const log = open({ maxFileBytes: 100, tailBytes: 100 });

    for (let i = 0; i < 50; i += 1) log.line(`line number ${i}`);
    await log.close();

    const written = await readFile(file, "utf8");
    expect(written).toMatch(
      /^line number 0\n[\s\S]*\[pylot\] job\.log stops here \(100 bytes\)\n$/,
    );
    expect(log.tail()).toContain("line number 49\n");
  });
});
