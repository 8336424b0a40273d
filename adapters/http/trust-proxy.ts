/**
 * GLANCE_HTTP_TRUST_PROXY as fastify's `trustProxy` option. fastify takes true, false and proxy addresses/CIDR ranges
 * as they are, but treats a bare number of hops as "trust nothing" (it cannot tell a proxy from a direct client), so
 * a hop count becomes a trust function here: the connecting peer and the next `hops - 1` X-Forwarded-For entries are
 * proxies, and the client is the entry after them (Express' meaning of a number). Only safe when the server can be
 * reached through the proxies alone; naming the proxies' addresses is safer.
 */
export type FastifyTrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

export function fastifyTrustProxy(setting: boolean | number | string[]): FastifyTrustProxy {
  if (typeof setting !== 'number') return setting;
  const hops = setting;
  return (_address, hop) => hop < hops;
}
