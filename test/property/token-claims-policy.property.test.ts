import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TokenPolicy } from '../../domain/token-claims-policy';
import { evaluateTokenClaims } from '../../domain/token-claims-policy';

const NOW = 1_750_000_000;
const SKEW = 30;

const policyArb: fc.Arbitrary<TokenPolicy> = fc.record({
  issuer: fc.stringMatching(/^[a-z0-9-]{1,20}$/).map((org) => `https://${org}.okta.com/oauth2/aus1`),
  audience: fc.string({ minLength: 1, maxLength: 40 }),
  clientIds: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 }),
  scope: fc.stringMatching(/^[a-z]{1,10}\.[a-z]{1,10}$/),
  clockSkewSeconds: fc.constant(SKEW),
});

// Built once: fast-check compiles stringMatching arbitraries, which is slow inside chain().
const otherScopeArb = fc.stringMatching(/^[a-z]{1,8}$/);

/** A claim set that satisfies `policy`, in any of the shapes Okta or the spec allow. */
function validClaimsArb(policy: TokenPolicy) {
  return fc.record({
    iss: fc.constant(policy.issuer),
    aud: fc.oneof(
      fc.constant<string | string[]>(policy.audience),
      fc
        .array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 3 })
        .chain((others) =>
          fc.shuffledSubarray([...others, policy.audience], { minLength: others.length + 1 }),
        ),
    ),
    sub: fc.string({ minLength: 1, maxLength: 40 }),
    cid: fc.constantFrom(...policy.clientIds),
    scp: fc
      .array(otherScopeArb, { maxLength: 3 })
      .chain((others) => fc.shuffledSubarray([...others, policy.scope], { minLength: others.length + 1 }))
      .chain((scopes) => fc.constantFrom<string[] | string>(scopes, scopes.join(' '))),
    // exp strictly after now - skew; iat not after now + skew; nbf not after now + skew.
    exp: fc.integer({ min: NOW - SKEW + 1, max: NOW + 86_400 }),
    iat: fc.integer({ min: NOW - 86_400, max: NOW + SKEW }),
    nbf: fc.option(fc.integer({ min: NOW - 86_400, max: NOW + SKEW }), { nil: undefined }),
    jti: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined }),
    ver: fc.constant(1),
  });
}

const clean = (claims: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));

const REQUIRED = ['iss', 'aud', 'sub', 'cid', 'scp', 'exp', 'iat'] as const;

/** Values that must fail each claim, given the policy. */
function badValueArb(claim: (typeof REQUIRED)[number], policy: TokenPolicy): fc.Arbitrary<unknown> {
  const notString = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
  );
  switch (claim) {
    case 'iss':
      return fc.oneof(
        notString,
        fc.string().filter((s) => s !== policy.issuer),
        fc.constant(`${policy.issuer}/`),
        fc.constant(policy.issuer.toUpperCase()).filter((s) => s !== policy.issuer),
      );
    case 'aud':
      return fc.oneof(
        fc.integer(),
        fc.constant([]),
        fc.string().filter((s) => s !== policy.audience),
        fc.array(
          fc.string().filter((s) => s !== policy.audience),
          { maxLength: 3 },
        ),
      );
    case 'sub':
      return fc.oneof(notString, fc.constant(''));
    case 'cid':
      return fc.oneof(
        notString,
        fc.string().filter((s) => !policy.clientIds.includes(s)),
      );
    case 'scp':
      return fc.oneof(
        fc.integer(),
        fc.constant(null),
        fc.array(
          fc.string().filter((s) => s !== policy.scope),
          { maxLength: 3 },
        ),
        fc.constant(policy.scope.toUpperCase()),
        fc.constant(`${policy.scope}x`),
      );
    case 'exp':
      return fc.oneof(
        fc.integer({ min: 0, max: NOW - SKEW }),
        fc.constant(`${NOW + 100}`),
        fc.constant(Number.NaN),
        fc.constant(null),
      );
    case 'iat':
      return fc.oneof(
        fc.integer({ min: NOW + SKEW + 1, max: NOW + 10 ** 8 }),
        fc.constant(`${NOW}`),
        fc.constant(null),
      );
  }
}

describe('evaluateTokenClaims', () => {
  it('accepts every claim set that satisfies the policy, normalising scp to an array', () => {
    fc.assert(
      fc.property(
        policyArb.chain((policy) => fc.tuple(fc.constant(policy), validClaimsArb(policy))),
        ([policy, claims]) => {
          const decision = evaluateTokenClaims(clean(claims), policy, NOW);
          expect(decision).toMatchObject({ ok: true });
          if (decision.ok) {
            expect(decision.claims.scp).toContain(policy.scope);
            expect(decision.claims.sub).toBe(claims.sub);
            expect(decision.claims.cid).toBe(claims.cid);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects any claim set with one required claim missing', () => {
    fc.assert(
      fc.property(
        policyArb.chain((policy) => fc.tuple(fc.constant(policy), validClaimsArb(policy))),
        fc.constantFrom(...REQUIRED),
        ([policy, claims], missing) => {
          const payload = clean(claims);
          delete payload[missing];
          expect(evaluateTokenClaims(payload, policy, NOW).ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects any claim set with one required claim altered', () => {
    fc.assert(
      fc.property(
        policyArb.chain((policy) =>
          fc.tuple(
            fc.constant(policy),
            validClaimsArb(policy),
            fc
              .constantFrom(...REQUIRED)
              .chain((claim) => fc.tuple(fc.constant(claim), badValueArb(claim, policy))),
          ),
        ),
        ([policy, claims, [claim, bad]]) => {
          const decision = evaluateTokenClaims({ ...clean(claims), [claim]: bad }, policy, NOW);
          expect(decision.ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rejects a not-yet-valid nbf beyond the skew', () => {
    fc.assert(
      fc.property(
        policyArb.chain((policy) => fc.tuple(fc.constant(policy), validClaimsArb(policy))),
        fc.integer({ min: NOW + SKEW + 1, max: NOW + 10 ** 6 }),
        ([policy, claims], nbf) => {
          expect(evaluateTokenClaims({ ...clean(claims), nbf }, policy, NOW)).toEqual({
            ok: false,
            reason: 'not-yet-valid',
          });
        },
      ),
    );
  });
});

describe('evaluateTokenClaims: boundaries and reasons', () => {
  const policy: TokenPolicy = {
    issuer: 'https://example.okta.com/oauth2/aus1',
    audience: 'api://otp-courier',
    clientIds: ['0oa1'],
    scope: 'otp.send',
    clockSkewSeconds: 30,
  };
  const good = {
    iss: policy.issuer,
    aud: policy.audience,
    sub: '0oa1',
    cid: '0oa1',
    scp: ['otp.send'],
    iat: NOW - 10,
    exp: NOW + 3600,
  };

  it.each([
    [{ exp: NOW - 30 }, 'expired'],
    [{ exp: NOW - 29 }, null],
    [{ iat: NOW + 30 }, null],
    [{ iat: NOW + 31 }, 'issued-in-future'],
    [{ iss: 'https://example.okta.com' }, 'wrong-issuer'],
    [{ aud: ['x', 'y'] }, 'wrong-audience'],
    [{ cid: undefined }, 'client-not-allowed'],
    [{ scp: 'openid otp.send' }, null],
    [{ scp: 'openid' }, 'missing-scope'],
    [{ scp: [1] }, 'invalid-scope'],
    [{ jti: 5 }, 'invalid-jti'],
  ])('%j → %s', (change, reason) => {
    const decision = evaluateTokenClaims(clean({ ...good, ...change }), policy, NOW);
    expect(decision).toEqual(reason === null ? expect.objectContaining({ ok: true }) : { ok: false, reason });
  });

  it('fails closed with an empty client list or scope', () => {
    expect(evaluateTokenClaims(good, { ...policy, clientIds: [] }, NOW)).toEqual({
      ok: false,
      reason: 'client-not-allowed',
    });
    expect(evaluateTokenClaims({ ...good, scp: [''] }, { ...policy, scope: '' }, NOW)).toEqual({
      ok: false,
      reason: 'missing-scope',
    });
  });

  it('enforces maxTokenAgeSeconds when set', () => {
    const aged = { ...policy, maxTokenAgeSeconds: 600 };
    expect(evaluateTokenClaims({ ...good, iat: NOW - 631 }, aged, NOW)).toEqual({
      ok: false,
      reason: 'too-old',
    });
    expect(evaluateTokenClaims({ ...good, iat: NOW - 630 }, aged, NOW).ok).toBe(true);
  });
});

describe('evaluateTokenClaims: the Auth0 profile', () => {
  const policy: TokenPolicy = {
    issuer: 'https://my-tenant.eu.auth0.com/',
    audience: 'https://otp-courier.example.com/api',
    clientIds: ['m2mClient1'],
    scope: 'send:phone-message',
    clockSkewSeconds: 30,
    clientClaim: 'azp',
    scopeClaim: 'scope',
    grantType: 'client-credentials',
  };
  // A client-credentials access token as Auth0 issues it (Auth0 token profile).
  const good = {
    iss: policy.issuer,
    sub: 'm2mClient1@clients',
    aud: policy.audience,
    azp: 'm2mClient1',
    scope: 'read:x send:phone-message',
    gty: 'client-credentials',
    iat: NOW - 10,
    exp: NOW + 86_400,
  };

  it.each([
    [{}, null],
    [{ gty: 'password' }, 'wrong-grant-type'],
    [{ gty: undefined }, 'wrong-grant-type'],
    [{ gty: ['client-credentials'] }, 'wrong-grant-type'],
    [{ azp: 'another' }, 'client-not-allowed'],
    // Okta's claim names do not stand in for Auth0's.
    [{ azp: undefined, cid: 'm2mClient1' }, 'client-not-allowed'],
    [{ scope: ['send:phone-message'] }, 'invalid-scope'],
    [{ scope: undefined, scp: ['send:phone-message'] }, 'invalid-scope'],
    [{ iss: 'https://my-tenant.eu.auth0.com' }, 'wrong-issuer'],
  ])('%j → %s', (change, reason) => {
    const decision = evaluateTokenClaims(clean({ ...good, ...change }), policy, NOW);
    expect(decision).toEqual(reason === null ? expect.objectContaining({ ok: true }) : { ok: false, reason });
  });
});
