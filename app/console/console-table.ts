import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NoLocalStackError, openTemplateTable, type TemplateTable } from '../cli/template-table';
import { loadLocalConfig } from '../config/local-config';
import { DYNAMO_ENDPOINT_FILE } from '../local/local-stack';

/** Where the console's templates live, opened the way the template CLI opens them. */
export interface TableSource {
  /** The table to use now; throws NoLocalStackError when the local stack is not running. */
  current(): Promise<TemplateTable>;
  close(): Promise<void>;
}

/** A table that is already open (tests). */
export function fixedTable(table: TemplateTable): TableSource {
  return { current: async () => table, close: () => table.close() };
}

async function advertisedEndpoint(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dataDir, DYNAMO_ENDPOINT_FILE), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * The deployed table (AWS_REGION + TEMPLATE_TABLE), an explicit endpoint (DYNAMODB_ENDPOINT), or the
 * running local stack's dynalite. The console runs for hours and `npm start` may restart meanwhile on
 * another port, so in the local case the endpoint the stack advertises is re-read on each use (a file
 * read) and the client reopened when it moved; the console never opens the data dir itself (LevelDB
 * allows one process).
 */
export function templateTableSource(env: NodeJS.ProcessEnv): TableSource {
  const local = !(env.DYNAMODB_ENDPOINT || (env.AWS_REGION && env.TEMPLATE_TABLE));
  const { dataDir } = loadLocalConfig(env);
  let open: TemplateTable | undefined;
  let opening: Promise<TemplateTable> | undefined;
  return {
    async current() {
      if (open && local) {
        const endpoint = await advertisedEndpoint(dataDir);
        if (endpoint === open.localEndpoint) return open;
        const stale = open;
        open = undefined;
        await stale.close();
        if (endpoint === undefined) {
          throw new NoLocalStackError(
            `the local stack for ${dataDir} stopped: start it again with npm start`,
          );
        }
      }
      if (open) return open;
      opening ??= openTemplateTable(env, undefined, { embedded: false }).finally(() => {
        opening = undefined;
      });
      open = await opening;
      return open;
    },
    async close() {
      await open?.close();
      open = undefined;
    },
  };
}
