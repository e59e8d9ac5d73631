/**
 * What the hook's SDK clients leave out on the request path, measured with `npm run bench` and
 * `node --cpu-prof` (see the README's performance notes). The clients stay the official ones; only
 * their documented configuration and middleware stack are touched.
 */

/** Middleware a hook client does without, by the names the SDK registers them under. */
export const UNNEEDED_MIDDLEWARE = [
  // Builds and sets the user-agent headers on every call: AWS's usage metrics, which no API needs.
  'getUserAgentMiddleware',
  // Copies the X-Ray trace id into a header, to stop Lambda → SQS → Lambda loops: none of these calls
  // can start one, and the functions run without X-Ray. (The dead-letter client keeps it.)
  'recursionDetectionMiddleware',
  // Filters every input and output for a logger the clients are never given.
  'loggerMiddleware',
] as const;

interface TunableClient {
  readonly middlewareStack: { remove(name: string): boolean };
  readonly config: object;
}

type SignerProvider = (authScheme?: { signingName?: string; signingRegion?: string }) => Promise<unknown>;

/**
 * Trims `client` for the request path:
 * - removes UNNEEDED_MIDDLEWARE (`except` keeps some);
 * - builds the SigV4 signer once per signing name and region: the SDK's default builds a new
 *   SignatureV4 for every request, copying the whole client configuration into it. A signer holds no
 *   per-request state (credentials are asked of the client's own provider at every signature, so
 *   rotation still applies), so one per scope signs every request the same.
 */
export function tuneClient<C extends TunableClient>(
  client: C,
  options: { readonly except?: readonly (typeof UNNEEDED_MIDDLEWARE)[number][] } = {},
): C {
  for (const name of UNNEEDED_MIDDLEWARE) {
    if (!options.except?.includes(name)) client.middlewareStack.remove(name);
  }
  const config = client.config as { signer?: SignerProvider };
  const build = config.signer;
  if (typeof build === 'function') {
    const signers = new Map<string, Promise<unknown>>();
    config.signer = (authScheme) => {
      const scope = `${authScheme?.signingName ?? ''}\u0000${authScheme?.signingRegion ?? ''}`;
      let signer = signers.get(scope);
      if (!signer) {
        signer = build(authScheme);
        // A failed build (credentials not yet resolvable) is not kept: the next request tries again.
        signer.catch(() => signers.delete(scope));
        signers.set(scope, signer);
      }
      return signer;
    };
  }
  return client;
}
