// `npm run stack:native [-- --no-aws] [--no-service]`: the whole stack on real binaries, no Docker.
// Runs until Ctrl-C / SIGTERM, then stops everything it started.
import { describeStack, type NativeStack, StackError, startStack } from './stack.ts';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const aws = !argv.includes('--no-aws');
  const service = argv.includes('--no-service') ? false : 'auto';
  let stack: NativeStack | undefined;
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${reason}: stopping the native stack...`);
    await stack?.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    stack = await startStack({ aws, service });
  } catch (error) {
    console.error(error instanceof StackError ? `native stack failed to start: ${error.message}` : error);
    process.exit(1);
  }
  if (stopping) return;
  console.log(`\n${describeStack(stack)}\n\nCtrl-C stops everything.`);
  // Keep the event loop alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

void main();
