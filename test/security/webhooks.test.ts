import { createHmac, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { Webhooks } from "@octokit/webhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import { pushPayload, serveConfig, serveTarball, sha } from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { SECRET, sign, startSignedPylot, type SignedPylot } from "./signed-server.js";

const gh = useGitHubStub();
let pylot: SignedPylot;

beforeEach(async () => {
  pylot = await startSignedPylot();
});
afterEach(async () => {
  await pylot.close();
});

const QUICK = `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -c 'import okcalc'", coverage: false }
`;

function headers(id: string, extra: Record<string, string>): Record<string, string> {
  return { "x-github-event": "push", "x-github-delivery": id, ...extra };
}

const body = JSON.stringify(pushPayload(sha("d1"), "refs/heads/forged"));
const sha1 = `sha1=${createHmac("sha1", SECRET).update(body).digest("hex")}`;
const good = sign(body);

describe("a webhook whose signature does not verify", () => {
  it.each([
    ["signed with another secret", { "x-hub-signature-256": sign(body, "not-the-secret") }],
    [
      "signed with the right length of zeros",
      { "x-hub-signature-256": `sha256=${"0".repeat(64)}` },
    ],
    ["one hex digit short", { "x-hub-signature-256": good.slice(0, -1) }],
    ["one hex digit long", { "x-hub-signature-256": `${good}0` }],
    ["the right digest without its prefix", { "x-hub-signature-256": good.slice(7) }],
    ["the right digest upper-cased", { "x-hub-signature-256": good.toUpperCase() }],
    ["empty", { "x-hub-signature-256": "" }],
    ["sha1 only (X-Hub-Signature)", { "x-hub-signature": sha1 }],
    ["missing", {}],
  ])("%s is refused before any work", async (_what, signature) => {
    const id = randomUUID();

    const status = await pylot.post(body, headers(id, signature));

    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(await pylot.store.findPipelineBySha("Codertocat/Hello-World", sha("d1"))).toBe(
      undefined,
    );
    // The delivery id was never recorded: recording it now is the first time.
    expect(await pylot.store.recordDelivery(id, "push")).toBe(true);
    expect(gh.unexpected).toEqual([]);
  });

  it("gets the same status however much of the digest matched", async () => {
    const near = `${good.slice(0, -1)}${good.endsWith("0") ? "1" : "0"}`;
    const far = `sha256=${"f".repeat(64)}`;

    const statuses = [
      await pylot.post(body, headers(randomUUID(), { "x-hub-signature-256": near })),
      await pylot.post(body, headers(randomUUID(), { "x-hub-signature-256": far })),
    ];

    expect(statuses[0]).toBe(statuses[1]);
  });
});

describe("a webhook larger than GitHub ever sends (25 MiB)", () => {
  const huge = JSON.stringify({ ...pushPayload(sha("d2")), padding: "x".repeat(26 << 20) });

  it.each([
    ["unsigned", good],
    ["correctly signed", sign(huge)],
  ])("%s, is refused with 413 before its signature is checked", async (_what, signature) => {
    const id = randomUUID();

    const status = await pylot.post(huge, headers(id, { "x-hub-signature-256": signature }));

    expect(status).toBe(413);
    expect(await pylot.store.findPipelineBySha("Codertocat/Hello-World", sha("d2"))).toBe(
      undefined,
    );
    expect(await pylot.store.recordDelivery(id, "push")).toBe(true);
    expect(gh.unexpected).toEqual([]);
  });

  it("announced by its Content-Length, is refused without reading a byte of it", async () => {
    let reads = 0;
    const body = new Readable({
      read() {
        reads += 1;
        this.push(null);
      },
    });

    const status = await pylot.send(body, {
      ...headers(randomUUID(), { "x-hub-signature-256": good }),
      "content-length": String(30 << 20),
    });

    expect(status).toBe(413);
    expect(reads).toBe(0);
  });

  it("sent chunked without a length, is cut off soon after the cap", async () => {
    let sent = 0;
    const chunk = Buffer.alloc(1 << 20, "x");
    const endless = Readable.from(
      (function* () {
        for (;;) {
          sent += 1;
          yield chunk;
        }
      })(),
    );

    const status = await pylot.send(
      endless,
      headers(randomUUID(), { "x-hub-signature-256": good }),
    );

    expect(status).toBe(413);
    // 26 chunks pass the cap; a stream reads a few ahead of its reader, never without end.
    expect(sent).toBeGreaterThan(25);
    expect(sent).toBeLessThan(60);
  });
});

describe("GitHub's signature test vector", () => {
  it("verifies with @octokit/webhooks, and fails with one byte changed", async () => {
    const webhooks = new Webhooks({ secret: "It's a Secret to Everybody" });
    const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    const results = [
      await webhooks.verify("Hello, World!", signature),
      await webhooks.verify("Hello, World?", signature),
    ];

    expect(results).toEqual([true, false]);
  });
});

describe("a replayed delivery", () => {
  it("delivered twice at once, then again later, runs one pipeline", async () => {
    const head = sha("d3");
    const api = gh.api();
    serveConfig(api, head, QUICK);
    await serveTarball(api, head, "ok");
    const checks = fakeChecks();
    const payload = JSON.stringify(pushPayload(head, "refs/heads/replayed"));
    const signed = headers("replayed-delivery", { "x-hub-signature-256": sign(payload) });

    const together = await Promise.all([pylot.post(payload, signed), pylot.post(payload, signed)]);
    await pylot.settle(head);
    const later = await pylot.post(payload, signed);
    await pylot.settle(head);

    expect([...together, later]).toEqual([200, 200, 200]);
    expect(checks.named("Pylot")).toHaveLength(1);
    expect(checks.named("Pylot / test (3.11, linux)")).toHaveLength(1);
    expect(checks.states(head)).toEqual([
      ["Pylot", "completed", "success"],
      ["Pylot / test (3.11, linux)", "completed", "success"],
    ]);
  });
});
