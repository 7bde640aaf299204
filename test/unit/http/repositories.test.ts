import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { describe, expect, it } from "vitest";
import { repositoriesOf } from "../../../src/http/index.js";

const examples = createRequire(import.meta.url)(
  "@octokit/webhooks-examples",
) as WebhookDefinition[];
const NOW = new Date("2024-09-01T00:00:00.000Z");
const at = NOW.toISOString();

function example(name: string, action?: string): unknown {
  const found = examples
    .find((d) => d.name === name)
    ?.examples.find((e) => action === undefined || (e as { action?: string }).action === action);
  if (found === undefined) throw new Error(`no ${name} example`);
  return found;
}

describe("repositoriesOf", () => {
  it("reads a push: visibility, installation and default branch", () => {
    const payload = examples
      .find((d) => d.name === "push")
      ?.examples.find((e) => (e as { installation?: unknown }).installation !== undefined);

    const records = repositoriesOf(payload, NOW);

    expect(records).toEqual([
      {
        fullName: "Codertocat/Hello-World",
        private: false,
        installationId: 1,
        defaultBranch: "master",
        updatedAt: at,
      },
    ]);
  });

  it("reads a repository made private", () => {
    const records = repositoriesOf(example("repository", "privatized"), NOW);

    expect(records).toMatchObject([{ fullName: "Codertocat/Hello-World", private: true }]);
  });

  it.each([
    ["installation", "created", [["Codertocat/Hello-World", 957387]]],
    ["installation_repositories", "added", [["Codertocat/Space", 957387]]],
    ["installation", "deleted", []],
  ] as const)("reads the repositories of %s.%s", (name, action, expected) => {
    const records = repositoriesOf(example(name, action), NOW);

    expect(records.map((r) => [r.fullName, r.installationId])).toEqual(expected);
  });

  it.each([
    { what: "no payload", payload: null },
    { what: "a string", payload: "repository" },
    { what: "private as a string", payload: { repository: { full_name: "a/b", private: "no" } } },
    { what: "a name without owner", payload: { repository: { full_name: "b", private: false } } },
    {
      what: "a name with a space",
      payload: { repository: { full_name: "a/b c", private: false } },
    },
    { what: "a list of junk", payload: { repositories_added: [{ full_name: 7 }] } },
  ])("ignores $what", ({ payload }) => {
    expect(repositoriesOf(payload, NOW)).toEqual([]);
  });

  it("keeps the repository when the installation field is malformed", () => {
    const payload = { repository: { full_name: "a/b", private: true }, installation: { id: -1 } };

    const records = repositoriesOf(payload, NOW);

    expect(records).toEqual([
      { fullName: "a/b", private: true, installationId: null, defaultBranch: null, updatedAt: at },
    ]);
  });
});
