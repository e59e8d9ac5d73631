import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/env-readers';
import { startLocalStack } from './local-stack';

/** `npm start`: the whole service on 127.0.0.1, no AWS account, no Docker. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'in-memory': { type: 'boolean', default: false } } });
  const stack = await startLocalStack({ env: process.env, inMemory: values['in-memory'] ?? false });
  const show = (path: string) => relative(process.cwd(), path) || path;
  const lines = [
    'otp-courier local stack is up',
    `  hook          POST ${stack.hookUrl}`,
    `  cognito       POST ${stack.cognitoInvokeUrl}  (Lambda Invoke: the CustomSMSSender trigger)`,
    `  auth0         POST ${stack.auth0PhoneMessageUrl}${
      stack.devAuth0Issuer
        ? `  (tenant stand-in: POST ${stack.baseUrl}/oauth/token, iss ${stack.devAuth0Issuer.issuer})`
        : process.env.AUTH0_ISSUER
          ? `  (tenant ${process.env.AUTH0_ISSUER})`
          : '  (off: set AUTH0_ISSUER, or run with the dev issuer)'
    }`,
    stack.devIssuer
      ? `  dev issuer    ${stack.devIssuer.issuer}  (JWKS ${stack.devIssuer.issuer}/v1/keys)`
      : `  issuer        ${process.env.OKTA_ISSUER ?? '(header secret)'}`,
    `  templates     dynalite ${values['in-memory'] ? '(in memory)' : `(${show(stack.config.dataDir)}/dynamodb)`}, ${stack.seededTemplates} seeded; bundled catalogue behind it`,
    `  outbox        ${show(stack.config.outboxFile)}   ← the "phone": every message lands here`,
    `  providers     ${stack.providers.join(' → ')}  (route table: config/message-routes.json)`,
    ...(stack.twilioStandIn
      ? [`  twilio        stand-in on ${stack.twilioStandIn.url} (writes to the outbox as provider "twilio")`]
      : []),
    `  dead letters  ${show(stack.config.deadLetterFile)}`,
    '',
    'Send one:  npm run send -- --channel voice --locale fr-CA --phone +14155550123',
    '     or:   npm run send -- --idp cognito --trigger ForgotPassword --locale pt-BR',
    '     or:   npm run send -- --idp auth0 --message-type otp_enroll --channel voice  (runs the shipped Action)',
    'Stop with Ctrl+C.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = () => {
    stack.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    process.stderr.write('the port is in use: set PORT to another one (PORT=0 picks a free port)\n');
  } else {
    process.stderr.write(
      `could not start: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
  }
  process.exit(1);
});
