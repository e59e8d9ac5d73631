import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NoLocalStackError } from '../cli/template-table';
import { type ConsoleOptions, HttpError, type Route, redirect, send } from './console-http';
import { ConsoleSecurity, newSessionToken, SECURITY_HEADERS } from './console-security';
import { editorRoutes } from './editor-routes';
import { messagePage } from './pages/layout';
import { RequestBodyError } from './request-body';
import { tableRoutes } from './table-routes';

export type { ConsoleOptions };

export interface RunningConsole {
  /** Open this: it carries the session token. */
  readonly loginUrl: string;
  readonly origin: string;
  readonly port: number;
  readonly csrfToken: string;
  close(): Promise<void>;
}

/** Starts the console on 127.0.0.1 only. */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const token = options.token ?? newSessionToken();
  let security: ConsoleSecurity | undefined;
  const routes: Record<string, Route> = {
    ...tableRoutes(options),
    ...editorRoutes(options),
    // Browsers ask for it on every page; an empty answer keeps the console's log free of 404s.
    'GET /favicon.ico': async (ctx) => {
      ctx.response.writeHead(204, SECURITY_HEADERS);
      ctx.response.end();
    },
    'GET /assets/console.js': async (ctx) =>
      send(ctx.response, 200, 'text/javascript; charset=utf-8', options.assets.script),
    'GET /assets/console.css': async (ctx) =>
      send(ctx.response, 200, 'text/css; charset=utf-8', options.assets.stylesheet),
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (!security) throw new Error('console not listening');
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    const verdict = security.check(request.method ?? 'GET', request.url ?? '/', request.headers);
    if (verdict.kind === 'refuse') {
      request.resume();
      return send(
        response,
        verdict.status,
        'text/html; charset=utf-8',
        messagePage('Not allowed', verdict.reason),
      );
    }
    if (verdict.kind === 'login')
      return redirect(response, verdict.location, { 'set-cookie': verdict.setCookie });
    const url = new URL(request.url ?? '/', security.origin);
    const route = routes[`${method} ${url.pathname}`];
    if (!route) {
      request.resume();
      const exists = Object.keys(routes).some((r) => r.endsWith(` ${url.pathname}`));
      return send(
        response,
        exists ? 405 : 404,
        'text/html; charset=utf-8',
        messagePage(
          exists ? 'Method not allowed' : 'Not found',
          exists ? 'This address does not take that method.' : 'No such page.',
        ),
      );
    }
    await route({ request, response, url, security });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const known =
        error instanceof HttpError || error instanceof RequestBodyError
          ? { status: error.status, text: error.message }
          : error instanceof NoLocalStackError
            ? { status: 503, text: error.message }
            : undefined;
      if (!known)
        process.stderr.write(
          `console: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
        );
      if (response.headersSent) return void response.destroy();
      request.resume();
      send(
        response,
        known?.status ?? 500,
        'text/html; charset=utf-8',
        messagePage(
          known ? 'Cannot do that' : 'Something went wrong',
          known?.text ??
            `The console failed (${error instanceof Error ? error.name : 'error'}); the terminal running it says more.`,
        ),
      );
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only, whatever the environment says: the console has no other authentication.
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  security = new ConsoleSecurity(token, port);
  return {
    loginUrl: security.loginUrl(),
    origin: security.origin,
    port,
    csrfToken: security.csrfToken,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await options.tables.close();
    },
  };
}
