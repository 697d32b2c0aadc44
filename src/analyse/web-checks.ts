import type { Finding, Observation } from '../types.js';

// A site that answers plain HTTP while HTTPS fails (no listener on 443, a failed handshake) is
// a fact about the site, not a failed audit: what HTTP showed is classified like any response.

/** HTTPS failed and the HTTP fallback answered: the site is served over plain HTTP only. */
export function plainHttpOnly(obs: Observation): boolean {
  const { tls, http } = obs;
  return (
    tls !== undefined &&
    tls.status !== 'OK' &&
    http !== undefined &&
    http.scheme === 'http' &&
    (http.status === 'OK' || http.status === 'NOERROR')
  );
}

export function webFindings(obs: Observation): Omit<Finding, 'message'>[] {
  if (!plainHttpOnly(obs)) return [];
  return [{ kind: 'no-https', severity: 'low', args: { status: obs.tls!.status } }];
}
