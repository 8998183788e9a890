import type { NetworkEdge, NetworkNode } from '../api/types';

export interface PlacedCity extends NetworkNode {
  readonly x: number;
  readonly y: number;
}

export interface PlacedPartnership extends NetworkEdge {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export interface NetworkLayout {
  readonly size: number;
  readonly cities: readonly PlacedCity[];
  readonly partnerships: readonly PlacedPartnership[];
}

export const NETWORK_METRICS = { ringGap: 140, margin: 80 } as const;

const round = (value: number): number => Math.round(value * 10) / 10;

/**
 * Places the network in rings around its city: each city on the ring of its distance (in
 * partnerships) from the centre, spread evenly, and ordered by where the cities that reach it on
 * the ring inside sit, so partnerships between rings cross as little as a simple rule allows.
 */
export const layoutNetwork = (
  nodes: readonly NetworkNode[],
  edges: readonly NetworkEdge[],
): NetworkLayout => {
  const { ringGap, margin } = NETWORK_METRICS;
  const maxDepth = Math.max(0, ...nodes.map((node) => node.depth));
  const size = 2 * (maxDepth * ringGap + margin);
  const centre = size / 2;
  const angles = new Map<string, number>();
  const placed = new Map<string, PlacedCity>();

  const neighboursOf = (cityId: string): string[] =>
    edges.flatMap((edge) =>
      edge.from === cityId ? [edge.to] : edge.to === cityId ? [edge.from] : [],
    );

  for (let depth = 0; depth <= maxDepth; depth += 1) {
    const ring = nodes.filter((node) => node.depth === depth);
    const innerAngle = (node: NetworkNode): number => {
      const inner = neighboursOf(node.cityId)
        .map((id) => angles.get(id))
        .filter((angle): angle is number => angle !== undefined);
      return inner.length === 0 ? 0 : inner.reduce((sum, angle) => sum + angle, 0) / inner.length;
    };
    const sorted = [...ring].sort(
      (a, b) => innerAngle(a) - innerAngle(b) || a.name.localeCompare(b.name),
    );
    sorted.forEach((node, index) => {
      const radius = depth * ringGap;
      const angle = -Math.PI / 2 + (2 * Math.PI * index) / Math.max(1, sorted.length);
      angles.set(node.cityId, angle);
      placed.set(node.cityId, {
        ...node,
        x: round(centre + radius * Math.cos(angle)),
        y: round(centre + radius * Math.sin(angle)),
      });
    });
  }

  const partnerships = edges.flatMap((edge) => {
    const from = placed.get(edge.from);
    const to = placed.get(edge.to);
    return from === undefined || to === undefined
      ? []
      : [{ ...edge, x1: from.x, y1: from.y, x2: to.x, y2: to.y }];
  });
  return { size, cities: [...placed.values()], partnerships };
};
