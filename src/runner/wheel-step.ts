import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { buildBackendModule, hasPackagingMetadata, readProjectFacts } from "./project.js";
import { exec, failed, type StepContext, type StepOutcome } from "./step-context.js";

/**
 * Builds the sdist and wheel into the reports folder with `python -m build`, or `pip wheel`
 * when build is missing. Isolated builds download the backend from an index, so when the venv
 * already has the backend the build runs without isolation: it then works offline too.
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
  return {
    kind: "done",
    conclusion: "success",
    exitCode: 0,
    summary: `built ${files.join(", ")}`,
    reports,
  };
}
