// The Actions runtime stand-in lives with the local stack (`npm run send -- --idp auth0` uses it too).
export * from '../../app/local/auth0-actions-runtime';
