import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkImport,
  findViolations,
  IDP_NEUTRAL_EDGE,
  importsOf,
  layerOf,
} from '../support/dependency-rule';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the hexagon dependency rule', () => {
  it('holds for every source file in the tree', () => {
    expect(findViolations(root)).toEqual([]);
  });

  it('flags each kind of violation (the check can fail)', () => {
    expect(checkImport('domain', '../ports/clock', 'ports')).toMatch(/domain/);
    expect(checkImport('domain', '@aws-sdk/client-sqs', undefined)).toMatch(/pure/);
    expect(checkImport('domain', 'node:fs/promises', undefined)).toMatch(/pure/);
    expect(checkImport('ports', '../adapters/okta/x', 'adapters/okta')).toMatch(/ports/);
    expect(checkImport('adapters/okta', '../../app/tokens', 'app')).toMatch(/app/);
    expect(checkImport('adapters/okta', '../dynamodb/x', 'adapters/dynamodb')).toMatch(/another adapter/);
    // One IdP adapter never reaches into another: Cognito does not borrow Okta's phone or body code.
    expect(checkImport('adapters/cognito', '../okta/okta-hook-request', 'adapters/okta')).toMatch(
      /another adapter/,
    );
    expect(checkImport('adapters/okta', '../cognito/cognito-inbound', 'adapters/cognito')).toMatch(
      /another adapter/,
    );
  });

  it('keeps the shared edge IdP-neutral: it imports no adapter', () => {
    expect(IDP_NEUTRAL_EDGE).toContain('app/http-hook-endpoint.ts');
    for (const file of IDP_NEUTRAL_EDGE) {
      const source = readFileSync(join(root, file), 'utf8');
      expect(
        importsOf(source).filter((s) => s.includes('adapters/')),
        file,
      ).toEqual([]);
    }
  });

  it('allows what the design allows', () => {
    expect(checkImport('adapters/okta', '../../domain/errors', 'domain')).toBeUndefined();
    expect(checkImport('adapters/okta', './okta-hook-reply', 'adapters/okta')).toBeUndefined();
    expect(checkImport('app', '../adapters/okta/x', 'adapters/okta')).toBeUndefined();
    expect(checkImport('domain', 'fast-xml-parser', undefined)).toBeUndefined();
  });

  it('reads static, type-only, re-export and dynamic imports', () => {
    const source = `import a from './a';\nimport type { B } from "../b";\nexport { c } from './c';\nconst d = await import('./d');\nimport './e';`;
    expect(importsOf(source).sort()).toEqual(['../b', './a', './c', './d', './e']);
    expect(layerOf('adapters/okta/okta-hook-request.ts')).toBe('adapters/okta');
  });
});
