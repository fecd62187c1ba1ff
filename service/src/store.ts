import { SpanStatusCode, trace } from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE } from '../../kit/names/service';
import { SLOW_STORE_EXTRA_MS } from '../../kit/scenarios';
import { SCENARIOS_OFF, type ScenarioSwitch } from './scenarios/switch';

export type Item = { id: number; name: string; price_cents: number; tags: string[]; created_at: string };
export type NewItem = Pick<Item, 'name' | 'price_cents' | 'tags'>;
export type StoreOptions = { latencyMs: number; latencyJitterMs: number; seedItems: number; maxItems: number };

export class StoreFullError extends Error {
  override name = 'StoreFullError';
}

const SEED_NAMES = [
  'teapot',
  'lantern',
  'compass',
  'notebook',
  'kettle',
  'umbrella',
  'telescope',
  'backpack',
  'scarf',
  'candle',
];

/**
 * In-memory catalogue, seeded at start and bounded so a load test can never grow it without
 * limit. Every operation runs in its own child span with a little simulated latency, so a trace
 * shows a store call under the request rather than one flat bar.
 */
export class ItemStore {
  private readonly items = new Map<number, Item>();
  private nextId = 1;
  private readonly tracer = trace.getTracer(INSTRUMENTATION_SCOPE);

  private readonly options: StoreOptions;
  private readonly scenarios: ScenarioSwitch;

  constructor(options: StoreOptions, scenarios: ScenarioSwitch = SCENARIOS_OFF) {
    this.options = options;
    this.scenarios = scenarios;
    for (let i = 0; i < options.seedItems; i += 1) {
      const base = SEED_NAMES[i % SEED_NAMES.length] ?? 'item';
      this.insert({
        name: `${base} ${Math.floor(i / SEED_NAMES.length) + 1}`,
        price_cents: 500 + ((i * 137) % 9500),
        tags: ['seed'],
      });
    }
  }

  get size(): number {
    return this.items.size;
  }

  list(limit: number, offset: number): Promise<{ items: Item[]; total: number }> {
    return this.traced('store.list', { 'store.limit': limit, 'store.offset': offset }, () => {
      const all = [...this.items.values()];
      return { items: all.slice(offset, offset + limit), total: all.length };
    });
  }

  get(id: number): Promise<Item | undefined> {
    return this.traced('store.get', { 'store.item_id': id }, async () => {
      // slow-store: evaluated inside the store.get span, so the flag evaluation sits on the long child span.
      if (this.scenarios.armed('slow-store') && (await this.scenarios.hits('slow-store')))
        await delay(SLOW_STORE_EXTRA_MS);
      return this.items.get(id);
    });
  }

  /**
   * The n-plus-one scenario's page: one call for the ids, then one store.get per item, in turn.
   * Same answer as list(), one span and one simulated round trip per item.
   */
  async listOneByOne(limit: number, offset: number): Promise<{ items: Item[]; total: number }> {
    const { ids, total } = await this.traced('store.list_ids', { 'store.limit': limit, 'store.offset': offset }, () => {
      const all = [...this.items.keys()];
      return { ids: all.slice(offset, offset + limit), total: all.length };
    });
    const items: Item[] = [];
    for (const id of ids) {
      const item = await this.get(id);
      if (item) items.push(item);
    }
    return { items, total };
  }

  create(item: NewItem): Promise<Item> {
    return this.traced('store.create', {}, () => {
      if (this.items.size >= this.options.maxItems) {
        throw new StoreFullError(`the store holds its maximum of ${this.options.maxItems} items`);
      }
      return this.insert(item);
    });
  }

  private insert(item: NewItem): Item {
    const created: Item = { id: this.nextId, ...item, created_at: new Date().toISOString() };
    this.nextId += 1;
    this.items.set(created.id, created);
    return created;
  }

  private traced<T>(name: string, attributes: Record<string, number>, work: () => T | Promise<T>): Promise<T> {
    return this.tracer.startActiveSpan(name, { attributes }, async (span) => {
      try {
        await delay(this.options.latencyMs + Math.random() * this.options.latencyJitterMs);
        return await work();
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  }
}

function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
