import type { RegionClients } from '../aws-clients';
import { BadResponseError } from '../errors';

/** One counted resource; the collector's kind and the region label it further. */
export interface Resource {
  state: string;
  type: string;
  region: string;
}

/**
 * Wraps every AWS call a collector makes: retries, the circuit breaker and error counting live
 * behind it, so a collector is only "which API, which fields".
 */
export type AwsCall = <T>(operation: string, send: () => Promise<T>) => Promise<T>;

export interface CollectorContext {
  region: string;
  clients: RegionClients;
  call: AwsCall;
}

/** The AWS service a collector calls: with the region, the key of its circuit breaker. */
export type AwsService = keyof RegionClients;

export interface InventoryCollector {
  /** Config key and `collector` label, e.g. `ec2_instances`. */
  name: string;
  /** `kind` label of the resources it counts, e.g. `ec2_instance`. */
  kind: string;
  service: AwsService;
  /** `global` collectors (S3) run once per cycle, from the first configured region. */
  scope: 'regional' | 'global';
  /** The IAM actions its calls need (read-only); inventory/iam-policy.json grants exactly their union. */
  permissions: string[];
  collect(context: CollectorContext): Promise<Resource[]>;
}

/** Label values are lower case and never empty, so `state="running"` matches whatever the API's casing. */
export function label(value: string | undefined | null, fallback = 'unknown'): string {
  const v = (value ?? '').trim().toLowerCase();
  return v === '' ? fallback : v;
}

/**
 * Every page of a paginated API, bounded so a misbehaving endpoint cannot loop forever. A page
 * without its list is not an empty page: the SDK gives [] for an empty list, so a missing one
 * means an answer that is not the API's (counting it would drop every series to 0).
 */
export async function allPages<Page, Item>(
  fetchPage: (token: string | undefined) => Promise<Page>,
  items: (page: Page) => Item[] | undefined,
  nextToken: (page: Page) => string | undefined,
  maxPages = 1000,
): Promise<Item[]> {
  const all: Item[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchPage(token);
    const list = items(result);
    if (!Array.isArray(list)) throw new BadResponseError(`page ${page + 1} of the answer has no list of items`);
    all.push(...list);
    token = nextToken(result);
    if (!token) return all;
  }
  throw new Error(`more than ${maxPages} pages: stopping (the API keeps answering with a next token)`);
}
