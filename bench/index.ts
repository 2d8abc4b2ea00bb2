/** `npm run bench`: every benchmark in turn; each prints its table and writes bench/results/<name>.json. */
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const suites: Record<string, () => Promise<unknown>> = {
  queue: async () => (await import('./queue.js')).runQueueBench(),
  engine: async () => (await import('./engine.js')).runEngineBench(),
  pipeline: async () => (await import('./pipeline.js')).runPipelineBench(),
};
for (const [name, run] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n=== bench: ${name} ===`);
  await run();
}
process.exit(0);
