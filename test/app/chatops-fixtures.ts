import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import type nock from "nock";
import { REPO, serveConfig } from "../helpers/github-app.js";

/** Payloads and a GitHub stub for the ChatOps app tests. */

export const DEFAULT_BRANCH = "master";
export const PR = 2;
export const COMMENT = 492700400;

type Json = Record<string, unknown>;

const examples = createRequire(import.meta.url)(
  "@octokit/webhooks-examples",
) as WebhookDefinition[];

function example(name: string, pick: (e: Json) => boolean): Json {
  const found = (examples.find((d) => d.name === name)?.examples as Json[] | undefined)?.find(pick);
  if (found === undefined) throw new Error(`no ${name} example matches`);
  return structuredClone(found);
}

/** An `issue_comment` payload from the examples, on pull request #2 unless told otherwise. */
export function commentPayload(
  body: string,
  options: {
    readonly login?: string;
    readonly bot?: boolean;
    readonly onIssue?: boolean;
    readonly action?: "created" | "edited";
    readonly id?: number;
    readonly pr?: number;
  } = {},
): Json {
  const payload = example(
    "issue_comment",
    (e) => e.action === "created" && e.installation !== undefined,
  );
  const issue = payload.issue as Json;
  const comment = payload.comment as Json;
  const login = options.login ?? "maintainer";
  issue.number = options.pr ?? PR;
  if (options.onIssue !== true)
    issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${PR}` };
  Object.assign(comment, {
    id: options.id ?? COMMENT,
    body,
    user: { ...(comment.user as Json), login, type: options.bot === true ? "Bot" : "User" },
  });
  return { ...payload, action: options.action ?? "created" };
}

export function closedPayload(pr: number): Json {
  const payload = example(
    "pull_request",
    (e) => e.action === "closed" && e.installation !== undefined,
  );
  (payload.pull_request as Json).number = pr;
  return payload;
}

/** A deployment as the Deployments API lists it. */
export function apiDeployment(
  id: number,
  sha: string,
  options: { env?: string; createdAt?: string; pr?: number; rollbackFrom?: number } = {},
): Json {
  return {
    id,
    sha,
    ref: sha,
    environment: options.env ?? "staging",
    task: options.rollbackFrom === undefined ? "deploy" : "deploy:rollback",
    created_at: options.createdAt ?? new Date(Date.UTC(2024, 4, 1, 9) + id * 60_000).toISOString(),
    creator: { login: "pylot[bot]" },
    payload: {
      pylot: 1,
      actor: "maintainer",
      command: "/deploy staging",
      ...(options.pr === undefined ? {} : { pr: options.pr }),
      ...(options.rollbackFrom === undefined ? {} : { rollbackFrom: options.rollbackFrom }),
    },
  };
}

/**
 * The GitHub a command talks to, on a nock scope: each `serve…` answers once and each
 * `accept…` records what was written, so a test asserts on requests, not on our internals.
 */
export class ChatOpsGitHub {
  readonly reactions: string[] = [];
  readonly replies: string[] = [];
  readonly deployments: Json[] = [];
  readonly statuses: { id: number; body: Json }[] = [];
  /** Resolves when the command's final reaction (rocket or confused) is written. */
  readonly ended: Promise<string>;
  #end!: (content: string) => void;
  readonly #replyWaiters: { count: number; resolve: () => void }[] = [];

  constructor(readonly api: nock.Scope) {
    this.ended = new Promise((resolve) => (this.#end = resolve));
  }

  defaultConfig(yaml: string): this {
    serveConfig(this.api, DEFAULT_BRANCH, yaml);
    return this;
  }

  permission(login: string, permission: string): this {
    this.api
      .get(`/repos/${REPO}/collaborators/${login}/permission`)
      .reply(200, { permission, role_name: permission, user: { login } });
    return this;
  }

  pull(sha: string, options: { fork?: boolean; author?: string } = {}): this {
    this.api.get(`/repos/${REPO}/pulls/${PR}`).reply(200, {
      number: PR,
      user: { login: options.author ?? "contributor" },
      head: {
        sha,
        ref: "changes",
        repo: { full_name: options.fork === true ? "forker/Hello-World" : REPO },
      },
      base: { ref: DEFAULT_BRANCH, repo: { full_name: REPO } },
    });
    return this;
  }

  checks(sha: string, runs: readonly (readonly [string, string | null])[]): this {
    const checkRuns = runs.map(([name, conclusion], i) => ({
      id: 700 + i,
      name,
      status: conclusion === null ? "in_progress" : "completed",
      conclusion,
    }));
    this.api
      .get(`/repos/${REPO}/commits/${sha}/check-runs`)
      .query({ filter: "latest", per_page: "100" })
      .reply(200, { total_count: checkRuns.length, check_runs: checkRuns });
    return this;
  }

  /** The environment's history, and the latest status of each deployment not settled. */
  history(
    env: string,
    deployments: readonly Json[],
    states: Readonly<Record<number, string>>,
  ): this {
    this.api
      .get(`/repos/${REPO}/deployments`)
      .query({ environment: env, per_page: "30" })
      .reply(200, deployments);
    for (const [id, state] of Object.entries(states))
      this.api
        .get(`/repos/${REPO}/deployments/${id}/statuses`)
        .query({ per_page: "1" })
        .reply(200, [{ id: Number(id) * 10, state }]);
    return this;
  }

  /** `meanwhile` runs before GitHub answers: what another replica does in that moment. */
  acceptDeployment(id: number, meanwhile?: () => Promise<unknown>): this {
    this.api.post(`/repos/${REPO}/deployments`).reply(async (_uri, body) => {
      await meanwhile?.();
      const input = body as Json;
      this.deployments.push(input);
      const created = { ...input, id, sha: input.ref, created_at: "2024-05-02T10:00:00Z" };
      return [201, { ...created, creator: { login: "pylot[bot]" } }];
    });
    return this;
  }

  acceptStatuses(id: number, times: number): this {
    this.api
      .post(`/repos/${REPO}/deployments/${id}/statuses`)
      .times(times)
      .reply((_uri, body) => {
        this.statuses.push({ id, body: body as Json });
        return [201, { id: 1, state: (body as Json).state }];
      });
    return this;
  }

  acceptReplies(times: number, pr = PR): this {
    this.api
      .post(`/repos/${REPO}/issues/${pr}/comments`)
      .times(times)
      .reply((_uri, body) => {
        this.replies.push(String((body as Json).body));
        for (const waiter of this.#replyWaiters)
          if (this.replies.length >= waiter.count) waiter.resolve();
        return [
          201,
          { id: 9000 + this.replies.length, html_url: `https://github.com/${REPO}/pull/${PR}#c` },
        ];
      });
    return this;
  }

  /** Resolves once `count` replies were written (a deployment that ends without a command). */
  replied(count: number): Promise<void> {
    if (this.replies.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#replyWaiters.push({ count, resolve }));
  }

  acceptReactions(times: number, commentId = COMMENT): this {
    this.api
      .post(`/repos/${REPO}/issues/comments/${commentId}/reactions`)
      .times(times)
      .reply((_uri, body) => {
        const content = String((body as Json).content);
        this.reactions.push(content);
        if (content !== "eyes") this.#end(content);
        return [201, { id: 1, content }];
      });
    return this;
  }
}

export const PIPELINE_ONLY = `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
`;

/** The default branch's config: a staging that prints what it got, and an admin-only production. */
export const DEPLOY_CONFIG = `${PIPELINE_ONLY}
test: { run: "python -m unittest discover -s tests", coverage: false }
deploy:
  staging:
    run: 'echo "env=$PYLOT_ENVIRONMENT id=$PYLOT_DEPLOYMENT_ID token=$TOKEN sha=$PYLOT_SHA"'
    allow: [write]
    url: https://staging.example.com
  production:
    run: ./scripts/deploy.sh production
    allow: [admin]
    requires: [staging]
`;

export const GREEN = [
  ["Pylot", "success"],
  ["Pylot / test (3.11, linux)", "success"],
] as const;
