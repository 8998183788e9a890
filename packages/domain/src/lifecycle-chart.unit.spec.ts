import { describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES } from './agreement-state.js';
import { lifecycleChartOf } from './lifecycle-chart.js';

describe('lifecycleChartOf', () => {
  const chart = lifecycleChartOf();

  it('draws every lifecycle state an agreement can be in, and starts at proposed', () => {
    expect(chart.states.map((state) => state.id).sort()).toEqual([...LIFECYCLE_STATES].sort());
    expect(chart.initial).toBe('proposed');
    expect(chart.states.find((state) => state.id === 'suspended')).toEqual({
      id: 'suspended',
      group: 'in_force',
      final: false,
    });
    expect(chart.states.filter((state) => state.final).map((state) => state.id)).toEqual([
      'withdrawn',
      'declined',
      'expired',
      'terminated',
    ]);
  });

  it('gives each leaf the arrows of the states that contain it', () => {
    const arrows = chart.transitions.map(({ from, to, event }) => `${from} -${event}-> ${to}`);
    expect(arrows).toEqual(
      expect.arrayContaining([
        'proposed -TermsAgreed-> negotiated',
        'proposed -TermsAccepted-> proposed',
        'partially_signed -TermsCounterProposed-> proposed',
        'negotiated -ProposalWithdrawn-> withdrawn',
        'partially_signed -AgreementSigned-> signed',
        'signed -AgreementActivated-> active',
        'active -AgreementSuspended-> suspended',
        'suspended -AgreementReinstated-> active',
        'suspended -AgreementTerminated-> terminated',
        'active -AgreementExpired-> expired',
      ]),
    );
    expect(chart.transitions.filter((arrow) => arrow.from === 'terminated')).toEqual([]);
    expect(new Set(arrows).size).toBe(arrows.length);
  });
});
