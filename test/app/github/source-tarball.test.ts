import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SourceTooLargeError, createSourceFetcher } from "../../../src/github/source-tarball.js";
import { silentLog, testOctokit, useGitHubStub } from "../../helpers/github.js";

const SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const REF = {
  kind: "github",
  repo: "Codertocat/Hello-World",
  sha: SHA,
  installationId: 1,
} as const;
const gh = useGitHubStub();
let dir = "";

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pylot-tarball-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fetcher(maxBytes?: number) {
  const octokit = testOctokit();
  return createSourceFetcher({
    octokitFor: () => Promise.resolve(octokit),
    logger: silentLog,
    ...(maxBytes === undefined ? {} : { maxBytes }),
  });
}

describe("the source fetcher", () => {
  it("follows GitHub's redirect to the archive host without sending the token there", async () => {
    const archive = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    gh.api()
      .get(`/repos/Codertocat/Hello-World/tarball/${SHA}`)
      .matchHeader("authorization", "token test-token")
      .reply(302, "", {
        location: `https://codeload.github.com/Codertocat/Hello-World/legacy.tar.gz/${SHA}?token=t`,
      });
    nock("https://codeload.github.com", { badheaders: ["authorization"] })
      .get(`/Codertocat/Hello-World/legacy.tar.gz/${SHA}`)
      .query({ token: "t" })
      .reply(200, archive, { "content-type": "application/x-gzip" });
    const dest = join(dir, "source.tar.gz");

    await fetcher()(REF, dest);

    expect(await readFile(dest)).toEqual(archive);
  });

  it("stops and removes the file when the archive is larger than allowed", async () => {
    gh.api()
      .get(`/repos/Codertocat/Hello-World/tarball/${SHA}`)
      .reply(200, Buffer.alloc(5000), { "content-type": "application/x-gzip" });
    const dest = join(dir, "source.tar.gz");

    const fetching = fetcher(1000)(REF, dest);

    await expect(fetching).rejects.toBeInstanceOf(SourceTooLargeError);
    await expect(stat(dest)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("downloads a commit once for all its jobs when given a cache folder", async () => {
    const archive = Buffer.from("not really gzip, but bytes all the same");
    gh.api()
      .get(`/repos/Codertocat/Hello-World/tarball/${SHA}`)
      .reply(200, archive, { "content-type": "application/x-gzip" });
    const octokit = testOctokit();
    const fetch = createSourceFetcher({
      octokitFor: () => Promise.resolve(octokit),
      logger: silentLog,
      cacheDir: join(dir, "cache"),
    });

    await Promise.all([fetch(REF, join(dir, "a.tar.gz")), fetch(REF, join(dir, "b.tar.gz"))]);
    await fetch(REF, join(dir, "c.tar.gz"));

    const copies = await Promise.all(
      ["a", "b", "c"].map((n) => readFile(join(dir, `${n}.tar.gz`))),
    );
    expect(copies).toEqual([archive, archive, archive]);
  });

  it("fails on a missing commit", async () => {
    gh.api()
      .get(`/repos/Codertocat/Hello-World/tarball/${SHA}`)
      .reply(404, { message: "Not Found" });

    const fetching = fetcher()(REF, join(dir, "x.tar.gz"));

    await expect(fetching).rejects.toMatchObject({ status: 404 });
  });
});
