import { createHmac, randomUUID } from "node:crypto";
import { pullRequestPayload } from "../../test/helpers/github-payloads.js";

/** One pull request of one installation, as the bench invents them (no fork, opened). */
export interface PullRequestSpec {
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  readonly sha: string;
}

export interface SignedDelivery {
  readonly event: string;
  readonly id: string;
  readonly body: string;
  readonly signature: string;
}

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

interface RepositoryShape {
  name: string;
  full_name: string;
  owner: { login: string };
}

/** A `pull_request.opened` payload from @octokit/webhooks-examples, moved to the given repo. */
export function pullRequestDelivery(spec: PullRequestSpec, secret: string): SignedDelivery {
  const payload = pullRequestPayload("opened", spec.sha);
  const fullName = `${spec.owner}/${spec.repo}`;
  const repository = payload.repository as RepositoryShape;
  Object.assign(repository, { name: spec.repo, full_name: fullName });
  repository.owner.login = spec.owner;
  const pr = payload.pull_request as {
    number: number;
    head: { repo: RepositoryShape };
    base: { repo: RepositoryShape };
  };
  pr.number = spec.number;
  pr.head.repo = { ...pr.head.repo, name: spec.repo, full_name: fullName };
  pr.base.repo = { ...pr.base.repo, name: spec.repo, full_name: fullName };
  const body = JSON.stringify({
    ...payload,
    number: spec.number,
    installation: { ...(payload.installation as object), id: spec.installationId },
  });
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return { event: "pull_request", id: randomUUID(), body, signature };
}

export interface Reply {
  readonly status: number;
  /** Send to last byte of the reply. */
  readonly ms: number;
  readonly sentAt: number;
}

/** POSTs one signed delivery to the app's webhook path; a network failure is status 0. */
export async function deliver(port: number, delivery: SignedDelivery): Promise<Reply> {
  const sentAt = epochNow();
  const started = performance.now();
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": delivery.event,
        "x-github-delivery": delivery.id,
        "x-hub-signature-256": delivery.signature,
      },
      body: delivery.body,
    });
    await response.text();
    return { status: response.status, ms: performance.now() - started, sentAt };
  } catch {
    return { status: 0, ms: performance.now() - started, sentAt };
  }
}
