/**
 * Parses a generated 20 MB coverage.xml through parseReportFile (read with a cap, parsed in a
 * worker thread) and prints the parse time and the longest event-loop stall meanwhile, from
 * monitorEventLoopDelay and from a 1 ms interval probe. Run: npx tsx bench/reports.ts [MB]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseCobertura, parseReportFile } from "../src/reports/index.js";
import { bigCoverageXml } from "../test/unit/reports/big-coverage.js";

const megabytes = Number(process.argv[2] ?? 20);
const root = "/tmp/pylot-work/jobs/bench-1/src";
const dir = await mkdtemp(join(tmpdir(), "pylot-bench-"));
const file = join(dir, "coverage.xml");
const big = bigCoverageXml({ bytes: megabytes * 1024 * 1024, root });
await writeFile(file, big.xml);

async function measure(
  run: () => Promise<unknown>,
): Promise<{ ms: number; stallMs: number; probeMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let probeMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    probeMs = Math.max(probeMs, now - last);
    last = now;
  }, 1);
  histogram.enable();
  // Let both probes tick once, so a stall from the first moment on is seen.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 20));
  histogram.disable();
  clearInterval(probe);
  return { ms, stallMs: histogram.max / 1e6, probeMs };
}

const figures: Record<string, string> = {
  file: `${(big.xml.length / 1024 / 1024).toFixed(1)} MiB, ${big.files} files, ${big.statements} lines`,
};
for (let round = 1; round <= 3; round++) {
  let ok = false;
  const worker = await measure(async () => {
    const result = await parseReportFile(file, "cobertura", { root });
    ok = result.ok && result.value.totals.statements === big.statements;
  });
  figures[`worker run ${round}`] =
    `${worker.ms.toFixed(0)} ms total, max event-loop stall ${worker.stallMs.toFixed(1)} ms (probe ${worker.probeMs.toFixed(1)} ms), correct: ${ok}`;
}
const inline = await measure(
  () =>
    new Promise((resolve) =>
      setTimeout(() => {
        resolve(parseCobertura(big.xml, { root }));
      }, 5),
    ),
);
figures["inline (same thread), for comparison"] =
  `${inline.ms.toFixed(0)} ms, blocking the loop ${inline.stallMs.toFixed(0)} ms`;
await rm(dir, { recursive: true, force: true });
process.stdout.write(
  `${Object.entries(figures)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n")}\n`,
);
