import { DomainError } from '@smart-regency/platform';
import { LookupAddress } from 'dns';
import { Resolver as DnsResolver } from 'dns/promises';
import ipaddr from 'ipaddr.js';
import { isIP } from 'net';

/** Resolves a host name to its addresses (the system resolver; tests give a stub). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** Each DNS query gives up after this long (and is tried twice): a receiver's slow DNS costs its own attempts only. */
const DNS_TIMEOUT_MS = 2000;
const dns = new DnsResolver({ timeout: DNS_TIMEOUT_MS, tries: 2 });

/**
 * The system's DNS servers, asked directly (c-ares: A and AAAA, with a time limit), not
 * getaddrinfo: that runs on libuv's four-thread pool and cannot be cancelled, so a few receivers
 * with hanging DNS would hold every thread and stall everyone's lookups. /etc/hosts is not read;
 * WEBHOOK_HOSTS pins names instead.
 */
export const systemResolver: Resolver = async (hostname) => {
  const [v4, v6] = await Promise.allSettled([dns.resolve4(hostname), dns.resolve6(hostname)]);
  const addresses = [
    ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
    ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
  ];
  if (!addresses.length) throw v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : Object.assign(new Error(`no address for ${hostname}`), { code: 'ENODATA' });
  return addresses;
};

/** Static `name=address` entries first (WEBHOOK_HOSTS), then `fallback` (the system's DNS, or nothing). */
export function configuredResolver(hosts: string, fallback?: Resolver): Resolver {
  const table = new Map<string, string[]>();
  for (const pair of hosts.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, address] = pair.split('=');
    table.set(name.toLowerCase(), [...(table.get(name.toLowerCase()) ?? []), address]);
  }
  return async (hostname) => {
    const known = table.get(hostname.toLowerCase());
    if (known) return known.map((address) => ({ address, family: isIP(address) }));
    if (fallback) return fallback(hostname);
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  };
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96') as Range;

export class TargetRefused extends DomainError {
  constructor(reason: string) {
    super('NOTIFICATIONS.TARGET_REFUSED', reason, [{ field: 'url', message: reason, rule: 'target' }]);
  }
}

function parseRanges(list: string): Range[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      if (item.includes('/')) return ipaddr.parseCIDR(item) as Range;
      const address = ipaddr.process(item);
      return [address, address.kind() === 'ipv4' ? 32 : 128] as Range;
    });
}

/**
 * Where webhooks may go. Only public unicast addresses, unless an address is in the regency's
 * allowed ranges: loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast,
 * documentation, and IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo) are
 * refused. Host names are checked on every attempt, at the moment of connecting, so a name that
 * later resolves to a private address (DNS rebinding) is refused before any connection.
 */
export class TargetGuard {
  private readonly allowed: Range[];
  /** Lookups under way, by name. */
  private readonly resolving = new Map<string, Promise<LookupAddress[]>>();

  constructor(
    allowedRanges: string,
    private readonly allowHttp: boolean,
    readonly resolve: Resolver = systemResolver,
  ) {
    this.allowed = parseRanges(allowedRanges);
  }

  /** Why an address may not be connected to, or undefined when it may. */
  addressProblem(address: string): string | undefined {
    if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
    const parsed = ipaddr.process(address);
    if (this.allowed.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits))) return undefined;
    const range = parsed.range();
    if (range !== 'unicast') return `${parsed.toString()} is a ${range} address`;
    // IPv4-compatible (::a.b.c.d, deprecated by RFC 4291): ipaddr.js calls it unicast, yet it
    // embeds an IPv4 address that some stacks (sit tunnels) send the packet to.
    if (parsed.kind() === 'ipv6' && parsed.match(IPV4_COMPATIBLE)) return `${parsed.toString()} is an IPv4-compatible address`;
    return undefined;
  }

  /** The URL's form: scheme, no fragment, and (for an IP literal) its address. Throws TargetRefused. */
  checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TargetRefused('the URL cannot be parsed');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.allowHttp)) throw new TargetRefused('only https targets are allowed');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const problem = this.addressProblem(host);
      if (problem) throw new TargetRefused(`target refused: ${problem}`);
    } else if (!/^[a-z0-9._-]+$/i.test(host)) {
      throw new TargetRefused(`target refused: ${host} is not a host name`);
    }
    return url;
  }

  /** The URL's form and every address its host resolves to (all must be allowed). */
  async checkTarget(raw: string): Promise<URL> {
    const url = this.checkUrl(raw);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!isIP(host)) await this.resolveChecked(host);
    return url;
  }

  /** Resolves a host and refuses it when any of its addresses is not allowed (fail closed). */
  async resolveChecked(host: string): Promise<LookupAddress[]> {
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolveOnce(host);
    } catch (error) {
      throw new TargetRefused(`${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (!addresses.length) throw new TargetRefused(`${host} does not resolve`);
    for (const a of addresses) {
      const problem = this.addressProblem(a.address);
      if (problem) throw new TargetRefused(`target refused: ${host} resolves to ${problem}`);
    }
    return addresses;
  }

  /**
   * One lookup at a time per name; attempts that connect meanwhile share its answer (nothing is
   * kept after it: the next attempt asks again), so a receiver with slow DNS does not multiply its
   * queries by its attempts in flight.
   */
  private resolveOnce(host: string): Promise<LookupAddress[]> {
    const key = host.toLowerCase();
    let answer = this.resolving.get(key);
    if (!answer) {
      answer = this.resolve(host).finally(() => this.resolving.delete(key));
      this.resolving.set(key, answer);
    }
    return answer;
  }

  /**
   * A `lookup` for http.request: the connection goes only to addresses checked here, so nothing
   * is ever connected to between a check and a connect.
   */
  lookup() {
    return (hostname: string, options: { all?: boolean; family?: number } | number, callback: (...args: unknown[]) => void): void => {
      const all = typeof options === 'object' && options?.all;
      this.resolveChecked(hostname).then(
        (addresses) => (all ? callback(null, addresses) : callback(null, addresses[0].address, addresses[0].family)),
        (error: Error) => callback(Object.assign(new Error(error.message), { code: 'ETARGETREFUSED' })),
      );
    };
  }
}
