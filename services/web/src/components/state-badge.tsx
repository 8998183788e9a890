import { stateLabel } from '../i18n/translate';

/** A lifecycle state in words; colour only repeats what the words say. */
export const StateBadge = ({ state }: { readonly state: string }) => (
  <span className={`badge badge--${state}`} data-state={state}>
    {stateLabel(state)}
  </span>
);
