import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  checkEndpointUrl,
  checkLiteralHost,
  createGuardedLookup,
  DEFAULT_ADDRESS_POLICY,
  ForbiddenAddressError,
  forbiddenClassOf,
  type ForbiddenAddressClass,
  type HostResolver,
} from './endpoint-address-policy.js';

/** A fake DNS: names map to the addresses a test chooses. */
const resolverOf =
  (answers: Readonly<Record<string, readonly string[]>>): HostResolver =>
  (hostname) => {
    const addresses = answers[hostname];
    if (addresses === undefined)
      return Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
    return Promise.resolve(
      addresses.map((address): LookupAddress => ({
        address,
        family: address.includes(':') ? 6 : 4,
      })),
    );
  };

describe('forbidden address classes', () => {
  it.each<[string, ForbiddenAddressClass]>([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.254', 'shared'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['169.254.169.254', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'cloud-metadata'],
    ['64:ff9b::a9fe:a9fe', 'cloud-metadata'],
    ['240.0.0.1', 'reserved'],
  ])('%s is %s', (address, expected) => {
    expect(forbiddenClassOf(address)).toBe(expected);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(forbiddenClassOf(address)).toBeUndefined();
  });
});

describe('checking an endpoint URL when it is saved', () => {
  const resolve = resolverOf({
    'hooks.example.org': ['93.184.216.34', '2606:2800:220:1::1'],
    'rebind.example.org': ['93.184.216.34', '10.0.0.7'],
    'internal.example.org': ['192.168.10.20'],
    'metadata.example.org': ['169.254.169.254'],
  });

  it('accepts https to a public host', async () => {
    const check = await checkEndpointUrl(
      'https://hooks.example.org/twinning',
      DEFAULT_ADDRESS_POLICY,
      resolve,
    );
    expect(check).toMatchObject({ ok: true });
  });

  it.each([
    ['http://hooks.example.org/', 'scheme_not_allowed'],
    ['ftp://hooks.example.org/', 'scheme_not_allowed'],
    ['not a url', 'invalid_url'],
    ['https://user:pass@hooks.example.org/', 'credentials_in_url'],
    ['https://localhost/', 'forbidden_host'],
    ['https://api.localhost/', 'forbidden_host'],
    ['https://127.0.0.1/', 'forbidden_address'],
    ['https://2130706433/', 'forbidden_address'],
    ['https://0x7f.1/', 'forbidden_address'],
    ['https://[::1]/', 'forbidden_address'],
    ['https://[::ffff:127.0.0.1]/', 'forbidden_address'],
    ['https://[fd00:ec2::254]/', 'forbidden_address'],
    ['https://169.254.169.254/latest/meta-data', 'forbidden_address'],
    ['https://100.64.1.1/', 'forbidden_address'],
    ['https://internal.example.org/', 'forbidden_address'],
    ['https://rebind.example.org/', 'forbidden_address'],
    ['https://metadata.example.org/', 'forbidden_address'],
    ['https://nowhere.example.org/', 'unresolvable'],
  ])('refuses %s (%s)', async (url, reason) => {
    const check = await checkEndpointUrl(url, DEFAULT_ADDRESS_POLICY, resolve);
    expect(check).toMatchObject({ ok: false, rejection: { reason } });
  });

  it('names the address class it refused', async () => {
    const check = await checkEndpointUrl(
      'https://internal.example.org/',
      DEFAULT_ADDRESS_POLICY,
      resolve,
    );
    expect(check).toMatchObject({
      ok: false,
      rejection: { address: '192.168.10.20', addressClass: 'private' },
    });
  });

  it('lets an operator allow http and named hosts or addresses explicitly', async () => {
    const policy = { allowHttp: true, allowedHosts: ['127.0.0.1', 'internal.example.org'] };
    expect(await checkEndpointUrl('http://127.0.0.1:8080/hooks', policy, resolve)).toMatchObject({
      ok: true,
    });
    expect(await checkEndpointUrl('http://internal.example.org/', policy, resolve)).toMatchObject({
      ok: true,
    });
    expect(await checkEndpointUrl('http://10.0.0.1/', policy, resolve)).toMatchObject({
      ok: false,
    });
  });
});

describe('the connection-time lookup', () => {
  const lookupOnce = (
    lookup: ReturnType<typeof createGuardedLookup>,
    hostname: string,
    options: { all?: boolean; family?: number } = {},
  ) =>
    new Promise<{ error: Error | null; address: unknown; family?: number | undefined }>(
      (resolve) => {
        lookup(hostname, options, (error, address, family) => resolve({ error, address, family }));
      },
    );

  it('hands over the checked addresses of a public host, in either form net asks for', async () => {
    const lookup = createGuardedLookup(
      DEFAULT_ADDRESS_POLICY,
      resolverOf({ 'hooks.example.org': ['93.184.216.34'] }),
    );
    expect(await lookupOnce(lookup, 'hooks.example.org')).toEqual({
      error: null,
      address: '93.184.216.34',
      family: 4,
    });
    expect(await lookupOnce(lookup, 'hooks.example.org', { all: true })).toEqual({
      error: null,
      address: [{ address: '93.184.216.34', family: 4 }],
      family: undefined,
    });
  });

  it('refuses a name that now resolves to a private address (DNS rebinding)', async () => {
    let answer = ['93.184.216.34'];
    const lookup = createGuardedLookup(DEFAULT_ADDRESS_POLICY, (hostname) =>
      resolverOf({ [hostname]: answer })(hostname),
    );
    expect((await lookupOnce(lookup, 'rebind.example.org')).error).toBeNull();
    answer = ['127.0.0.1'];
    const refused = await lookupOnce(lookup, 'rebind.example.org');
    expect(refused.error).toBeInstanceOf(ForbiddenAddressError);
    expect(refused.error).toMatchObject({ addressClass: 'loopback' });
  });

  it('passes resolution failures on', async () => {
    const lookup = createGuardedLookup(DEFAULT_ADDRESS_POLICY, resolverOf({}));
    expect((await lookupOnce(lookup, 'nowhere.example.org')).error).toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('checks IP-literal hosts, which never reach a lookup', () => {
    expect(checkLiteralHost(DEFAULT_ADDRESS_POLICY, '10.0.0.1')).toBeInstanceOf(
      ForbiddenAddressError,
    );
    expect(checkLiteralHost(DEFAULT_ADDRESS_POLICY, '[::1]')).toBeInstanceOf(ForbiddenAddressError);
    expect(checkLiteralHost(DEFAULT_ADDRESS_POLICY, '93.184.216.34')).toBeUndefined();
    expect(
      checkLiteralHost({ allowHttp: true, allowedHosts: ['127.0.0.1'] }, '127.0.0.1'),
    ).toBeUndefined();
  });
});
