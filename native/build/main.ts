// `npm run native:build [-- --only=jaeger,k6]`: builds or reuses every binary the native harness
// runs (native/build/builder.ts does the work) and prints what it built, reused or failed.
import { buildAll, summarize } from './builder.ts';
import { cacheRoot } from '../../kit/cache.ts';

async function main(): Promise<void> {
  const onlyArg = process.argv.find((a) => a.startsWith('--only='));
  const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : undefined;
  console.log(`otel-kit native build; cache: ${cacheRoot()}`);
  const started = Date.now();
  const results = await buildAll({ only });
  console.log(summarize(results, Date.now() - started));
  if (results.some((r) => r.outcome === 'failed')) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
