import { useId } from 'react';
import type { CityNetwork } from '../api/types';
import { stateLabel, t } from '../i18n/translate';
import { layoutNetwork } from '../network/network-layout';

/** The partnership network drawn in rings around its city, with the same as a list. */
export const NetworkGraph = ({
  network,
  cityName,
}: {
  readonly network: CityNetwork;
  readonly cityName: string;
}) => {
  const id = useId();
  const layout = layoutNetwork(network.nodes, network.edges);
  const names = new Map(network.nodes.map((node) => [node.cityId, node.name]));
  return (
    <div className="network">
      <figure className="network__figure">
        <svg
          viewBox={`0 0 ${layout.size} ${layout.size}`}
          role="img"
          aria-labelledby={`${id}-title ${id}-desc`}
          className="network__svg"
        >
          <title id={`${id}-title`}>
            {t('city.network.graphTitle', { city: cityName, depth: network.depth })}
          </title>
          <desc id={`${id}-desc`}>{t('city.network.description', { city: cityName })}</desc>
          {layout.partnerships.map((line) => (
            <line
              key={line.agreementId}
              x1={line.x1}
              y1={line.y1}
              x2={line.x2}
              y2={line.y2}
              className={`network__edge network__edge--${line.state}`}
            />
          ))}
          {layout.cities.map((city) => (
            <g
              key={city.cityId}
              className={city.depth === 0 ? 'network__city network__city--centre' : 'network__city'}
              data-city={city.cityId}
            >
              <circle cx={city.x} cy={city.y} r={city.depth === 0 ? 10 : 7} />
              <text x={city.x} y={city.y - 14}>
                {city.name}
              </text>
            </g>
          ))}
        </svg>
      </figure>
      <p>
        {t('city.network.cities', {
          count: network.nodes.length,
          edges: network.edges.length,
        })}
        {network.truncated
          ? ` ${t('city.network.truncated', { count: network.nodes.length })}`
          : ''}
      </p>
      <details>
        <summary>{t('city.network.listHeading')}</summary>
        <ul>
          {network.edges.map((edge) => (
            <li key={edge.agreementId}>
              {t('city.network.edge', {
                from: names.get(edge.from) ?? edge.from,
                to: names.get(edge.to) ?? edge.to,
                state: stateLabel(edge.state),
              })}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
};
