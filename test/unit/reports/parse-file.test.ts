import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReportFile } from "../../../src/reports/index.js";
import { bigCoverageXml } from "./big-coverage.js";
import { FIXTURES, ROOT } from "./fixtures.js";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
let dir = "";
const big = bigCoverageXml({ bytes: 20 * 1024 * 1024, root: "/ws/src" });
let bigFile = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pylot-reports-"));
  bigFile = join(dir, "coverage.xml");
  await writeFile(bigFile, big.xml);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("parseReportFile", () => {
  it("parses a small report on the calling thread", async () => {
    const result = await parseReportFile(join(FIXTURES, "okcalc/coverage.xml"), "cobertura", {
      root: ROOT,
    });

    expect(result.ok && result.value.totals).toEqual({ covered: 3, statements: 5, percent: 60 });
  });

  it("parses a 20 MB coverage.xml in a worker thread, correctly", async () => {
    const result = await parseReportFile(bigFile, "cobertura", { root: "/ws/src" });

    expect(result.ok && result.value.files.length).toBe(big.files);
    expect(result.ok && result.value.totals).toEqual({
      covered: big.covered,
      statements: big.statements,
      percent: ((big.covered + big.branchesCovered) * 100) / (big.statements + big.branches),
      branches: { covered: big.branchesCovered, total: big.branches },
    });
  });

  it.each([
    {
      kind: "junit",
      file: "shop/junit.xml",
      check: (v: unknown) => (v as { tests: number }).tests === 6,
    },
    {
      kind: "bandit",
      file: "vault/bandit.json",
      check: (v: unknown) => (v as unknown[]).length === 4,
    },
    {
      kind: "flake8",
      file: "messy/flake8.txt",
      check: (v: unknown) => (v as unknown[]).length === 3,
    },
  ] as const)("gives the same answer through a worker for $kind", async ({ kind, file, check }) => {
    const result = await parseReportFile(join(FIXTURES, file), kind, {
      root: ROOT,
      workerThreshold: 0,
    });

    expect(result.ok && check(result.value)).toBe(true);
  });

  it("brings a worker's rejection back as data", async () => {
    const file = join(dir, "evil.xml");
    await writeFile(file, '<!DOCTYPE x [<!ENTITY a "b">]><coverage/>');

    const result = await parseReportFile(file, "cobertura", { workerThreshold: 0 });

    expect(result).toEqual({
      ok: false,
      reason: "coverage report rejected: it declares a DOCTYPE",
    });
  });

  it("refuses a file over the cap without reading it", async () => {
    const file = join(dir, "sparse.xml");
    await writeFile(file, "");
    await truncate(file, 40 * 1024 * 1024);

    const result = await parseReportFile(file, "cobertura");

    expect(result).toEqual({
      ok: false,
      reason: "coverage report rejected: it is larger than 32 MiB",
    });
  });

  it.each([
    {
      name: "a FIFO a job left behind",
      make: (path: string) => execFileSync("mkfifo", [path]),
      why: "it is not a regular file",
    },
    {
      name: "a folder",
      make: (path: string) => execFileSync("mkdir", [path]),
      why: "it is not a regular file",
    },
    { name: "nothing", make: () => undefined, why: "it is missing or cannot be read" },
  ])("refuses $name", async ({ make, why }) => {
    const path = join(dir, `odd-${why.length}-${Math.random().toString(36).slice(2)}`);
    make(path);

    const result = await parseReportFile(path, "junit");

    expect(result).toEqual({ ok: false, reason: `test report rejected: ${why}` });
  });

  it("stops a worker that takes too long", async () => {
    const result = await parseReportFile(join(FIXTURES, "shop/coverage.xml"), "cobertura", {
      workerThreshold: 0,
      timeoutMs: 1,
    });

    expect(result).toEqual({
      ok: false,
      reason: "coverage report rejected: parsing it took longer than 0.001 s",
    });
  });
});

describe("parseReportFile built with tsc", () => {
  it("finds worker.js beside itself and parses in it", async () => {
    const out = join(dir, "dist");
    const config = join(dir, "tsconfig.json");
    const options = {
      rootDir: join(REPO, "src/reports"),
      outDir: out,
      noEmit: false,
      sourceMap: false,
    };
    const tsconfig = {
      extends: join(REPO, "tsconfig.json"),
      compilerOptions: options,
      include: [join(REPO, "src/reports")],
    };
    await writeFile(config, JSON.stringify(tsconfig));
    // Type roots and runtime packages both resolve from the build's own folder, as in dist/.
    await symlink(join(REPO, "node_modules"), join(dir, "node_modules"));
    await run(process.execPath, [join(REPO, "node_modules/typescript/bin/tsc"), "-p", config]);
    await writeFile(join(dir, "package.json"), '{ "type": "module" }');
    const script = `
      import { parseReportFile } from ${JSON.stringify(join(out, "parse-file.js"))};
      const result = await parseReportFile(${JSON.stringify(join(FIXTURES, "shop/coverage.xml"))}, "cobertura", { root: ${JSON.stringify(ROOT)}, workerThreshold: 0 });
      process.stdout.write(JSON.stringify(result.ok ? result.value.totals : result));`;

    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dir,
    });

    expect(JSON.parse(stdout)).toEqual({
      covered: 35,
      statements: 42,
      percent: (41 * 100) / 52,
      branches: { covered: 6, total: 10 },
    });
  });
});
