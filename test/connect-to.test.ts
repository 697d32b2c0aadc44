import { describe, expect, it } from 'vitest';
import { applyConnectTo, parseConnectTo } from '../src/collect/connect-to.js';
import { ConfigError } from '../src/errors.js';

describe('parseConnectTo', () => {
  it.each([
    [
      'example.com:443:127.0.0.1:8443',
      { fromHost: 'example.com', fromPort: 443, toHost: '127.0.0.1', toPort: 8443 },
    ],
    ['::127.0.0.1:8443', { fromHost: null, fromPort: null, toHost: '127.0.0.1', toPort: 8443 }],
    [':443:127.0.0.1:', { fromHost: null, fromPort: 443, toHost: '127.0.0.1', toPort: null }],
    ['Example.COM.:80::8080', { fromHost: 'example.com', fromPort: 80, toHost: null, toPort: 8080 }],
    ['[2001:db8::1]:443:[::1]:8443', { fromHost: '2001:db8::1', fromPort: 443, toHost: '::1', toPort: 8443 }],
    [
      'a.test:443:[::FFFF:127.0.0.1]:',
      { fromHost: 'a.test', fromPort: 443, toHost: '::ffff:127.0.0.1', toPort: null },
    ],
    [':::', { fromHost: null, fromPort: null, toHost: null, toPort: null }],
  ])('%s', (spec, rule) => {
    expect(parseConnectTo(spec)).toEqual(rule);
  });

  it.each([
    ['example.com:443:127.0.0.1', /expected HOST1:PORT1:HOST2:PORT2/],
    ['example.com', /expected HOST1:PORT1:HOST2:PORT2/],
    ['example.com:https:127.0.0.1:443', /PORT1 "https"/],
    ['example.com:443:127.0.0.1:70000', /PORT2 "70000"/],
    ['example.com:0:127.0.0.1:1', /PORT1 "0"/],
    ['example.com:443:::1:8443', /HOST2|too many|port/i],
    ['example.com:443:127.0.0.1:80:90', /too many ":"/],
    ['[::1:443:127.0.0.1:80', /unclosed/],
    ['[nope]:443:127.0.0.1:80', /not an IPv6/],
    ['[::1]443:127.0.0.1:80', /after "]"/],
    ['bad host:443:127.0.0.1:80', /HOST1 "bad host"/],
    ['example.com:443:localhost:80', /HOST2 "localhost" must be an IP address/],
  ])('rejects %s', (spec, why) => {
    let err: unknown;
    try {
      parseConnectTo(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(spec);
    expect((err as Error).message).toMatch(why);
  });
});

describe('applyConnectTo', () => {
  const rules = ['a.test:443:127.0.0.2:8443', 'a.test::127.0.0.3:', ':80::8080', '::127.0.0.9:9999'].map(
    parseConnectTo,
  );

  it('first matching rule wins, as in curl', () => {
    expect(applyConnectTo(rules, 'a.test', 443)).toMatchObject({
      host: '127.0.0.2',
      port: 8443,
      rule: rules[0],
    });
    expect(applyConnectTo(rules, 'A.Test.', 80)).toMatchObject({
      host: '127.0.0.3',
      port: 80,
      rule: rules[1],
    });
    expect(applyConnectTo(rules, 'b.test', 80)).toMatchObject({ host: 'b.test', port: 8080, rule: rules[2] });
    expect(applyConnectTo(rules, 'b.test', 443)).toMatchObject({
      host: '127.0.0.9',
      port: 9999,
      rule: rules[3],
    });
  });

  it('leaves host and port alone without a match', () => {
    expect(applyConnectTo(rules.slice(0, 2), 'b.test', 443)).toEqual({ host: 'b.test', port: 443 });
    expect(applyConnectTo([], 'a.test', 443)).toEqual({ host: 'a.test', port: 443 });
  });
});
