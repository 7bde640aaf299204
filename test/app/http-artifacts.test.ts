import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { ArtifactRecord } from "../../src/engine/ports.js";
import { badgeToken } from "../../src/http/index.js";
import { REPO, pushPayload, sha } from "../helpers/github-app.js";
import {
  startPylotServer,
  useGitHubStubWithServer,
  type PylotServer,
} from "../integration/http/harness.js";

/**
 * Who may download which artifact. Repositories become known through real webhook deliveries
 * (a tag push: recorded, nothing built); artifacts are kept through the app's own store.
 */

useGitHubStubWithServer();
let pylot: PylotServer;

afterEach(async () => {
  await pylot.close();
});

const SECRET = "artifact-secret-for-tests";
const COMMIT = sha("c0");
const BASE = `/artifacts/${REPO}/${COMMIT}`;
const WHEEL = "hello_world-1.0-py3-none-any.whl";
const BYTES = Buffer.from("PK\u0003\u0004 not really a zip, but bytes are bytes");
const DIGEST = createHash("sha256").update(BYTES).digest("hex");

async function announce(options: { private: boolean }): Promise<void> {
  const payload: Record<string, unknown> = pushPayload(sha("0a"), "refs/tags/v1.0");
  const repository = { ...(payload["repository"] as object), private: options.private };
  await pylot.receive("push", { ...payload, repository });
}

async function keep(overrides: Partial<ArtifactRecord> = {}): Promise<ArtifactRecord> {
  const { artifacts } = pylot.services;
  await artifacts.files.put(Readable.from([BYTES]), { sha256: DIGEST, size: BYTES.length });
  const record: ArtifactRecord = {
    repo: REPO,
    sha: COMMIT,
    name: WHEEL,
    kind: "wheel",
    size: BYTES.length,
    sha256: DIGEST,
    job: "p1:build",
    createdAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    ...overrides,
  };
  await artifacts.index.saveArtifacts([record]);
  return record;
}

function token(kind: "artifacts" | "logs" | "status", secret = SECRET): string {
  return badgeToken({ secret, repo: REPO, kind });
}

describe("downloading an artifact of a public repository", () => {
  it("streams the file with its size, name and SHA-256", async () => {
    pylot = await startPylotServer();
    await announce({ private: false });
    await keep();

    const response = await pylot.get(`${BASE}/${WHEEL}`);
    const body = Buffer.from(await response.arrayBuffer());

    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="${WHEEL}"`,
      "content-length": String(BYTES.length),
      etag: `"${DIGEST}"`,
      "x-checksum-sha256": DIGEST,
    });
    expect(body).toEqual(BYTES);
  });

  it("answers HEAD with the headers only, and a matching If-None-Match with 304", async () => {
    pylot = await startPylotServer();
    await announce({ private: false });
    await keep();

    const head = await fetch(`${pylot.url}${BASE}/${WHEEL}`, { method: "HEAD" });
    const cached = await pylot.get(`${BASE}/${WHEEL}`, { "if-none-match": `"${DIGEST}"` });

    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(BYTES.length));
    expect(await head.text()).toBe("");
    expect(cached.status).toBe(304);
  });

  it("lists the commit's artifacts as JSON", async () => {
    pylot = await startPylotServer();
    await announce({ private: false });
    const record = await keep();

    const response = await pylot.get(BASE);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      repo: REPO,
      sha: COMMIT,
      artifacts: [
        {
          name: WHEEL,
          kind: "wheel",
          size: BYTES.length,
          sha256: DIGEST,
          job: "p1:build",
          createdAt: record.createdAt,
          expiresAt: record.expiresAt,
          url: `${BASE}/${WHEEL}`,
        },
      ],
    });
  });

  it.each([
    ["an unknown repository", `/artifacts/Codertocat/Nothing-Here/${COMMIT}/${WHEEL}`],
    ["an unknown commit", `/artifacts/${REPO}/${sha("c1")}/${WHEEL}`],
    ["an unknown name", `${BASE}/other-1.0.tar.gz`],
    ["a commit with no artifacts", `/artifacts/${REPO}/${sha("c1")}`],
  ])("is a 404 for %s", async (_what, path) => {
    pylot = await startPylotServer();
    await announce({ private: false });
    await keep();

    const response = await pylot.get(path);

    expect(response.status).toBe(404);
  });

  it("is a 404 once the artifact expired, and when its file is gone", async () => {
    pylot = await startPylotServer();
    await announce({ private: false });
    await keep({ name: "expired-1.0.tar.gz", kind: "sdist", expiresAt: new Date().toISOString() });
    await keep();
    const before = await pylot.get(`${BASE}/${WHEEL}`);
    await before.arrayBuffer();

    await rm(pylot.services.artifacts.files.pathOf(DIGEST));
    const gone = await pylot.get(`${BASE}/${WHEEL}`);
    const expired = await pylot.get(`${BASE}/expired-1.0.tar.gz`);

    expect([before.status, gone.status, expired.status]).toEqual([200, 404, 404]);
  });

  it.each([
    ["a parent folder", `${BASE}/..`],
    ["an encoded parent folder", `${BASE}/%2e%2e`],
    ["an encoded slash", `${BASE}/..%2F..%2Fetc%2Fpasswd`],
    ["a hidden name", `${BASE}/.env`],
    ["a short commit", `/artifacts/${REPO}/abc1234/${WHEEL}`],
    ["one folder too many", `${BASE}/${WHEEL}/more`],
    ["two tokens", `${BASE}/${WHEEL}?token=a&token=b`],
  ])("refuses %s with a 400", async (_what, path) => {
    pylot = await startPylotServer();
    await announce({ private: false });
    await keep();

    const response = await pylot.get(path);

    expect(response.status).toBe(400);
  });

  it("allows only GET and HEAD", async () => {
    pylot = await startPylotServer();

    const response = await fetch(`${pylot.url}${BASE}/${WHEEL}`, { method: "DELETE" });

    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("artifacts of a private repository", () => {
  it("need the repository's artifacts token: good, another secret's, another kind's, none", async () => {
    pylot = await startPylotServer({ env: { PYLOT_BADGE_SECRET: SECRET } });
    await announce({ private: true });
    await keep();

    const statuses = await Promise.all(
      [
        `${BASE}/${WHEEL}?token=${token("artifacts")}`,
        `${BASE}?token=${token("artifacts")}`,
        `${BASE}/${WHEEL}?token=${token("artifacts", "other-secret")}`,
        `${BASE}/${WHEEL}?token=${token("logs")}`,
        `${BASE}/${WHEEL}?token=${token("status")}`,
        `${BASE}/${WHEEL}`,
        BASE,
      ].map(async (path) => (await pylot.get(path)).status),
    );

    expect(statuses).toEqual([200, 200, 404, 404, 404, 404, 404]);
  });

  it("answer exactly like an unknown repository without the token", async () => {
    pylot = await startPylotServer({ env: { PYLOT_BADGE_SECRET: SECRET } });
    await announce({ private: true });
    await keep();

    const hidden = await pylot.get(`${BASE}/${WHEEL}`);
    const unknown = await pylot.get(`/artifacts/Codertocat/Nothing-Here/${COMMIT}/${WHEEL}`);

    expect([hidden.status, unknown.status]).toEqual([404, 404]);
    expect(await hidden.text()).toBe(await unknown.text());
    const headers = (r: Response) => [...r.headers].filter(([k]) => k !== "date");
    expect(headers(hidden)).toEqual(headers(unknown));
  });

  it("are not served at all without PYLOT_BADGE_SECRET", async () => {
    pylot = await startPylotServer();
    await announce({ private: true });
    await keep();

    const response = await pylot.get(`${BASE}/${WHEEL}?token=${token("artifacts")}`);

    expect(response.status).toBe(404);
  });
});
