import { readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';

// CloudFormation's short-form intrinsics (!Ref, !Sub, …) are YAML local tags. Each becomes its long
// form ({"Fn::Sub": …}) so tests and the build read the template exactly as CloudFormation does.
const FUNCTIONS = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Length',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
] as const;

function longForm(name: string, value: unknown): Record<string, unknown> {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    // "Resource.Attribute.Part": only the first dot separates the logical id.
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

function tagsFor(name: string): Tags {
  const tag = `!${name}`;
  return [
    { tag, resolve: (value: string) => longForm(name, value) },
    { tag, collection: 'seq', resolve: (seq) => longForm(name, seq.toJSON()) },
    { tag, collection: 'map', resolve: (map) => longForm(name, map.toJSON()) },
  ];
}

export const cloudFormationTags: Tags = ['Ref', 'Condition', 'GetAtt', ...FUNCTIONS].flatMap(tagsFor);

export type CfnValue = unknown;

export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  Metadata?: Record<string, CfnValue>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string;
  Transform?: string | string[];
  Description?: string;
  Metadata?: Record<string, CfnValue>;
  Parameters?: Record<string, Record<string, CfnValue>>;
  Conditions?: Record<string, CfnValue>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: CfnValue; Description?: string }>;
}

export function parseCloudFormation(source: string): CfnTemplate {
  // CloudFormation templates use YAML 1.1-ish scalars but every value here is quoted or plain text;
  // 'core' keeps "on"/"yes" as strings.
  const template = parse(source, {
    customTags: cloudFormationTags,
    schema: 'core',
    uniqueKeys: true,
  }) as unknown;
  if (typeof template !== 'object' || template === null || !('Resources' in template)) {
    throw new Error('not a CloudFormation template: no Resources section');
  }
  return template as CfnTemplate;
}

export function loadTemplate(path: string): CfnTemplate {
  return parseCloudFormation(readFileSync(path, 'utf8'));
}
