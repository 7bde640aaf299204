import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_SQLITE_PATH,
  StoreConfigError,
  openStore,
  resolveDatabaseUrl,
} from "../../../src/store/index.js";
import { jobsOf, pipelineRecord } from "../../helpers/store-contract.js";

const logger = pino({ level: "silent" });

describe("resolveDatabaseUrl", () => {
  it.each([
    { url: undefined, location: { kind: "sqlite", path: DEFAULT_SQLITE_PATH } },
    { url: "  ", location: { kind: "sqlite", path: DEFAULT_SQLITE_PATH } },
    { url: "sqlite:./var/pylot.db", location: { kind: "sqlite", path: "./var/pylot.db" } },
    { url: "sqlite:///srv/pylot.db", location: { kind: "sqlite", path: "/srv/pylot.db" } },
    { url: "SQLITE:rel.db", location: { kind: "sqlite", path: "rel.db" } },
    { url: "sqlite::memory:", location: { kind: "sqlite", path: ":memory:" } },
    { url: "/srv/pylot.db", location: { kind: "sqlite", path: "/srv/pylot.db" } },
    { url: "data/pylot.db", location: { kind: "sqlite", path: "data/pylot.db" } },
    { url: "C:\\pylot\\pylot.db", location: { kind: "sqlite", path: "C:\\pylot\\pylot.db" } },
    {
      url: "postgres://u:p@db/pylot",
      location: { kind: "postgres", url: "postgres://u:p@db/pylot" },
    },
    { url: "postgresql://db/pylot", location: { kind: "postgres", url: "postgresql://db/pylot" } },
  ])("reads $url", ({ url, location }) => {
    const resolved = resolveDatabaseUrl(url);

    expect(resolved).toEqual(location);
  });

  it.each([
    { url: "mysql://db/pylot", message: /unsupported scheme "mysql:".*sqlite:<path>/ },
    { url: "redis://cache:6379", message: /unsupported scheme "redis:"/ },
    { url: "sqlite:", message: /names no file/ },
  ])("refuses $url", ({ url, message }) => {
    const resolve = () => resolveDatabaseUrl(url);

    expect(resolve).toThrow(StoreConfigError);
    expect(resolve).toThrow(message);
  });
});

describe("openStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "pylot-open-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    { form: "sqlite:<path>", url: (d: string) => `sqlite:${join(d, "x", "pylot.db")}` },
    { form: "a bare path", url: (d: string) => join(d, "y", "pylot.db") },
  ])("opens $form, creating the folder", async ({ url }) => {
    const store = await openStore({ url: url(dir), logger });
    const pipeline = pipelineRecord("p1");

    await store.createPipeline(pipeline, jobsOf(pipeline));

    expect(await store.getPipeline("p1")).toEqual(pipeline);
    await store.close();
    expect(existsSync(url(dir).replace(/^sqlite:/, ""))).toBe(true);
  });

  it("opens ./data/pylot.db when no URL is set", async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = await openStore({ url: undefined, logger });
      await store.close();
    } finally {
      process.chdir(cwd);
    }

    expect(existsSync(join(dir, "data", "pylot.db"))).toBe(true);
  });

  it("opens an in-memory store", async () => {
    const store = await openStore({ url: "sqlite::memory:", logger });

    const first = await store.recordDelivery("d", "push");

    expect(first).toBe(true);
    await store.close();
  });

  it("explains an unreachable PostgreSQL server without echoing the password", async () => {
    const opened = openStore({ url: "postgres://pylot:s3cret@127.0.0.1:1/pylot", logger });

    await expect(opened).rejects.toThrow(StoreConfigError);
    await expect(opened).rejects.toThrow(/Cannot connect to PostgreSQL at 127\.0\.0\.1:1/);
    await expect(opened).rejects.not.toThrow(/s3cret/);
  });

  it("names the accepted forms for an unknown scheme", async () => {
    const opened = openStore({ url: "mongodb://db/pylot", logger });

    await expect(opened).rejects.toThrow(/sqlite:<path>.*bare file path.*sqlite::memory:/);
  });
});
