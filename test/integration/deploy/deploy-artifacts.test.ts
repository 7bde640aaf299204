import { createHash } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createArtifacts, type Artifacts } from "../../../src/artifacts/index.js";
import type { DeployPlan } from "../../../src/deploy/gate.js";
import { deployPipeline } from "../../../src/deploy/orchestrate.js";
import { createLocalDispatcher } from "../../../src/dispatch/index.js";
import { Engine } from "../../../src/engine/index.js";
import type { PipelineView } from "../../../src/engine/ports.js";
import type { Artifact } from "../../../src/pipeline/types.js";
import { createLocalExecutor } from "../../../src/runner/index.js";
import { openStore } from "../../../src/store/index.js";
import { recordingReporter } from "../../helpers/engine.js";

/**
 * A deploy job on the local runner gets exactly the files the engine kept for its commit: a
 * folder of checked copies (PYLOT_ARTIFACTS), the wheel's path (PYLOT_WHEEL), the image id
 * (PYLOT_IMAGE); a kept file that changed or went missing fails the job, naming it, and the
 * deploy command never runs.
 */

const logger = pino({ level: "silent" });
const PROJECT = resolve(import.meta.dirname, "project");
const SHA = "d".repeat(40);
const IMAGE = `sha256:${"e".repeat(64)}`;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Store, artifact store, engine (with its keeper unless told), local pool and real runner. */
async function deployStack(
  options: { readonly keeper?: boolean } = {},
): Promise<{ engine: Engine; artifacts: Artifacts }> {
  const workdir = await tempDir("pylot-deploy-artifacts-");
  const store = await openStore({ url: "sqlite::memory:", logger });
  const artifacts = createArtifacts({
    workdir,
    index: store.artifacts,
    retentionDays: undefined,
    logger,
  });
  const engine = new Engine({
    store,
    reporterFor: () => recordingReporter(),
    ...(options.keeper === false ? {} : { artifacts: artifacts.keeper }),
    logger,
  });
  const executor = createLocalExecutor({ workdir, pythons: "3.11=/usr/bin/python3", logger });
  const dispatcher = createLocalDispatcher({ executor, concurrency: 1, events: engine, logger });
  engine.attach(dispatcher);
  cleanups.push(async () => {
    await dispatcher.close();
    await engine.idle();
    await store.close();
  });
  return { engine, artifacts };
}

/** Keeps `text` in the artifact store as a file named `name`, as a build would have. */
async function kept(artifacts: Artifacts, name: string, text: string): Promise<Artifact> {
  const bytes = Buffer.from(text);
  const artifact: Artifact = {
    name,
    kind: name.endsWith(".whl") ? "wheel" : "sdist",
    size: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
  await artifacts.files.put(Readable.from([bytes]), artifact);
  return artifact;
}

async function deploy(
  engine: Engine,
  build: Pick<DeployPlan, "artifacts" | "image">,
  run: string,
): Promise<PipelineView> {
  const plan: DeployPlan = {
    env: "staging",
    sha: SHA,
    task: "deploy",
    productionEnvironment: false,
    run,
    requires: [],
    bypassedChecks: [],
    ...build,
  };
  const started = await engine.start({
    trigger: { source: "github", event: "deploy", sha: SHA, ref: SHA, repo: "o/r" },
    plan: deployPipeline({
      plan,
      deploymentId: 77,
      python: "3.11",
      timeoutMs: 60_000,
      secrets: {},
    }),
    source: { kind: "dir", path: PROJECT },
  });
  return engine.waitForPipeline(started.pipeline.id);
}

const SHOW = [
  'cd "$PYLOT_ARTIFACTS" && sha256sum * && ls -l',
  'echo "wheel=$PYLOT_WHEEL"',
  'sha256sum "$PYLOT_WHEEL"',
  'echo "image=$PYLOT_IMAGE"',
  'echo "folder=$PYLOT_ARTIFACTS"',
].join(" && ");

describe("a deploy job of a project that builds", () => {
  it("gets a checked copy of each kept file, the wheel's path and the image id", async () => {
    const { engine, artifacts } = await deployStack();
    const wheel = await kept(artifacts, "app-1.0-py3-none-any.whl", "the wheel's bytes\n");
    const sdist = await kept(artifacts, "app-1.0.tar.gz", "the sdist's bytes\n");

    const done = await deploy(engine, { artifacts: [wheel, sdist], image: IMAGE }, SHOW);

    const log = done.jobs[0]?.result?.logTail ?? "";
    const folder = /^folder=(\/\S+)$/m.exec(log)?.[1] ?? "";
    expect(done.pipeline.conclusion).toBe("success");
    expect(folder.endsWith("/artifacts")).toBe(true);
    expect(log).toContain(`${wheel.sha256}  app-1.0-py3-none-any.whl\n`);
    expect(log).toContain(`${sdist.sha256}  app-1.0.tar.gz\n`);
    expect(log).toMatch(/^-r--r--r-- .* app-1\.0\.tar\.gz$/m);
    expect(log).toContain(`wheel=${folder}/app-1.0-py3-none-any.whl\n`);
    expect(log).toContain(`${wheel.sha256}  ${folder}/app-1.0-py3-none-any.whl\n`);
    expect(log).toContain(`image=${IMAGE}\n`);
    expect(log).toContain(`[pylot] app-1.0.tar.gz: sha256 ${sdist.sha256} verified`);
  });

  it.each([
    {
      name: "changed since it was built",
      spoil: async (path: string) => {
        await chmod(path, 0o600);
        await writeFile(path, "other bytes, same length\n".slice(0, 18));
      },
      summary:
        /^the build's app-1\.0-py3-none-any\.whl changed since it was built \(SHA-256 is [0-9a-f]{64}, expected [0-9a-f]{64}\); not deployed$/,
    },
    {
      name: "missing",
      spoil: (path: string) => rm(path),
      summary: /^the build's app-1\.0-py3-none-any\.whl is missing; not deployed$/,
    },
  ])("fails, naming the file, when a kept file is $name", async ({ spoil, summary }) => {
    const { engine, artifacts } = await deployStack();
    const wheel = await kept(artifacts, "app-1.0-py3-none-any.whl", "the wheel's bytes\n");
    await spoil(artifacts.files.pathOf(wheel.sha256));

    const done = await deploy(engine, { artifacts: [wheel] }, 'echo "deploy ran"');

    const job = done.jobs[0];
    expect(done.pipeline.conclusion).toBe("failure");
    expect(job?.result?.summary).toMatch(summary);
    expect(job?.result?.logTail).not.toContain("deploy ran");
  });

  it("fails rather than deploy without them when the engine keeps no files", async () => {
    const { engine, artifacts } = await deployStack({ keeper: false });
    const wheel = await kept(artifacts, "app-1.0-py3-none-any.whl", "the wheel's bytes\n");

    const done = await deploy(engine, { artifacts: [wheel] }, 'echo "deploy ran"');

    expect(done.pipeline.conclusion).toBe("failure");
    expect(done.jobs[0]?.result?.summary).toBe(
      "the build's app-1.0-py3-none-any.whl is not on this runner",
    );
  });
});
