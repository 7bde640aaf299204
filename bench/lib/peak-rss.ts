/**
 * Preloaded into a scenario's child process (`node --import tsx --import ./bench/lib/peak-rss.ts
 * …`): prints the process's peak resident memory, worker threads included, as it exits.
 */
process.once("exit", () => {
  process.stderr.write(`peak-rss-kib ${process.resourceUsage().maxRSS}\n`);
});
