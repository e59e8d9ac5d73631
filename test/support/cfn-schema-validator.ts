import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type {
  Property,
  PropertyType,
  Resource,
  SpecDatabase,
  TypeDefinition,
} from '@aws-cdk/service-spec-types';
import type { CfnTemplate } from '../../scripts/cloudformation-yaml';

// Validates a template's resources against the CloudFormation resource schemas that
// @aws-cdk/aws-service-spec ships (its db.json.gz merges the CloudFormation registry schemas and the
// SAM specification, offline). Unknown property names, missing required properties and wrong
// primitive types are errors. Intrinsic functions are accepted where a value is expected, except
// Fn::If, whose branches are both validated.

let cached: SpecDatabase | undefined;
export function specDatabase(): SpecDatabase {
  cached ??= loadAwsServiceSpecSync();
  return cached;
}

const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'Metadata',
  'Condition',
  'DependsOn',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
]);

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NoValue',
  'AWS::NotificationARNs',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

type Check = (value: unknown, path: string) => string[];

interface Supplement {
  /** Why the bundled SAM specification lacks this, with the SAM version that added it. */
  reason: string;
  check: Check;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function intrinsicName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0] as string;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

function isNoValue(value: unknown): boolean {
  return isObject(value) && value.Ref === 'AWS::NoValue';
}

export class CfnSchemaValidator {
  private readonly db = specDatabase();
  private readonly supplements: Record<string, Record<string, Supplement>>;
  private readonly samObjects: Record<string, Record<string, Check>>;

  constructor() {
    const lambda = this.resourceSpec('AWS::Lambda::Function');
    const stage = this.resourceSpec('AWS::ApiGateway::Stage');
    const loggingConfig = lambda?.properties.LoggingConfig;
    const methodSettings = stage?.properties.MethodSettings;
    this.supplements = {
      'AWS::Serverless::Function': {
        LoggingConfig: {
          reason:
            'SAM v1.82.0 (2023-11) passes LoggingConfig through to AWS::Lambda::Function; the bundled SAM spec predates it',
          check: (v, p) =>
            loggingConfig ? this.checkProperty(loggingConfig, v, p) : [`${p}: no Lambda schema`],
        },
      },
    };
    // Where the bundled SAM specification types a property as free JSON, check it against what the
    // SAM developer guide documents (AWS::Serverless::Api MethodSettings becomes the generated
    // AWS::ApiGateway::Stage's MethodSettings; Auth.Authorizers.<name> is a LambdaTokenAuthorizer).
    this.samObjects = {
      'AWS::Serverless::Api.MethodSettings': {
        '': (v, p) => (methodSettings ? this.checkProperty(methodSettings, v, p) : [`${p}: no Stage schema`]),
      },
      'AWS::Serverless::Api.Auth.Authorizers': {
        '': (v, p) => this.checkLambdaAuthorizers(v, p),
      },
    };
  }

  resourceSpec(type: string): Resource | undefined {
    return this.db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
  }

  validate(template: CfnTemplate): string[] {
    const errors: string[] = [];
    const resources = template.Resources;
    const parameters = template.Parameters ?? {};
    const conditions = template.Conditions ?? {};
    for (const [id, resource] of Object.entries(resources)) {
      const path = `Resources.${id}`;
      for (const key of Object.keys(resource)) {
        if (!RESOURCE_ATTRIBUTES.has(key)) errors.push(`${path}: unknown resource attribute ${key}`);
      }
      for (const dep of [resource.DependsOn ?? []].flat()) {
        if (!(dep in resources)) errors.push(`${path}.DependsOn: no resource ${dep}`);
      }
      if (resource.Condition !== undefined && !(resource.Condition in conditions)) {
        errors.push(`${path}.Condition: no condition ${resource.Condition}`);
      }
      const spec = this.resourceSpec(resource.Type);
      if (!spec) {
        errors.push(`${path}: unknown resource type ${resource.Type}`);
        continue;
      }
      errors.push(...this.checkResource(spec, resource.Properties ?? {}, `${path}.Properties`));
    }
    errors.push(
      ...this.checkReferences(template, new Set([...Object.keys(resources), ...Object.keys(parameters)])),
    );
    return errors;
  }

  private checkResource(spec: Resource, props: unknown, path: string): string[] {
    if (!isObject(props)) return [`${path}: must be an object`];
    const supplements = this.supplements[spec.cloudFormationType] ?? {};
    const errors: string[] = [];
    for (const [name, property] of Object.entries(spec.properties)) {
      if (property.required && !(name in props)) errors.push(`${path}: missing required property ${name}`);
    }
    for (const [name, value] of Object.entries(props)) {
      const property = spec.properties[name];
      const supplement = supplements[name];
      if (property && spec.cloudFormationType === 'AWS::Serverless::Function' && name === 'Events') {
        // Checked by event Type in checkEvents.
      } else if (property) {
        errors.push(
          ...this.checkSam(`${spec.cloudFormationType}.${name}`, value, `${path}.${name}`, property),
        );
      } else if (supplement) {
        errors.push(...supplement.check(value, `${path}.${name}`));
      } else {
        errors.push(`${path}: unknown property ${name} for ${spec.cloudFormationType}`);
      }
    }
    if (spec.cloudFormationType === 'AWS::Serverless::Function')
      errors.push(...this.checkEvents(props, path));
    return errors;
  }

  private checkSam(key: string, value: unknown, path: string, property: Property): string[] {
    const errors = this.checkProperty(property, value, path);
    if (key === 'AWS::Serverless::Api.MethodSettings') {
      const check = this.samObjects[key]?.[''];
      if (check) errors.push(...check(value, path));
    }
    if (key === 'AWS::Serverless::Api.Auth' && isObject(value) && value.Authorizers !== undefined) {
      const check = this.samObjects['AWS::Serverless::Api.Auth.Authorizers']?.[''];
      if (check) errors.push(...check(value.Authorizers, `${path}.Authorizers`));
    }
    return errors;
  }

  /** SAM picks an event's schema by its Type; checking against the union would hide which one failed. */
  private checkEvents(props: Record<string, unknown>, path: string): string[] {
    const events = props.Events;
    if (!isObject(events)) return [];
    const byType: Record<string, string> = {
      Api: 'ApiEvent',
      HttpApi: 'HttpApiEvent',
      SQS: 'SQSEvent',
      SNS: 'SNSEvent',
      Schedule: 'ScheduleEvent',
    };
    const fn = this.resourceSpec('AWS::Serverless::Function') as Resource;
    const defs = this.db.follow('usesType', fn).map((link) => link.entity);
    const errors: string[] = [];
    for (const [name, event] of Object.entries(events)) {
      if (!isObject(event)) continue;
      const defName = byType[String(event.Type)];
      const def = defs.find((d) => d.name === defName);
      if (!def) {
        errors.push(`${path}.Events.${name}: event type ${String(event.Type)} is not checked here; add it`);
        continue;
      }
      errors.push(...this.checkObject(def, event.Properties, `${path}.Events.${name}.Properties`));
    }
    return errors;
  }

  private checkLambdaAuthorizers(value: unknown, path: string): string[] {
    if (!isObject(value)) return [`${path}: must be a map of authorizers`];
    // From the SAM developer guide: AWS::Serverless::Api LambdaTokenAuthorizer / LambdaTokenAuthorizationIdentity.
    const authorizerKeys: Record<string, 'string' | 'boolean' | 'object'> = {
      FunctionArn: 'string',
      FunctionInvokeRole: 'string',
      FunctionPayloadType: 'string',
      Identity: 'object',
      DisableFunctionDefaultPermissions: 'boolean',
    };
    const identityKeys: Record<string, 'string' | 'integer'> = {
      Header: 'string',
      ValidationExpression: 'string',
      ReauthorizeEvery: 'integer',
    };
    const errors: string[] = [];
    for (const [name, authorizer] of Object.entries(value)) {
      const p = `${path}.${name}`;
      if (!isObject(authorizer)) {
        errors.push(`${p}: must be an object`);
        continue;
      }
      if (authorizer.FunctionPayloadType !== 'TOKEN') {
        errors.push(`${p}: only TOKEN authorizers are checked here (FunctionPayloadType)`);
      }
      if (!('FunctionArn' in authorizer)) errors.push(`${p}: missing required property FunctionArn`);
      for (const [key, v] of Object.entries(authorizer)) {
        const kind = authorizerKeys[key];
        if (!kind) errors.push(`${p}: unknown property ${key} for a SAM Lambda TOKEN authorizer`);
        else errors.push(...this.checkPrimitive(kind, v, `${p}.${key}`));
      }
      if (isObject(authorizer.Identity)) {
        for (const [key, v] of Object.entries(authorizer.Identity)) {
          const kind = identityKeys[key];
          if (!kind) errors.push(`${p}.Identity: unknown property ${key} for a TOKEN authorizer identity`);
          else errors.push(...this.checkPrimitive(kind, v, `${p}.Identity.${key}`));
        }
      }
    }
    return errors;
  }

  private checkPrimitive(kind: string, value: unknown, path: string): string[] {
    if (intrinsicName(value)) return [];
    switch (kind) {
      case 'string':
        return typeof value === 'string' ? [] : [`${path}: expected a string, got ${JSON.stringify(value)}`];
      case 'number':
      case 'integer': {
        const ok =
          (typeof value === 'number' && (kind === 'number' || Number.isInteger(value))) ||
          (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value));
        return ok ? [] : [`${path}: expected ${kind}, got ${JSON.stringify(value)}`];
      }
      case 'boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false'
          ? []
          : [`${path}: expected a boolean, got ${JSON.stringify(value)}`];
      case 'object':
        return isObject(value) ? [] : [`${path}: expected an object`];
      default:
        return [];
    }
  }

  private checkProperty(property: Property, value: unknown, path: string): string[] {
    const candidates = [property.type, ...(property.previousTypes ?? [])];
    let best: string[] | undefined;
    for (const type of candidates) {
      const errors = this.checkType(type, value, path);
      if (errors.length === 0) return [];
      if (!best || errors.length < best.length) best = errors;
    }
    return best ?? [];
  }

  private checkType(type: PropertyType, value: unknown, path: string): string[] {
    const fn = intrinsicName(value);
    if (fn === 'Fn::If' && isObject(value) && Array.isArray(value['Fn::If'])) {
      const [, yes, no] = value['Fn::If'] as unknown[];
      return [yes, no]
        .filter((branch) => !isNoValue(branch))
        .flatMap((branch) => this.checkType(type, branch, path));
    }
    if (fn) return [];
    switch (type.type) {
      case 'string':
      case 'number':
      case 'integer':
      case 'boolean':
        return this.checkPrimitive(type.type, value, path);
      case 'date-time':
        return typeof value === 'string' ? [] : [`${path}: expected a date-time string`];
      case 'json':
        return [];
      case 'null':
        return value === null ? [] : [`${path}: expected null`];
      case 'tag':
        return isObject(value) && 'Key' in value && 'Value' in value
          ? []
          : [`${path}: expected a {Key, Value} tag`];
      case 'array':
        if (!Array.isArray(value))
          return [`${path}: expected a list, got ${JSON.stringify(value)?.slice(0, 60)}`];
        return value.flatMap((item, i) =>
          isNoValue(item) ? [] : this.checkType(type.element, item, `${path}[${i}]`),
        );
      case 'map':
        if (!isObject(value)) return [`${path}: expected a map`];
        return Object.entries(value).flatMap(([k, v]) =>
          isNoValue(v) ? [] : this.checkType(type.element, v, `${path}.${k}`),
        );
      case 'union': {
        let best: string[] | undefined;
        for (const member of type.types) {
          const errors = this.checkType(member, value, path);
          if (errors.length === 0) return [];
          if (!best || errors.length < best.length) best = errors;
        }
        return best ?? [];
      }
      case 'ref':
        return this.checkObject(this.db.get('typeDefinition', type.reference.$ref), value, path);
      default:
        return [`${path}: schema type ${JSON.stringify(type)} not understood by the validator`];
    }
  }

  private checkObject(def: TypeDefinition, value: unknown, path: string): string[] {
    if (!isObject(value))
      return [`${path}: expected an object (${def.name}), got ${JSON.stringify(value)?.slice(0, 60)}`];
    const errors: string[] = [];
    for (const [name, property] of Object.entries(def.properties)) {
      if (property.required && !(name in value))
        errors.push(`${path}: missing required property ${name} of ${def.name}`);
    }
    for (const [name, v] of Object.entries(value)) {
      const property = def.properties[name];
      if (!property) errors.push(`${path}: unknown property ${name} for ${def.name}`);
      else if (!isNoValue(v)) errors.push(...this.checkProperty(property, v, `${path}.${name}`));
    }
    return errors;
  }

  /** Every Ref / GetAtt / ${…} names a parameter, a resource or a pseudo parameter. */
  private checkReferences(template: CfnTemplate, names: Set<string>): string[] {
    const errors: string[] = [];
    const conditions = new Set(Object.keys(template.Conditions ?? {}));
    const known = (name: string) => names.has(name) || PSEUDO_PARAMETERS.has(name);
    const visit = (value: unknown, path: string): void => {
      if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) visit(v, `${path}[${i}]`);
        return;
      }
      if (!isObject(value)) return;
      for (const [key, v] of Object.entries(value)) {
        if (key === 'Ref' && typeof v === 'string') {
          // SAM resolves "<Api>.Stage" / "<Function>.Alias" references itself.
          if (!known(v.split('.')[0] as string)) errors.push(`${path}: Ref to unknown ${v}`);
        } else if (key === 'Fn::GetAtt' && Array.isArray(v)) {
          if (!names.has(String(v[0]))) errors.push(`${path}: GetAtt of unknown resource ${String(v[0])}`);
        } else if (key === 'Fn::Sub') {
          const text = typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : '';
          const locals = Array.isArray(v) && isObject(v[1]) ? new Set(Object.keys(v[1])) : new Set<string>();
          for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = (match[1] as string).split('.')[0] as string;
            if (!known(name) && !locals.has(name)) errors.push(`${path}: \${${match[1]}} names nothing`);
          }
        } else if (
          (key === 'Fn::If' || key === 'Condition') &&
          Array.isArray(v) &&
          typeof v[0] === 'string'
        ) {
          if (!conditions.has(v[0])) errors.push(`${path}: unknown condition ${v[0]}`);
        }
        visit(v, `${path}.${key}`);
      }
    };
    visit(template.Resources, 'Resources');
    visit(template.Outputs, 'Outputs');
    visit(template.Conditions, 'Conditions');
    return errors;
  }
}
