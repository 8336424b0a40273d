/**
 * The `lookup` a remote-image connection uses (node:net calls it to turn the host name into the address it connects
 * to): it resolves the name with the given resolver and passes every address through `check` before the socket may
 * use any of them; the first refusal fails the connection with that error. So the connection can only go to an
 * address that was checked at the moment of connecting — there is no later, unchecked resolution for a hostile DNS
 * server to answer differently (DNS rebinding).
 */
import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

export type Resolver = (hostname: string) => Promise<string[]>;

export function checkedLookup(resolve: Resolver, check: (hostname: string, address: string) => Error | undefined): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (resolved) => {
        // node:net asks for one family when the socket is bound to one; 0 / undefined = either.
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const addresses: LookupAddress[] = [];
        for (const address of resolved) {
          const refusal = check(hostname, address);
          if (refusal) return callback(refusal, '');
          const found = isIP(address);
          if (family === undefined || found === family) addresses.push({ address, family: found });
        }
        if (addresses.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${family ?? '4/6'} address`);
          error.code = 'ENOTFOUND';
          return callback(error, '');
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''),
    );
  };
}
