import { describe, expect, it } from 'vitest';
import { countsByRoute, k6NameToRoute, toXRayTraceId } from '../e2e/routes.ts';

describe('route and id spellings across k6, Express and X-Ray', () => {
  it('turns k6 name tags into Express routes and merges methods', () => {
    expect(k6NameToRoute('/items/{id}')).toBe('/items/:id');
    expect([...countsByRoute({ 'GET /items': 3, 'POST /items': 2, '/items/{id}': 4, 'GET /health': 0 })]).toEqual([
      ['/items', 5],
      ['/items/:id', 4],
    ]);
  });

  it('splits a W3C id into the X-Ray form', () => {
    expect(toXRayTraceId('6752f3c1aabbccddeeff001122334455')).toBe('1-6752f3c1-aabbccddeeff001122334455');
  });
});
