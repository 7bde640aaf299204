import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import nock from "nock";
import { API } from "../helpers/github.js";
import { REPO } from "../helpers/github-app.js";

/**
 * In-memory pull request and issue comments APIs on a nock scope, for the reports tests: a
 * pull request whose head can move, its files, and the comments a bot writes on it. Only the
 * routes a test asks for are served (an unused interceptor fails the test).
 */

type Reply = [number, unknown, Record<string, string>?];

export interface PullRequestFile {
  readonly filename: string;
  readonly patch?: string;
}

export interface FakePullRequest {
  number: number;
  head: string;
  base: string;
  files: PullRequestFile[];
  /** GET /pulls/{n}. */
  servePull(): FakePullRequest;
  /** GET /pulls/{n}/files, 100 a page (GitHub's pages, Link header included). */
  serveFiles(): FakePullRequest;
  /** GET /commits/{sha}/pulls: this PR when its head is that commit. */
  serveAssociated(): FakePullRequest;
}

/** One page of `items` and the Link header to the next, as GitHub paginates. */
function page(uri: string, items: readonly unknown[]): Reply {
  const url = new URL(uri, "https://api.github.com");
  const size = Number(url.searchParams.get("per_page") ?? "30");
  const number = Number(url.searchParams.get("page") ?? "1");
  const slice = items.slice((number - 1) * size, number * size);
  if (number * size >= items.length) return [200, slice];
  url.searchParams.set("page", String(number + 1));
  return [200, slice, { link: `<${url.href}>; rel="next"` }];
}

export function fakePullRequest(init: {
  number?: number;
  head: string;
  base: string;
  files?: PullRequestFile[];
}): FakePullRequest {
  // A scope of its own, so its persisted interceptors leave the test's answering once.
  const scope = nock(API);
  const repo = { full_name: REPO };
  const json = (pr: FakePullRequest) => ({
    number: pr.number,
    state: "open",
    user: { login: "contributor" },
    head: { sha: pr.head, ref: "changes", repo },
    base: { sha: pr.base, ref: "master", repo },
  });
  const pr: FakePullRequest = {
    number: init.number ?? 2,
    head: init.head,
    base: init.base,
    files: init.files ?? [],
    servePull() {
      scope
        .persist()
        .get(`/repos/${REPO}/pulls/${pr.number}`)
        .reply(() => [200, json(pr)]);
      return pr;
    },
    serveFiles() {
      scope
        .persist()
        .get(new RegExp(`^/repos/${REPO}/pulls/${pr.number}/files`))
        .reply((uri) => page(uri, pr.files));
      return pr;
    },
    serveAssociated() {
      scope
        .persist()
        .get(new RegExp(`^/repos/${REPO}/commits/[0-9a-f]{40}/pulls`))
        .reply((uri) => [200, uri.includes(`/commits/${pr.head}/`) ? [json(pr)] : []]);
      return pr;
    },
  };
  return pr;
}

/**
 * No open pull request has this commit as its head (a push to a branch without one), `times`
 * times. Give it a scope of its own: `persist()` on a scope persists all of its interceptors.
 */
export function noPullRequests(scope: nock.Scope, times = 1): void {
  scope
    .get(new RegExp(`^/repos/${REPO}/commits/[0-9a-f]{40}/pulls`))
    .times(times)
    .reply(200, []);
}

export interface FakeComment {
  readonly id: number;
  body: string;
  readonly user: { login: string; type: "Bot" | "User" };
}

export interface FakeComments {
  readonly comments: FakeComment[];
  /** Writes in order: "POST", "PATCH <id>", "DELETE <id>". */
  readonly writes: string[];
  /** Comments of other authors (or earlier bots) already on the PR. */
  seed(body: string, type?: "Bot" | "User"): FakeComment;
  /**
   * Called around each create ("before" it is stored, "after" it is, before the answer):
   * another replica writing at that moment.
   */
  onCreate(hook: (when: "before" | "after") => void): void;
}

/** Serves POST (unless `creates: false`), PATCH and DELETE only when the test expects them. */
export function fakeComments(
  options: { number?: number; creates?: boolean; updates?: boolean; deletes?: boolean } = {},
): FakeComments {
  // A scope of its own, so its persisted interceptors leave the test's answering once.
  const scope = nock(API);
  const number = options.number ?? 2;
  let next = 7000;
  let hook: ((when: "before" | "after") => void) | undefined;
  const comments: FakeComment[] = [];
  const writes: string[] = [];
  const add = (body: string, type: "Bot" | "User"): FakeComment => {
    const comment = { id: next++, body, user: { login: "pylot[bot]", type } };
    comments.push(comment);
    return comment;
  };
  const path = `/repos/${REPO}/issues/${number}/comments`;
  scope
    .persist()
    .get(new RegExp(`^${path}`))
    .reply((uri) => page(uri, comments));
  if (options.creates !== false)
    scope
      .persist()
      .post(path)
      .reply((_uri, body) => {
        hook?.("before");
        const comment = add((body as { body: string }).body, "Bot");
        writes.push("POST");
        hook?.("after");
        return [201, comment];
      });
  const byId = new RegExp(`^/repos/${REPO}/issues/comments/(\\d+)$`);
  if (options.updates === true)
    scope
      .persist()
      .patch(byId)
      .reply((uri, body) => {
        const comment = comments.find((c) => uri.endsWith(`/${c.id}`));
        if (comment === undefined) return [404, { message: "Not Found" }];
        comment.body = (body as { body: string }).body;
        writes.push(`PATCH ${comment.id}`);
        return [200, comment];
      });
  if (options.deletes === true)
    scope
      .persist()
      .delete(byId)
      .reply((uri) => {
        const index = comments.findIndex((c) => uri.endsWith(`/${c.id}`));
        if (index < 0) return [404, { message: "Not Found" }];
        writes.push(`DELETE ${comments[index]?.id ?? 0}`);
        comments.splice(index, 1);
        return [204, ""];
      });
  return {
    comments,
    writes,
    seed: (body, type = "Bot") => add(body, type),
    onCreate(fn) {
      hook = fn;
    },
  };
}

const exec = promisify(execFile);
const PROJECTS = resolve(import.meta.dirname, "../fixtures/projects");

/** The unified diff of a fixture file between two fixture projects, as GitHub's `patch`. */
export async function patchOf(from: string, to: string, file: string): Promise<string> {
  const run = exec("diff", ["-u", resolve(PROJECTS, from, file), resolve(PROJECTS, to, file)]);
  // diff exits 1 when the files differ: its output is then the answer.
  const output = await run.then(
    (done) => done.stdout,
    (error: unknown) =>
      typeof error === "object" && error !== null && "stdout" in error ? String(error.stdout) : "",
  );
  return output.split("\n").slice(2).join("\n");
}

/**
 * The pull request comment of a pipeline whose tests wrote reports: the PR (open, at `head`) and
 * its comments, on fakes of their own; `updates` when a re-run edits the comment.
 */
export function acceptReportsComment(head: string, options: { updates?: boolean } = {}) {
  fakePullRequest({ head, base: "0b".repeat(20) })
    .servePull()
    .serveFiles();
  return fakeComments({ updates: options.updates === true });
}
