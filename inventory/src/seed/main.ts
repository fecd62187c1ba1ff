import { redactUrlCredentials } from '../../../kit/redacted';
import { seed } from './seed';

/**
 * One-shot: seeds the moto at AWS_ENDPOINT_URL with the known resource set (compose's
 * inventory-seed step and `npm run stack` run it). Exit 0 when seeded or already seeded.
 */
const endpoint = process.env.AWS_ENDPOINT_URL;
if (!endpoint) {
  process.stderr.write('inventory seed: AWS_ENDPOINT_URL is not set (it must point at moto, e.g. http://moto:5000)\n');
  process.exit(2);
}
seed(endpoint, { log: (line) => process.stdout.write(`inventory seed: ${line}\n`) }).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `inventory seed: failed: ${redactUrlCredentials(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}\n`,
    );
    process.exit(1);
  },
);
