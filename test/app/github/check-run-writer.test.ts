import { describe, expect, it } from "vitest";
import { CheckRunWriter, type CreatedRun } from "../../../src/github/check-run-writer.js";
import type { DesiredCheck } from "../../../src/github/desired-checks.js";
import { bodies, silentLog, testOctokit, useGitHubStub } from "../../helpers/github.js";

const SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const REPO = "/repos/Codertocat/Hello-World";
const gh = useGitHubStub();

function writer(created: CreatedRun[] = []) {
  const octokit = testOctokit();
  return new CheckRunWriter({
    checks: () => Promise.resolve(octokit.rest.checks),
    owner: "Codertocat",
    repo: "Hello-World",
    logger: silentLog,
    onCreated: (run) => {
      created.push(run);
      return Promise.resolve();
    },
  });
}

const lint = (status: DesiredCheck["status"], extra: Partial<DesiredCheck> = {}): DesiredCheck => ({
  ref: { kind: "job", jobId: "p1:lint", attempt: 1 },
  name: "Pylot / lint",
  headSha: SHA,
  status,
  title: status,
  summary: `lint is ${status}`,
  ...extra,
});

describe("CheckRunWriter", () => {
  it("creates a check run once, then updates it", async () => {
    const sent = bodies();
    gh.api()
      .post(`${REPO}/check-runs`, sent.keep)
      .reply(201, { id: 11, html_url: "https://github.com/r/11" })
      .patch(`${REPO}/check-runs/11`, sent.keep)
      .reply(200, { id: 11 });
    const created: CreatedRun[] = [];
    const w = writer(created);

    w.submit(lint("queued"));
    await w.idle();
    w.submit(lint("completed", { conclusion: "success", completedAt: "2024-05-01T10:00:00Z" }));
    await w.idle();

    expect(sent.list).toEqual([
      expect.objectContaining({
        name: "Pylot / lint",
        head_sha: SHA,
        external_id: "job/1/p1:lint",
        status: "queued",
        output: { title: "queued", summary: "lint is queued" },
      }),
      expect.objectContaining({ status: "completed", conclusion: "success" }),
    ]);
    expect(created).toEqual([
      {
        ref: { kind: "job", jobId: "p1:lint", attempt: 1 },
        id: 11,
        htmlUrl: "https://github.com/r/11",
      },
    ]);
  });

  it("sends only the newest state of a check run that waited behind others", async () => {
    const sent = bodies();
    gh.api()
      .post(`${REPO}/check-runs`, sent.keep)
      .reply(201, { id: 1 })
      .post(`${REPO}/check-runs`, sent.keep)
      .reply(201, { id: 2 });
    const w = writer();
    const other = {
      ...lint("queued"),
      ref: { kind: "job", jobId: "p1:build", attempt: 1 },
    } as const;

    w.submit({ ...other, name: "Pylot / build" });
    w.submit(lint("queued"));
    w.submit(lint("in_progress", { startedAt: "2024-05-01T10:00:00Z" }));
    w.submit(lint("completed", { conclusion: "failure" }));
    await w.idle();

    expect(sent.list.map((b) => [b.name, b.status])).toEqual([
      ["Pylot / build", "queued"],
      ["Pylot / lint", "completed"],
    ]);
  });

  it("skips an update that would change nothing", async () => {
    gh.api().post(`${REPO}/check-runs`).reply(201, { id: 5 });
    const w = writer();

    w.submit(lint("queued"));
    await w.idle();
    w.submit(lint("queued"));
    await w.idle();

    expect(gh.unexpected).toEqual([]);
  });

  it("after a 5xx on create finds the check run GitHub did make, and does not create another", async () => {
    gh.api()
      .post(`${REPO}/check-runs`)
      .reply(502, { message: "Bad Gateway" })
      .get(`${REPO}/commits/${SHA}/check-runs`)
      .query({ check_name: "Pylot / lint", filter: "all", per_page: "100" })
      .reply(200, {
        total_count: 2,
        check_runs: [
          { id: 40, external_id: "job/1/p0:lint", html_url: "https://github.com/r/40" },
          { id: 41, external_id: "job/1/p1:lint", html_url: "https://github.com/r/41" },
        ],
      })
      .patch(`${REPO}/check-runs/41`)
      .reply(200, { id: 41 });
    const created: CreatedRun[] = [];
    const w = writer(created);

    w.submit(lint("queued"));
    await w.idle();
    w.submit(lint("in_progress"));
    await w.idle();

    expect(created.map((c) => c.id)).toEqual([41]);
  });

  it("after a 5xx on create creates again when GitHub has no such check run", async () => {
    gh.api()
      .post(`${REPO}/check-runs`)
      .reply(500, { message: "oops" })
      .get(`${REPO}/commits/${SHA}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .post(`${REPO}/check-runs`)
      .reply(201, { id: 42 });
    const created: CreatedRun[] = [];
    const w = writer(created);

    w.submit(lint("queued"));
    await w.idle();

    expect(created.map((c) => c.id)).toEqual([42]);
  });

  it("does not look up or retry a create GitHub refused", async () => {
    gh.api().post(`${REPO}/check-runs`).reply(422, { message: "Invalid" });
    const created: CreatedRun[] = [];
    const w = writer(created);

    w.submit(lint("queued"));
    await w.idle();

    expect(created).toEqual([]);
  });

  it("posts annotations 50 per request, all of them", async () => {
    const sent = bodies();
    gh.api()
      .post(`${REPO}/check-runs`, sent.keep)
      .reply(201, { id: 9 })
      .patch(`${REPO}/check-runs/9`, sent.keep)
      .times(2)
      .reply(200, { id: 9 });
    const annotations = Array.from({ length: 120 }, (_, i) => ({
      path: "a.py",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "failure" as const,
      message: `problem ${i}`,
    }));

    const w = writer();
    w.submit(lint("completed", { conclusion: "failure", annotations }));
    await w.idle();

    const counts = sent.list.map((b) => {
      const output = b.output as { annotations?: unknown[] };
      return output.annotations?.length;
    });
    expect(counts).toEqual([50, 50, 20]);
  });
});
