import { userInfo } from 'node:os';
import { NoLocalStackError } from '../cli/template-table';
import { loadDeliveryConfig } from '../config/delivery-config';
import { ConfigError, integer, readEnv } from '../config/env-readers';
import { loadConsoleAssets } from './console-assets';
import { startConsole } from './console-server';
import { templateTableSource } from './console-table';

function operatorName(): string {
  try {
    return `${userInfo().username} (console)`;
  } catch {
    return 'template console';
  }
}

/**
 * `npm run console`: the template console on 127.0.0.1, against the running local stack's table, or
 * the deployed one when AWS_REGION and TEMPLATE_TABLE are set (the operator's own AWS credentials).
 */
async function main(): Promise<void> {
  const env = process.env;
  const { delivery } = loadDeliveryConfig(env);
  const { CONSOLE_PORT } = readEnv(env, { CONSOLE_PORT: integer(8790, 0, 65535) });
  const tables = templateTableSource(env);
  // Fail now, with what to do, rather than on the first page.
  const table = await tables.current();
  const running = await startConsole({
    tables,
    assets: await loadConsoleAssets(),
    defaultLocale: delivery.defaultLocale,
    brand: delivery.brand,
    deployed: !env.DYNAMODB_ENDPOINT && Boolean(env.AWS_REGION && env.TEMPLATE_TABLE),
    operator: operatorName(),
    port: CONSOLE_PORT,
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.stdout.write(
    [
      `otp-courier template console for ${table.description}`,
      `  open  ${running.loginUrl}`,
      '',
      "The address carries this session's token: anyone with it can edit templates. It works on this",
      'machine only (127.0.0.1) and until you stop the console with Ctrl+C.',
      '',
    ].join('\n'),
  );
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof NoLocalStackError) {
    process.stderr.write(`${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    process.stderr.write(
      'the console port is in use: set CONSOLE_PORT to another one (0 picks a free port)\n',
    );
  } else {
    process.stderr.write(
      `could not start the console: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
  }
  process.exit(1);
});
