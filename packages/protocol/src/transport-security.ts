/**
 * Credentials never cross a network in clear (issue 15, item 12): a URL that will carry a password, a
 * token or a node token must be `https:`, unless it points at this machine (loopback) or its
 * configuration says, explicitly, that plain HTTP is accepted (a test bench, a TLS-terminating sidecar).
 */

/** True for `localhost`, `127.0.0.0/8` and `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Why `url` may not carry credentials, or undefined when it may: `https:`, or `http:` to a loopback
 * address, or `http:` anywhere with `allowInsecureHttp`.
 *
 * @example insecureCredentialUrl('http://hub.example.org') // 'http:// to a host other than this machine ...'
 */
export function insecureCredentialUrl(url: string, allowInsecureHttp = false): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.protocol === 'https:') return undefined;
  if (u.protocol !== 'http:') return `the scheme ${u.protocol} is not http(s)`;
  if (allowInsecureHttp || isLoopbackHost(u.hostname)) return undefined;
  return `http:// to a host other than this machine would send credentials in clear: use https://, or set allowInsecureHttp: true`;
}
