import type { LifecycleChart } from '../api/types';

export interface ChartNode {
  readonly id: string;
  readonly group: string | null;
  readonly final: boolean;
  /** Top-left corner and size, in the drawing's units. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly column: number;
  readonly row: number;
}

export interface ChartGroup {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface ChartEdge {
  readonly from: string;
  readonly to: string;
  /** Every event that takes an agreement from `from` to `to`. */
  readonly events: readonly string[];
  /** SVG path data, ending where the arrow head goes. */
  readonly path: string;
}

export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly ChartNode[];
  readonly groups: readonly ChartGroup[];
  readonly edges: readonly ChartEdge[];
}

export const CHART_METRICS = {
  nodeWidth: 136,
  nodeHeight: 44,
  columnGap: 48,
  rowGap: 40,
  margin: 24,
  /** Room above the first row for group labels and arrows that curve back over it. */
  top: 72,
  groupPadding: 10,
} as const;

/**
 * Steps from the initial state along the arrows (breadth first), so that the lifecycle reads
 * left to right; states no arrow reaches go after the last column.
 */
const columnsOf = (chart: LifecycleChart): ReadonlyMap<string, number> => {
  const columns = new Map<string, number>([[chart.initial, 0]]);
  const queue = [chart.initial];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    const column = columns.get(state) ?? 0;
    for (const { from, to } of chart.transitions) {
      if (from === state && to !== from && !columns.has(to)) {
        columns.set(to, column + 1);
        queue.push(to);
      }
    }
  }
  const last = Math.max(0, ...columns.values());
  for (const state of chart.states) {
    if (!columns.has(state.id)) columns.set(state.id, last + 1);
  }
  return columns;
};

interface Box {
  readonly cx: number;
  readonly cy: number;
  readonly halfWidth: number;
  readonly halfHeight: number;
}

const boxOf = (node: ChartNode): Box => ({
  cx: node.x + node.width / 2,
  cy: node.y + node.height / 2,
  halfWidth: node.width / 2,
  halfHeight: node.height / 2,
});

/** Where the line from the box's centre towards (dx, dy) leaves the box. */
const borderPoint = (box: Box, dx: number, dy: number): readonly [number, number] => {
  const scale = Math.min(
    dx === 0 ? Infinity : box.halfWidth / Math.abs(dx),
    dy === 0 ? Infinity : box.halfHeight / Math.abs(dy),
  );
  return [box.cx + dx * scale, box.cy + dy * scale];
};

const round = (value: number): number => Math.round(value * 10) / 10;
const point = ([x, y]: readonly [number, number]): string => `${round(x)} ${round(y)}`;

const edgePath = (from: ChartNode, to: ChartNode): string => {
  const a = boxOf(from);
  const b = boxOf(to);
  if (from.row === to.row && to.column < from.column) {
    // Backwards along a row (a counter-proposal, a reinstatement): an arc over the row.
    const lift = CHART_METRICS.top - 16 - 12 * Math.min(3, from.column - to.column - 1);
    const start: readonly [number, number] = [a.cx - 36, from.y];
    const end: readonly [number, number] = [b.cx + 36, to.y];
    return `M ${point(start)} C ${point([start[0], from.y - lift])} ${point([end[0], to.y - lift])} ${point(end)}`;
  }
  if (from.column === to.column && Math.abs(to.row - from.row) > 1) {
    // Down a column past another state: bow out to the right of it.
    const side = a.cx + a.halfWidth + CHART_METRICS.columnGap / 2;
    const start: readonly [number, number] = [a.cx + a.halfWidth, a.cy];
    const end: readonly [number, number] = [b.cx + b.halfWidth, b.cy];
    return `M ${point(start)} C ${point([side, a.cy])} ${point([side, b.cy])} ${point(end)}`;
  }
  const dx = b.cx - a.cx;
  const dy = b.cy - a.cy;
  return `M ${point(borderPoint(a, dx, dy))} L ${point(borderPoint(b, -dx, -dy))}`;
};

/**
 * Lays the lifecycle out as a chart: states in columns by how many steps they are from the
 * initial state, the states that carry on first in each column and the final ones below them;
 * groups (negotiating, in force) boxed; one arrow per pair of states, naming all its events.
 */
export const layoutLifecycleChart = (chart: LifecycleChart): ChartLayout => {
  const m = CHART_METRICS;
  const columns = columnsOf(chart);
  const rowsUsed = new Map<number, number>();
  const ordered = [
    ...chart.states.filter((state) => !state.final),
    ...chart.states.filter((state) => state.final),
  ];
  const nodes: ChartNode[] = ordered.map((state) => {
    const column = columns.get(state.id) ?? 0;
    const row = rowsUsed.get(column) ?? 0;
    rowsUsed.set(column, row + 1);
    return {
      id: state.id,
      group: state.group,
      final: state.final,
      x: m.margin + column * (m.nodeWidth + m.columnGap),
      y: m.top + row * (m.nodeHeight + m.rowGap),
      width: m.nodeWidth,
      height: m.nodeHeight,
      column,
      row,
    };
  });
  const byId = new Map(nodes.map((node) => [node.id, node]));

  const groupIds = [...new Set(nodes.flatMap((node) => (node.group === null ? [] : [node.group])))];
  const groups: ChartGroup[] = groupIds.map((id) => {
    const members = nodes.filter((node) => node.group === id);
    const left = Math.min(...members.map((node) => node.x)) - m.groupPadding;
    const top = Math.min(...members.map((node) => node.y)) - m.groupPadding - 18;
    const right = Math.max(...members.map((node) => node.x + node.width)) + m.groupPadding;
    const bottom = Math.max(...members.map((node) => node.y + node.height)) + m.groupPadding;
    return { id, x: left, y: top, width: right - left, height: bottom - top };
  });

  const pairs = new Map<string, { from: string; to: string; events: string[] }>();
  for (const { from, to, event } of chart.transitions) {
    if (from === to || !byId.has(from) || !byId.has(to)) continue;
    const key = `${from}\u0000${to}`;
    const pair = pairs.get(key) ?? { from, to, events: [] };
    if (!pair.events.includes(event)) pair.events.push(event);
    pairs.set(key, pair);
  }
  const edges: ChartEdge[] = [...pairs.values()].flatMap(({ from, to, events }) => {
    const source = byId.get(from);
    const target = byId.get(to);
    return source === undefined || target === undefined
      ? []
      : [{ from, to, events, path: edgePath(source, target) }];
  });

  const width = Math.max(...nodes.map((node) => node.x + node.width), 0) + m.margin + m.columnGap;
  const height = Math.max(...nodes.map((node) => node.y + node.height), 0) + m.margin;
  return { width, height, nodes, groups, edges };
};

/** What may happen in a state: each event and the state it leads to (the same for a record). */
export const nextStepsFrom = (
  chart: LifecycleChart,
  state: string,
): readonly { readonly event: string; readonly to: string }[] =>
  chart.transitions
    .filter((transition) => transition.from === state)
    .map(({ event, to }) => ({ event, to }));
