// curl's --connect-to HOST1:PORT1:HOST2:PORT2: connect to HOST2:PORT2 whenever HOST1:PORT1 is
// wanted, keeping the name for SNI and Host. This is how tests and the demo reach loopback labs.
import { isIP } from 'node:net';
import { ConfigError } from '../errors.js';

/** `null` means "any" on the from side and "keep" on the to side. */
export interface ConnectToRule {
  fromHost: string | null;
  fromPort: number | null;
  toHost: string | null;
  toPort: number | null;
}

export interface ConnectTarget {
  host: string;
  port: number;
  rule?: ConnectToRule;
}

const HOST_NAME = /^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?$/;

function normHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/** Splits off one host field (bracketed IPv6 allowed) and the ':' after it. */
function takeHost(rest: string, fail: (why: string) => never): [string, string] {
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) fail('unclosed "[" in an IPv6 address');
    const ip = rest.slice(1, end);
    if (isIP(ip) !== 6) fail(`"${ip}" in brackets is not an IPv6 address`);
    if (rest[end + 1] !== ':') fail('expected ":" after "]"');
    return [ip, rest.slice(end + 2)];
  }
  const colon = rest.indexOf(':');
  if (colon < 0) fail('expected HOST1:PORT1:HOST2:PORT2');
  return [rest.slice(0, colon), rest.slice(colon + 1)];
}

function port(text: string, which: string, fail: (why: string) => never): number | null {
  if (text === '') return null;
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    fail(`${which} "${text}" is not a port number (1-65535)`);
  }
  return Number(text);
}

export function parseConnectTo(spec: string): ConnectToRule {
  const fail = (why: string): never => {
    throw new ConfigError(`--connect-to "${spec}": ${why}`);
  };
  const [host1, afterHost1] = takeHost(spec.trim(), fail);
  const colon = afterHost1.indexOf(':');
  if (colon < 0) fail('expected HOST1:PORT1:HOST2:PORT2');
  const port1 = afterHost1.slice(0, colon);
  const [host2, port2] = takeHost(afterHost1.slice(colon + 1), fail);
  if (port2.includes(':')) fail('too many ":" (put IPv6 addresses in brackets)');

  const fromHost = host1 === '' ? null : normHost(host1);
  if (fromHost !== null && !isIP(fromHost) && !HOST_NAME.test(fromHost)) {
    fail(`HOST1 "${host1}" is not a host name or IP address`);
  }
  // A name here would need a system DNS lookup, which singlepath never does behind the user's back.
  if (host2 !== '' && !isIP(host2)) fail(`HOST2 "${host2}" must be an IP address`);
  return {
    fromHost,
    fromPort: port(port1, 'PORT1', fail),
    toHost: host2 === '' ? null : host2.toLowerCase(),
    toPort: port(port2, 'PORT2', fail),
  };
}

/** First matching rule wins, as in curl. */
export function applyConnectTo(rules: readonly ConnectToRule[], host: string, port: number): ConnectTarget {
  const name = normHost(host);
  for (const rule of rules) {
    if (rule.fromHost !== null && rule.fromHost !== name) continue;
    if (rule.fromPort !== null && rule.fromPort !== port) continue;
    return { host: rule.toHost ?? host, port: rule.toPort ?? port, rule };
  }
  return { host, port };
}
