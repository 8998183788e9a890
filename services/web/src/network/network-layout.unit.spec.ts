import { describe, expect, it } from 'vitest';
import type { NetworkEdge, NetworkNode } from '../api/types';
import { NETWORK_METRICS, layoutNetwork } from './network-layout';

const city = (cityId: string, name: string, depth: number): NetworkNode => ({
  cityId,
  name,
  country: cityId.slice(0, 2).toUpperCase(),
  depth,
});
const edge = (from: string, to: string): NetworkEdge => ({
  agreementId: `${from}-${to}`,
  from,
  to,
  state: 'active',
});

describe('the partnership network layout', () => {
  const nodes = [
    city('gb-coventry', 'Coventry', 0),
    city('de-dresden', 'Dresden', 1),
    city('de-kiel', 'Kiel', 1),
    city('rs-belgrade', 'Belgrade', 1),
    city('us-columbus', 'Columbus', 2),
  ];
  const edges = [
    edge('gb-coventry', 'de-dresden'),
    edge('gb-coventry', 'de-kiel'),
    edge('gb-coventry', 'rs-belgrade'),
    edge('de-dresden', 'us-columbus'),
  ];
  const layout = layoutNetwork(nodes, edges);
  const at = (cityId: string) => layout.cities.find((placed) => placed.cityId === cityId);

  it('puts the city in the middle and each other city on the ring of its distance', () => {
    const centre = layout.size / 2;
    expect(at('gb-coventry')).toMatchObject({ x: centre, y: centre });
    for (const placed of layout.cities) {
      const radius = Math.hypot(placed.x - centre, placed.y - centre);
      expect(radius).toBeCloseTo(placed.depth * NETWORK_METRICS.ringGap, 0);
    }
  });

  it('spreads a ring evenly, so no two cities share a place', () => {
    const places = new Set(layout.cities.map((placed) => `${placed.x},${placed.y}`));
    expect(places.size).toBe(nodes.length);
  });

  it('keeps every city inside the drawing with room for its name', () => {
    for (const placed of layout.cities) {
      expect(placed.x).toBeGreaterThanOrEqual(NETWORK_METRICS.margin - 0.1);
      expect(placed.x).toBeLessThanOrEqual(layout.size - NETWORK_METRICS.margin + 0.1);
    }
  });

  it('draws each partnership between the two cities it joins', () => {
    const line = layout.partnerships.find((placed) => placed.to === 'us-columbus');
    expect(line).toMatchObject({ x1: at('de-dresden')?.x, y1: at('de-dresden')?.y });
    expect(line).toMatchObject({ x2: at('us-columbus')?.x, y2: at('us-columbus')?.y });
    expect(layout.partnerships).toHaveLength(edges.length);
  });

  it('draws a city without partners alone', () => {
    const alone = layoutNetwork([city('es-toledo', 'Toledo', 0)], []);
    expect(alone.cities).toHaveLength(1);
    expect(alone.size).toBe(2 * NETWORK_METRICS.margin);
  });
});
