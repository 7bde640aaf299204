import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Artifact } from "../pipeline/types.js";
import { describeArtifacts, formatSize, parseWheelCheck, WHEEL_CHECK_SCRIPT } from "./artifacts.js";
import { buildBackendModule, hasPackagingMetadata, readProjectFacts } from "./project.js";
import { exec, failed, type StepContext, type StepOutcome } from "./step-context.js";

/**
 * Builds the sdist and wheel into the reports folder with `python -m build`, or `pip wheel`
 * when build is missing. Isolated builds download the backend from an index, so when the venv
 * already has the backend the build runs without isolation: it then works offline too.
 * The files are then recorded by content and their metadata checked.
 */
export async function runWheelStep(ctx: StepContext): Promise<StepOutcome> {
  const facts = await readProjectFacts(ctx.paths.src);
  if (!hasPackagingMetadata(facts)) {
    return failed("nothing to build: the project has no pyproject.toml, setup.py or setup.cfg");
  }
  const dist = join(ctx.paths.reports, "dist");
  await mkdir(dist, { recursive: true });
  const backend = (await ctx.modules.version(buildBackendModule(facts.pyproject))) !== null;
  const python = ctx.paths.venvPython;
  const argv =
    (await ctx.modules.version("build")) !== null
      ? [python, "-m", "build", "--outdir", dist, ...(backend ? ["--no-isolation"] : []), "."]
      : [python, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", dist]
          .concat(backend ? ["--no-build-isolation"] : [])
          .concat(".");
  const { outcome } = await exec(ctx, argv);
  switch (outcome.kind) {
    case "stopped":
      return { kind: "stopped" };
    case "not-started":
      return failed(`the build could not start: ${outcome.message}`);
    case "signalled":
      return failed(`the build was killed by ${outcome.signal}`);
    case "exited":
      break;
  }
  const files = (await readdir(dist).catch(() => [])).sort();
  const reports = Object.fromEntries(files.map((file) => [`dist/${file}`, join(dist, file)]));
  if (outcome.code !== 0 || files.length === 0) {
    return {
      kind: "done",
      conclusion: "failure",
      exitCode: outcome.code,
      summary: `the build failed (exit ${outcome.code})`,
      reports,
    };
  }
  const artifacts = await describeArtifacts(dist, files);
  const check = await checkArtifacts(ctx, dist, artifacts);
  if (check.kind === "stopped") return check;
  const built = artifacts.map((a) => `${a.name} (${formatSize(a.size)})`).join(", ");
  if (check.problems.length > 0) {
    return {
      kind: "done",
      conclusion: "failure",
      exitCode: null,
      summary: `built ${built}, but the metadata check failed: ${check.problems.slice(0, 5).join("; ")}`,
      reports,
      artifacts,
    };
  }
  return {
    kind: "done",
    conclusion: "success",
    exitCode: 0,
    summary: `built ${built}; ${check.by} check passed`,
    reports,
    artifacts,
  };
}

type CheckOutcome =
  | { readonly kind: "checked"; readonly by: string; readonly problems: readonly string[] }
  | { readonly kind: "stopped" };

/** `twine check` when the venv has twine, else our own check of each wheel. */
async function checkArtifacts(
  ctx: StepContext,
  dist: string,
  artifacts: readonly Artifact[],
): Promise<CheckOutcome> {
  const python = ctx.paths.venvPython;
  const paths = artifacts.map((artifact) => join(dist, artifact.name));
  if ((await ctx.modules.version("twine")) !== null) {
    const { outcome } = await exec(ctx, [python, "-m", "twine", "check", "--strict", ...paths]);
    if (outcome.kind === "stopped") return outcome;
    const ok = outcome.kind === "exited" && outcome.code === 0;
    return { kind: "checked", by: "twine", problems: ok ? [] : ["twine check reported problems"] };
  }
  const problems: string[] = [];
  for (const artifact of artifacts.filter((a) => a.kind === "wheel")) {
    ctx.log.line(`$ (pylot) check ${artifact.name}: METADATA and RECORD`);
    const run = await exec(
      ctx,
      [python, "-I", "-c", WHEEL_CHECK_SCRIPT, join(dist, artifact.name)],
      { quiet: true, capture: true },
    );
    if (run.outcome.kind === "stopped") return { kind: "stopped" };
    problems.push(...parseWheelCheck(run.stdout).map((problem) => `${artifact.name}: ${problem}`));
  }
  for (const problem of problems) ctx.log.line(`[pylot] ${problem}`);
  return { kind: "checked", by: "wheel metadata", problems };
}
