import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Server-side request forgery guard: webhook URLs are chosen by admins, but the requests leave
 * from inside our network, so they must never reach loopback, private networks or cloud metadata.
 * The check runs when an endpoint is saved and again on every address a connection resolves to,
 * so a name that later resolves to a private address (DNS rebinding) is refused too.
 */

export type ForbiddenAddressClass =
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'unspecified'
  | 'cloud-metadata'
  | 'reserved';

const CIDRS: Readonly<Record<ForbiddenAddressClass, readonly [string, number, 'ipv4' | 'ipv6'][]>> =
  {
    // Checked before link-local and unique-local, which contain them.
    'cloud-metadata': [
      ['169.254.169.254', 32, 'ipv4'],
      ['fd00:ec2::254', 128, 'ipv6'],
    ],
    loopback: [
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ],
    unspecified: [
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ],
    private: [
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
    ],
    shared: [['100.64.0.0', 10, 'ipv4']],
    'link-local': [
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ],
    'unique-local': [['fc00::', 7, 'ipv6']],
    multicast: [
      ['224.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ],
    reserved: [
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['2001:db8::', 32, 'ipv6'],
      ['100::', 64, 'ipv6'],
    ],
  };

const BLOCK_LISTS = (Object.keys(CIDRS) as ForbiddenAddressClass[]).map((addressClass) => {
  const list = new BlockList();
  for (const [network, prefix, family] of CIDRS[addressClass]) {
    list.addSubnet(network, prefix, family);
  }
  return [addressClass, list] as const;
});

/** IPv4 carried inside IPv6: mapped (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::/96`). */
const embeddedIpv4Of = (address: string): string | undefined => {
  const lower = address.toLowerCase();
  const match =
    /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(lower);
  if (match === null) return undefined;
  if (match[1] !== undefined) return match[1];
  const high = Number.parseInt(match[2] ?? '0', 16);
  const low = Number.parseInt(match[3] ?? '0', 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
};

/** The forbidden class an IP address belongs to, or `undefined` for a public address. */
export const forbiddenClassOf = (address: string): ForbiddenAddressClass | undefined => {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return undefined;
  const embedded = family === 6 ? embeddedIpv4Of(bare) : undefined;
  const [checked, type] =
    embedded === undefined ? [bare, family === 4 ? 'ipv4' : 'ipv6'] : [embedded, 'ipv4'];
  for (const [addressClass, list] of BLOCK_LISTS) {
    if (list.check(checked, type as 'ipv4' | 'ipv6')) return addressClass;
  }
  return undefined;
};

export interface EndpointAddressPolicy {
  /** Plain `http:` endpoints; off by default (`WEBHOOK_ALLOW_HTTP`). */
  readonly allowHttp: boolean;
  /**
   * Host names or IP addresses exempt from the address check (`WEBHOOK_ALLOWED_HOSTS`), for an
   * internal receiver an operator trusts, or 127.0.0.1 in tests.
   */
  readonly allowedHosts: readonly string[];
}

export const DEFAULT_ADDRESS_POLICY: EndpointAddressPolicy = { allowHttp: false, allowedHosts: [] };

export type EndpointUrlRejection =
  | { readonly reason: 'invalid_url'; readonly message: string }
  | { readonly reason: 'scheme_not_allowed'; readonly message: string }
  | { readonly reason: 'credentials_in_url'; readonly message: string }
  | { readonly reason: 'forbidden_host'; readonly message: string }
  | {
      readonly reason: 'forbidden_address';
      readonly message: string;
      readonly address: string;
      readonly addressClass: ForbiddenAddressClass;
    }
  | { readonly reason: 'unresolvable'; readonly message: string };

/** Resolves a host name to every address it has (the shape of `dns.promises.lookup(…, { all })`). */
export type HostResolver = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) =>
  new Promise((resolve, reject) => {
    systemLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error === null) resolve(addresses);
      else reject(error);
    });
  });

const normaliseHost = (host: string): string => host.replace(/^\[|\]$/g, '').toLowerCase();

const isAllowed = (policy: EndpointAddressPolicy, hostOrAddress: string): boolean =>
  policy.allowedHosts.some((allowed) => normaliseHost(allowed) === normaliseHost(hostOrAddress));

/** Names that mean "this machine" or "the cloud's metadata service" whatever DNS says. */
const FORBIDDEN_NAMES = [/^localhost$/, /\.localhost$/, /^metadata\.google\.internal$/];

export class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
  readonly code = 'EWEBHOOKFORBIDDEN';
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly addressClass: ForbiddenAddressClass,
  ) {
    super(`${hostname} resolves to ${address}, a ${addressClass} address: refused`);
  }
}

const rejectionForAddress = (
  policy: EndpointAddressPolicy,
  hostname: string,
  address: string,
): EndpointUrlRejection | undefined => {
  if (isAllowed(policy, address)) return undefined;
  const addressClass = forbiddenClassOf(address);
  if (addressClass === undefined) return undefined;
  return {
    reason: 'forbidden_address',
    message: `${hostname} is (or resolves to) ${address}, a ${addressClass} address`,
    address,
    addressClass,
  };
};

export type EndpointUrlCheck =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly rejection: EndpointUrlRejection };

/**
 * Checks an endpoint URL before it is saved: scheme, no credentials, and every address the host
 * resolves to now. The connection-time lookup (`createGuardedLookup`) checks again on each connect.
 */
export const checkEndpointUrl = async (
  raw: string,
  policy: EndpointAddressPolicy,
  resolve: HostResolver = systemResolver,
): Promise<EndpointUrlCheck> => {
  const refuse = (rejection: EndpointUrlRejection): EndpointUrlCheck => ({ ok: false, rejection });
  if (!URL.canParse(raw))
    return refuse({ reason: 'invalid_url', message: 'is not an absolute URL' });
  const url = new URL(raw);
  const schemes = policy.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    return refuse({
      reason: 'scheme_not_allowed',
      message: `must use ${schemes.map((scheme) => scheme.slice(0, -1)).join(' or ')}`,
    });
  }
  if (url.username !== '' || url.password !== '') {
    return refuse({
      reason: 'credentials_in_url',
      message: 'must not carry a user name or password',
    });
  }
  const hostname = normaliseHost(url.hostname);
  if (isAllowed(policy, hostname)) return { ok: true, url };
  if (isIP(hostname) !== 0) {
    const rejection = rejectionForAddress(policy, hostname, hostname);
    return rejection === undefined ? { ok: true, url } : refuse(rejection);
  }
  if (FORBIDDEN_NAMES.some((pattern) => pattern.test(hostname))) {
    return refuse({
      reason: 'forbidden_host',
      message: `${hostname} names a local or metadata host`,
    });
  }
  let addresses: readonly LookupAddress[];
  try {
    addresses = await resolve(hostname);
  } catch {
    return refuse({ reason: 'unresolvable', message: `${hostname} does not resolve` });
  }
  if (addresses.length === 0) {
    return refuse({ reason: 'unresolvable', message: `${hostname} does not resolve` });
  }
  for (const { address } of addresses) {
    const rejection = rejectionForAddress(policy, hostname, address);
    if (rejection !== undefined) return refuse(rejection);
  }
  return { ok: true, url };
};

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` with the signature `net.connect` calls, whichever form it asks for. */
export type ConnectLookup = (
  hostname: string,
  options: LookupOptions,
  callback: LookupCallback,
) => void;

/**
 * The `lookup` for outgoing webhook connections: resolves, refuses the connection if any address
 * is forbidden, and hands the checked addresses to the socket, so the address connected to is the
 * address checked. IP-literal hosts never reach a lookup; the sender checks those itself.
 */
export const createGuardedLookup =
  (policy: EndpointAddressPolicy, resolve: HostResolver = systemResolver): ConnectLookup =>
  (hostname, options, callback) => {
    const wanted = typeof options === 'object' ? options : {};
    resolve(hostname).then(
      (resolved) => {
        const family = wanted.family === 4 || wanted.family === 6 ? wanted.family : undefined;
        const addresses = resolved.filter(
          (entry) => family === undefined || entry.family === family,
        );
        if (!isAllowed(policy, hostname)) {
          for (const { address } of addresses) {
            const addressClass = isAllowed(policy, address) ? undefined : forbiddenClassOf(address);
            if (addressClass !== undefined) {
              callback(new ForbiddenAddressError(hostname, address, addressClass), '', 0);
              return;
            }
          }
        }
        const first = addresses[0];
        if (first === undefined) {
          const error: NodeJS.ErrnoException = new Error(`${hostname} does not resolve`);
          error.code = 'ENOTFOUND';
          callback(error, '', 0);
          return;
        }
        if (wanted.all === true) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)), '', 0);
      },
    );
  };

/** Checks a host the sender is about to connect to directly (an IP literal skips `lookup`). */
export const checkLiteralHost = (
  policy: EndpointAddressPolicy,
  hostname: string,
): ForbiddenAddressError | undefined => {
  const host = normaliseHost(hostname);
  if (isIP(host) === 0 || isAllowed(policy, host)) return undefined;
  const addressClass = forbiddenClassOf(host);
  return addressClass === undefined
    ? undefined
    : new ForbiddenAddressError(host, host, addressClass);
};
