import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort, startProcess, type Proc } from "../e2e/processes.js";

/**
 * `npm start` (Probot's CLI on dist/index.js) and its WEBHOOK_SECRET: Probot falls back to the
 * public secret "development" when it is unset, so the app refuses to start instead.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const exec = promisify(execFile);
let workdir = "";
let pem = "";
const procs: Proc[] = [];

beforeAll(async () => {
  await exec("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT }).catch(() => undefined);
  await access(join(ROOT, "dist/index.js"));
  pem = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  workdir = await mkdtemp(join(tmpdir(), "pylot-sec-start-"));
}, 120_000);

afterAll(async () => {
  for (const proc of procs) await proc.kill9();
  await rm(workdir, { recursive: true, force: true });
});

function start(env: Record<string, string>, port: number): Proc {
  const proc = startProcess({
    name: `bot-${procs.length}`,
    args: ["node_modules/probot/bin/probot.js", "run", "./dist/index.js"],
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      APP_ID: "4545",
      PRIVATE_KEY: pem,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_FORMAT: "json",
      PYLOT_DATABASE_URL: `sqlite:${join(workdir, `pylot-${procs.length}.db`)}`,
      PYLOT_WORKDIR: workdir,
      PYLOT_PYTHONS: "3.11=/usr/bin/python3",
      ...env,
    },
  });
  procs.push(proc);
  return proc;
}

describe("npm start", { timeout: 120_000 }, () => {
  it.each([
    ["unset", {}, /WEBHOOK_SECRET is not set/],
    ["empty", { WEBHOOK_SECRET: "" }, /WEBHOOK_SECRET is not set/],
    [
      "Probot's default in production",
      { WEBHOOK_SECRET: "development", NODE_ENV: "production" },
      /WEBHOOK_SECRET is Probot's public default/,
    ],
  ])("refuses to start with WEBHOOK_SECRET %s, saying why", async (_what, env, message) => {
    const port = await freePort();

    const proc = start(env, port);
    const code = await proc.exited;

    expect(code).not.toBe(0);
    expect(proc.output()).toMatch(message);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it("starts with a WEBHOOK_SECRET of its own", async () => {
    const port = await freePort();

    start({ WEBHOOK_SECRET: "a-secret-of-our-own" }, port);

    await vi.waitFor(
      async () => {
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      },
      { timeout: 60_000, interval: 200 },
    );
  });
});
