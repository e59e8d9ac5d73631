import fc from 'fast-check';

/**
 * Property tests explore new random inputs on every developer run, which is how they find bugs. In CI
 * the seed is pinned (FC_SEED overrides it), so a gate that passed once passes again for the same
 * commit, and a counterexample found locally is reproduced with FC_SEED=<the seed fast-check printed>.
 */
const pinned = process.env.FC_SEED ?? (process.env.CI === 'true' ? '20261125' : undefined);
if (pinned !== undefined) fc.configureGlobal({ seed: Number(pinned) });
