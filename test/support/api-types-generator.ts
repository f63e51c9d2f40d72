/**
 * The console's API types, written from the OpenAPI document: one interface per schema of
 * `components.schemas`. A small generator rather than openapi-typescript, which builds its
 * output with the TypeScript compiler API that the project's TypeScript 7 no longer has.
 */

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  enum?: unknown[];
  nullable?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  description?: string;
}

export interface OpenApiDocument {
  components: { schemas: Record<string, Schema> };
}

const GENERATED_HEADER =
  '/* Generated from the OpenAPI document (/api/docs/openapi.json) by `npm run api-types`: do not edit.\n' +
  '   test/console-api-types.e2e-spec.ts fails when it is out of date. */\n';

export function consoleApiTypes(document: OpenApiDocument): string {
  const declarations = Object.entries(document.components.schemas)
    // Nest's swagger plugin lists an empty `Object` schema for values typed `object`; nothing refers to it.
    .filter(([, schema]) => Object.keys(schema.properties ?? {}).length > 0)
    .map(([name, schema]) => `${comment(schema.description, '')}export interface ${name} ${objectType(schema, '')}\n`);
  return `${GENERATED_HEADER}\n${declarations.join('\n')}`;
}

function typeOf(schema: Schema, indent: string): string {
  const type = baseType(schema, indent);
  return schema.nullable && type !== 'unknown' ? `${type} | null` : type;
}

function baseType(schema: Schema, indent: string): string {
  if (schema.$ref) return refName(schema.$ref);
  if (schema.allOf?.length === 1 && schema.allOf[0].$ref) return refName(schema.allOf[0].$ref);
  if (schema.enum) return schema.enum.map(literal).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return arrayOf(typeOf(schema.items ?? {}, indent));
    case 'object':
      return objectType(schema, indent);
    default:
      return 'unknown';
  }
}

/** A declared `object` with no properties is what Nest writes for a value typed `unknown`. */
function objectType(schema: Schema, indent: string): string {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) {
    const extra = schema.additionalProperties;
    if (extra === true) return 'Record<string, unknown>';
    return extra ? `Record<string, ${typeOf(extra, indent)}>` : 'unknown';
  }
  const inner = `${indent}  `;
  const lines = properties.map(([name, property]) => {
    const optional = schema.required?.includes(name) ? '' : '?';
    return `${comment(property.description, inner)}${inner}${name}${optional}: ${typeOf(property, inner)};`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function literal(value: unknown): string {
  return typeof value === 'string' ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(value);
}

function arrayOf(type: string): string {
  return /^[\w.<>, ]+$/.test(type) ? `${type}[]` : `Array<${type}>`;
}

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function comment(text: string | undefined, indent: string): string {
  return text ? `${indent}/** ${text.replace(/\*\//g, '*\\/')} */\n` : '';
}
