import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ScenarioContext } from "./figures.js";
import { newAppIdentity, startAppServer, type AppIdentity, type AppServer } from "./app-server.js";
import { startLocalGitHub, type LocalGitHub } from "./github.js";

/** A GitHub stub and the real app server wired to it, for one scenario. */
export interface Lab {
  readonly identity: AppIdentity;
  readonly github: LocalGitHub;
  readonly server: AppServer;
  readonly workdir: string;
  /** The stub's clock (performance.now() of this process) as epoch milliseconds. */
  readonly epochOf: (at: number) => number;
}

/** The trivial pipeline of the server scenarios: one quick test job, nothing else. */
export const TRIVIAL_CONFIG = `
python: ["3.11"]
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -c pass", coverage: false }
`;

/** Debian's Python, which has the tools (flake8, black, bandit, coverage, pytest). */
export const TOOLS_PYTHON = "/usr/bin/python3";

export async function withLab<T>(
  context: ScenarioContext,
  options: { readonly concurrency: number },
  use: (lab: Lab) => Promise<T>,
): Promise<T> {
  const identity = newAppIdentity();
  // Short: jobs' TMPDIR lives under it, and Unix socket paths must stay under 108 bytes.
  const workdir = await mkdtemp(join(context.scratch, "w"));
  const github = await startLocalGitHub(identity);
  let server: AppServer | undefined;
  try {
    server = await startAppServer({
      root: context.root,
      identity,
      githubHost: github.host,
      workdir,
      concurrency: options.concurrency,
      pythons: `3.11=${TOOLS_PYTHON}`,
    });
    context.say(`  app server up in ${server.startMs.toFixed(0)} ms (port ${server.port})`);
    const epochOf = (at: number) => performance.timeOrigin + at;
    return await use({ identity, github, server, workdir, epochOf });
  } finally {
    await server?.stop();
    await github.close();
    await rm(workdir, { recursive: true, force: true });
  }
}
