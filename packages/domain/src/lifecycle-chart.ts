import type { AnyStateNode } from 'xstate';
import type { LifecycleState } from './agreement-state.js';
import { MACHINE_VERSION, machineForVersion } from './machine-versions.js';

export interface LifecycleChartState {
  readonly id: LifecycleState;
  /** The compound state it belongs to (`negotiating`, `in_force`), or `null` at the top level. */
  readonly group: string | null;
  readonly final: boolean;
}

export interface LifecycleChartTransition {
  readonly from: LifecycleState;
  /** Equal to `from` for a fact that is recorded without changing the state. */
  readonly to: LifecycleState;
  /** The domain event (fact) that takes the agreement along this arrow. */
  readonly event: string;
}

/** The lifecycle as a drawing needs it: its leaf states and every arrow between them. */
export interface LifecycleChart {
  readonly machineVersion: number;
  /** The state a proposal starts in. */
  readonly initial: LifecycleState;
  readonly states: readonly LifecycleChartState[];
  readonly transitions: readonly LifecycleChartTransition[];
}

const isLeaf = (node: AnyStateNode): boolean => node.type === 'atomic' || node.type === 'final';

/** The leaf a transition into `node` ends in, following initial states down. */
const leafOf = (node: AnyStateNode): AnyStateNode => {
  const initial = node.initial.target[0];
  return isLeaf(node) || initial === undefined ? node : leafOf(initial);
};

const leavesOf = (node: AnyStateNode): AnyStateNode[] =>
  Object.values(node.states).flatMap((child) => (isLeaf(child) ? [child] : leavesOf(child)));

const ancestorsOf = (node: AnyStateNode): AnyStateNode[] =>
  node.parent === undefined ? [] : [node.parent, ...ancestorsOf(node.parent)];

/**
 * Reads the chart off the machine definition itself, so the drawing can never disagree with the
 * rules that decide. A leaf inherits the arrows of the states that contain it unless it handles
 * the same event itself. `not_proposed` is left out: no agreement is ever shown in it.
 */
export const lifecycleChartOf = (machineVersion: number = MACHINE_VERSION): LifecycleChart => {
  const machine = machineForVersion(machineVersion);
  const start = machine.root.initial.target[0];
  const proposal = start?.transitions.get('AgreementProposed')?.[0]?.target?.[0];
  if (start === undefined || proposal === undefined) {
    throw new Error(`lifecycle machine version ${machineVersion} has no proposal transition`);
  }
  const leaves = leavesOf(machine.root).filter((leaf) => leaf !== start);
  const states = leaves.map((leaf) => ({
    id: leaf.key as LifecycleState,
    group: leaf.parent === undefined || leaf.parent === machine.root ? null : leaf.parent.key,
    final: leaf.type === 'final',
  }));
  const transitions = leaves.flatMap((leaf) => {
    const handled = new Set<string>();
    return [leaf, ...ancestorsOf(leaf)].flatMap((node) =>
      [...node.transitions.entries()].flatMap(([event, definitions]) => {
        if (handled.has(event)) return [];
        handled.add(event);
        return definitions.map((definition) => {
          const target = definition.target?.[0];
          return {
            from: leaf.key as LifecycleState,
            to: (target === undefined ? leaf : leafOf(target)).key as LifecycleState,
            event,
          };
        });
      }),
    );
  });
  return {
    machineVersion,
    initial: leafOf(proposal).key as LifecycleState,
    states,
    transitions,
  };
};
