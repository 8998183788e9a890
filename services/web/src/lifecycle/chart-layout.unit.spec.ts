import { describe, expect, it } from 'vitest';
import { LIFECYCLE_V1 } from '../testing/lifecycle-fixture';
import { CHART_METRICS, layoutLifecycleChart, nextStepsFrom } from './chart-layout';

describe('the lifecycle chart layout', () => {
  const layout = layoutLifecycleChart(LIFECYCLE_V1);
  const node = (id: string) => {
    const found = layout.nodes.find((candidate) => candidate.id === id);
    if (found === undefined) throw new Error(`no node ${id}`);
    return found;
  };

  it('reads left to right from the proposal to the partnership in force', () => {
    const mainLine = [
      'proposed',
      'negotiated',
      'partially_signed',
      'signed',
      'active',
      'suspended',
    ];
    expect(mainLine.map((id) => [node(id).column, node(id).row])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 0],
      [5, 0],
    ]);
  });

  it('puts the final states below the states that carry on', () => {
    for (const id of ['withdrawn', 'declined', 'expired', 'terminated']) {
      expect(node(id).row).toBeGreaterThan(0);
      expect(node(id).final).toBe(true);
    }
    expect([node('withdrawn').column, node('declined').column]).toEqual([1, 1]);
    expect([node('expired').column, node('terminated').column]).toEqual([5, 5]);
  });

  it('never lets two states overlap, and keeps every state inside the drawing', () => {
    for (const a of layout.nodes) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.y).toBeGreaterThanOrEqual(0);
      expect(a.x + a.width).toBeLessThanOrEqual(layout.width);
      expect(a.y + a.height).toBeLessThanOrEqual(layout.height);
      for (const b of layout.nodes) {
        if (a === b) continue;
        const apart =
          a.x + a.width <= b.x ||
          b.x + b.width <= a.x ||
          a.y + a.height <= b.y ||
          b.y + b.height <= a.y;
        expect(apart, `${a.id} and ${b.id}`).toBe(true);
      }
    }
  });

  it('boxes the groups around their states', () => {
    const negotiating = layout.groups.find((group) => group.id === 'negotiating');
    expect(negotiating).toBeDefined();
    for (const id of ['proposed', 'negotiated', 'partially_signed']) {
      const member = node(id);
      expect(member.x).toBeGreaterThan(negotiating?.x ?? Infinity);
      expect(member.x + member.width).toBeLessThan(
        (negotiating?.x ?? 0) + (negotiating?.width ?? 0),
      );
    }
    expect(layout.groups.map((group) => group.id)).toEqual(['negotiating', 'in_force']);
  });

  it('draws one arrow per pair of states, naming each event, and none for records in place', () => {
    const toWithdrawn = layout.edges.filter((edge) => edge.to === 'withdrawn');
    expect(toWithdrawn.map((edge) => edge.from)).toEqual([
      'proposed',
      'negotiated',
      'partially_signed',
    ]);
    expect(layout.edges.some((edge) => edge.from === edge.to)).toBe(false);
    const terminated = layout.edges.find(
      (edge) => edge.from === 'suspended' && edge.to === 'terminated',
    );
    expect(terminated?.events).toEqual(['AgreementTerminated']);
    expect(layout.edges).toHaveLength(
      new Set(
        LIFECYCLE_V1.transitions.filter((t) => t.from !== t.to).map((t) => `${t.from}>${t.to}`),
      ).size,
    );
  });

  it('curves arrows that go back along the row over it', () => {
    const reinstated = layout.edges.find(
      (edge) => edge.from === 'suspended' && edge.to === 'active',
    );
    expect(reinstated?.path).toMatch(/^M [\d.]+ [\d.]+ C /);
    const [, , startY] = /^M ([\d.]+) ([\d.]+)/.exec(reinstated?.path ?? '') ?? [];
    expect(Number(startY)).toBe(CHART_METRICS.top);
  });

  it('tells what may happen next in a state, records in place included', () => {
    expect(nextStepsFrom(LIFECYCLE_V1, 'signed')).toEqual([
      { event: 'AgreementActivated', to: 'active' },
    ]);
    expect(nextStepsFrom(LIFECYCLE_V1, 'active')).toContainEqual({
      event: 'AgreementRenewed',
      to: 'active',
    });
    expect(nextStepsFrom(LIFECYCLE_V1, 'terminated')).toEqual([]);
  });

  it('places states no arrow reaches after the last column', () => {
    const chart = {
      ...LIFECYCLE_V1,
      states: [...LIFECYCLE_V1.states, { id: 'archived', group: null, final: true }],
    };
    const archived = layoutLifecycleChart(chart).nodes.find(
      (candidate) => candidate.id === 'archived',
    );
    expect(archived?.column).toBe(6);
  });
});
