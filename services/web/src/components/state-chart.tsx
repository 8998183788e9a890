import { useId } from 'react';
import type { LifecycleChart } from '../api/types';
import { eventLabel, labelOf, stateLabel, t } from '../i18n/translate';
import { layoutLifecycleChart, nextStepsFrom } from '../lifecycle/chart-layout';

/**
 * The lifecycle drawn as a state chart, the agreement's state highlighted, with the same in
 * words beside it: every state (the current one marked) and what may happen next.
 */
export const StateChart = ({
  chart,
  current,
}: {
  readonly chart: LifecycleChart;
  readonly current: string | null;
}) => {
  const id = useId();
  const layout = layoutLifecycleChart(chart);
  const title =
    current === null ? t('chart.titleNoCurrent') : t('chart.title', { state: stateLabel(current) });
  const next = current === null ? [] : nextStepsFrom(chart, current);
  return (
    <div className="state-chart">
      <figure className="state-chart__figure">
        <svg
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          role="img"
          aria-labelledby={`${id}-title ${id}-desc`}
          className="state-chart__svg"
          data-current-state={current ?? ''}
        >
          <title id={`${id}-title`}>{title}</title>
          <desc id={`${id}-desc`}>{t('chart.description')}</desc>
          <defs>
            <marker
              id={`${id}-arrow`}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M 0 0 L 10 5 L 0 10 z" className="state-chart__arrow-head" />
            </marker>
          </defs>
          {layout.groups.map((group) => (
            <g key={group.id} className="state-chart__group">
              <rect x={group.x} y={group.y} width={group.width} height={group.height} rx={10} />
              <text x={group.x + 10} y={group.y + 14}>
                {labelOf('group', group.id)}
              </text>
            </g>
          ))}
          {layout.edges.map((edge) => (
            <path
              key={`${edge.from}-${edge.to}`}
              d={edge.path}
              className={
                edge.from === current
                  ? 'state-chart__edge state-chart__edge--next'
                  : 'state-chart__edge'
              }
              markerEnd={`url(#${id}-arrow)`}
            >
              <title>
                {`${stateLabel(edge.from)} → ${stateLabel(edge.to)}: ${edge.events.map(eventLabel).join(', ')}`}
              </title>
            </path>
          ))}
          {layout.nodes.map((node) => {
            const isCurrent = node.id === current;
            const classes = [
              'state-chart__node',
              node.final ? 'state-chart__node--final' : '',
              isCurrent ? 'state-chart__node--current' : '',
            ].join(' ');
            return (
              <g
                key={node.id}
                className={classes}
                data-state={node.id}
                data-current={isCurrent ? 'true' : undefined}
              >
                <rect
                  x={node.x}
                  y={node.y}
                  width={node.width}
                  height={node.height}
                  rx={node.final ? 4 : 22}
                />
                {node.final ? (
                  <rect
                    x={node.x + 3}
                    y={node.y + 3}
                    width={node.width - 6}
                    height={node.height - 6}
                    rx={2}
                    className="state-chart__inner"
                  />
                ) : null}
                <text x={node.x + node.width / 2} y={node.y + node.height / 2 + 5}>
                  {stateLabel(node.id)}
                </text>
              </g>
            );
          })}
        </svg>
      </figure>
      <div className="state-chart__text">
        <details>
          <summary>{t('chart.statesHeading')}</summary>
          <ul className="state-chart__states">
            {chart.states.map((state) => (
              <li key={state.id} aria-current={state.id === current ? 'step' : undefined}>
                {state.id === current ? (
                  <strong>
                    {stateLabel(state.id)} {t('chart.current')}
                  </strong>
                ) : (
                  stateLabel(state.id)
                )}
                {state.final ? ` (${t('chart.final')})` : ''}
              </li>
            ))}
          </ul>
        </details>
        {current === null ? null : (
          <>
            <h3 className="state-chart__next-heading">{t('chart.nextHeading')}</h3>
            {next.length === 0 ? (
              <p>{t('chart.nothingNext')}</p>
            ) : (
              <ul>
                {next.map((step) => (
                  <li key={`${step.event}-${step.to}`}>
                    {step.to === current
                      ? t('chart.stays', {
                          event: eventLabel(step.event),
                          state: stateLabel(step.to),
                        })
                      : t(
                          eventLabel(step.event) === stateLabel(step.to)
                            ? 'chart.nextSameName'
                            : 'chart.next',
                          { event: eventLabel(step.event), state: stateLabel(step.to) },
                        )}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </div>
  );
};
