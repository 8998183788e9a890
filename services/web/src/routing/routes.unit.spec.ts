import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from './routes';

const id = '0b8e6a3c-4f1d-4c2a-9e7b-5d6f7a8b9c0d';

describe('hash routes', () => {
  it.each<[string, Route]>([
    ['', { page: 'agreements', filters: {} }],
    ['#/', { page: 'agreements', filters: {} }],
    ['#/agreements', { page: 'agreements', filters: {} }],
    [
      '#/agreements?state=proposed&q=dres',
      { page: 'agreements', filters: { state: 'proposed', q: 'dres' } },
    ],
    ['#/agreements/new', { page: 'propose' }],
    [`#/agreements/${id}`, { page: 'agreement', agreementId: id }],
    [`#/agreements/${id}/audit`, { page: 'audit', agreementId: id }],
    ['#/cities', { page: 'city', cityId: null }],
    ['#/cities/gb-coventry', { page: 'city', cityId: 'gb-coventry' }],
    ['#/admin/webhooks', { page: 'webhooks', endpointId: null }],
    [`#/admin/webhooks/${id}`, { page: 'webhooks', endpointId: id }],
  ])('%s names its page, and links back to it', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    expect(parseRoute(hrefOf(route))).toEqual(route);
  });

  it.each([
    '#/nowhere',
    `#/agreements/${id}/history`,
    `#/agreements/${id}/audit/more`,
    '#/cities/gb-coventry/network',
    '#/agreements/%2E%2E%2Fadmin',
    '#/agreements/%E0%A4%A',
    '#/admin',
  ])('%s is no page', (hash) => {
    expect(parseRoute(hash).page).toBe('not-found');
  });

  it('leaves empty filters out of a link', () => {
    expect(hrefOf({ page: 'agreements', filters: { state: '', q: 'kiel' } })).toBe(
      '#/agreements?q=kiel',
    );
  });
});
