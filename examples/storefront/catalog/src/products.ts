/** The catalog's data: an in-memory product repository seeded with demo products. */
import type { Product, ProductPatch } from '../../shared/src/contracts/index.js';

const SEED: Array<Omit<Product, 'updatedAt' | 'currency'>> = [
  { id: 'p-1001', name: 'Milky Way mug', priceCents: 1290, stock: 120 },
  { id: 'p-1002', name: 'Andromeda poster', priceCents: 1990, stock: 40 },
  { id: 'p-1003', name: 'Nebula notebook', priceCents: 890, stock: 300 },
  { id: 'p-1004', name: 'Comet keyring', priceCents: 450, stock: 500 },
  { id: 'p-1005', name: 'Orion hoodie', priceCents: 4900, stock: 25 },
  { id: 'p-1006', name: 'Telescope (small)', priceCents: 12900, stock: 8 },
];

/** An in-memory repository (a real service would use a database). */
export class ProductRepository {
  private readonly products = new Map<string, Product>();
  /** How many times the repository was read (shows what the cache saves). */
  reads = 0;

  constructor(seed = SEED) {
    const now = new Date(0).toISOString();
    for (const p of seed) this.products.set(p.id, { ...p, currency: 'EUR', updatedAt: now });
  }

  /** All products, by id. */
  async list(): Promise<Product[]> {
    this.reads++;
    return [...this.products.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** One product, or undefined. */
  async find(id: string): Promise<Product | undefined> {
    this.reads++;
    return this.products.get(id);
  }

  /** Applies a patch; undefined when the product does not exist. */
  async update(id: string, patch: ProductPatch): Promise<Product | undefined> {
    const current = this.products.get(id);
    if (!current) return undefined;
    const next = { ...current, ...patch, updatedAt: new Date().toISOString() };
    this.products.set(id, next);
    return next;
  }
}
