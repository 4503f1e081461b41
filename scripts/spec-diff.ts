/**
 * What changed between two versions of the spec, and whether it breaks code written against the
 * SDK. api-smart-diff finds the changes, following every $ref into the operations that use it; its
 * own verdicts answer whether old HTTP clients keep working on the wire. Here the question is
 * whether code written against the generated types and the facade still compiles and behaves,
 * hence the classification below.
 */
import { apiDiff, type Diff } from 'api-smart-diff';
import type { OpenApiDocument } from './spec.ts';

export interface Change {
  breaking: boolean;
  /** What changed, such as `added enum value "call.transferred" at events[]`. */
  what: string;
  /** Where: operations and the part of each (`request body`, `response 200`, `parameters`). */
  where: string[];
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The changes from `before` to `after`, one per distinct change, breaking ones first. */
export function compareSpecs(before: OpenApiDocument, after: OpenApiDocument): Change[] {
  const changes = new Map<string, Change>();
  for (const diff of apiDiff(before, after)) {
    const change = describe(diff, before, after);
    if (!change) continue;
    const key = `${change.breaking}|${change.what}`;
    const seen = changes.get(key);
    if (seen) seen.where.push(...change.where.filter((place) => !seen.where.includes(place)));
    else changes.set(key, change);
  }
  return [...changes.values()].sort((a, b) => Number(b.breaking) - Number(a.breaking));
}

function describe(diff: Diff, before: OpenApiDocument, after: OpenApiDocument): Change | undefined {
  const path = diff.path.map(String);
  const [section, ...rest] = path;
  const value = diff.action === 'remove' ? diff.before : diff.after;
  if (section === 'security' || (section === 'components' && rest[0] === 'securitySchemes')) {
    return { breaking: true, what: `authentication changed (${path.join('.')})`, where: ['all operations'] };
  }
  // Component changes also arrive through every operation that uses them.
  if (section === 'components') return undefined;
  if (section === 'info' || section === 'tags' || section === 'servers') {
    return { breaking: false, what: `${verb(diff)} ${path.join('.')}`, where: ['document'] };
  }
  if (section !== 'paths') return { breaking: false, what: `${diff.action} ${path.join('.')}`, where: ['document'] };

  const [route, method, part, ...inner] = rest as [string, string | undefined, string | undefined, ...string[]];
  // Anything not classified below is reported as it is: no change goes unseen.
  const other = (where: string): Change => ({ breaking: false, what: `${verb(diff)} ${path.join('.')}`, where: [where] });
  if (!method || !HTTP_METHODS.has(method)) return other(route);
  const operation = `${method.toUpperCase()} ${route}`;
  if (part === undefined) {
    return diff.action === 'add'
      ? { breaking: false, what: 'new operation (typed at once in kros.raw)', where: [operation] }
      : { breaking: true, what: 'operation removed', where: [operation] };
  }
  if (part === 'parameters') return parameterChange(diff, inner, operation, before, after);
  if (part === 'security') return { breaking: true, what: 'authentication changed', where: [operation] };
  if (part === 'responses' && inner.length === 1) {
    return {
      breaking: diff.action === 'remove',
      what: `response ${inner[0]} ${diff.action === 'add' ? 'added' : diff.action === 'remove' ? 'removed' : 'changed'}`,
      where: [operation],
    };
  }
  if (part !== 'requestBody' && part !== 'responses') return other(operation);

  const isRequest = part === 'requestBody';
  const place = isRequest ? 'request body' : `response ${inner[0]}`;
  const schemaAt = inner.indexOf('schema');
  if (schemaAt < 0) return other(`${operation} ${place}`);
  const schemaPath = inner.slice(schemaAt + 1);
  const field = fieldName(schemaPath);
  const last = schemaPath.at(-1);
  const parent = schemaPath.at(-2);

  if (parent === 'enum') {
    // A new value widens the type, and the SDK delivers names it does not know: not breaking.
    // A removed value breaks code that sends or compares it.
    return {
      breaking: diff.action !== 'add',
      what: `${verb(diff)} enum value ${JSON.stringify(value)} at ${field}`,
      where: [`${operation} ${place}`],
    };
  }
  if (parent === 'required') {
    // A newly required request field breaks callers; a newly optional response field breaks readers.
    const breaking = isRequest ? diff.action !== 'remove' : diff.action !== 'add';
    return {
      breaking,
      what: `${value} ${diff.action === 'add' ? 'now required' : 'now optional'} at ${field || 'the body'}`,
      where: [`${operation} ${place}`],
    };
  }
  if (parent === 'properties') {
    const name = last as string;
    const requiredNow = isRequest && diff.action === 'add' && requiredIn(after, diff, name);
    return {
      breaking: diff.action === 'remove' || requiredNow,
      what: `${diff.action === 'add' ? (requiredNow ? 'new required' : 'new optional') : 'removed'} field ${join(field, name)}`,
      where: [`${operation} ${place}`],
    };
  }
  if (last === 'type' || last === 'format' || last === '$ref' || last === 'items') {
    return { breaking: true, what: `${last} of ${field || 'the body'} changed`, where: [`${operation} ${place}`] };
  }
  if (last === 'description' || last === 'example' || last === 'examples' || last === 'title' || last === 'default') {
    return { breaking: false, what: `${verb(diff)} ${last} of ${field || 'the body'}`, where: [`${operation} ${place}`] };
  }
  return { breaking: false, what: `${verb(diff)} ${schemaPath.join('.')}`, where: [`${operation} ${place}`] };
}

function parameterChange(
  diff: Diff,
  inner: string[],
  operation: string,
  before: OpenApiDocument,
  after: OpenApiDocument,
): Change | undefined {
  const doc = diff.action === 'remove' ? before : after;
  const index = Number(inner[0]);
  const list = parameterList(doc, diff.path.map(String));
  const parameter = list?.[index] ?? (diff.action === 'remove' ? diff.before : diff.after);
  const name = `${parameter?.in ?? ''} parameter ${parameter?.name ?? inner[0]}`;
  if (inner.length === 1) {
    if (diff.action === 'add')
      return {
        breaking: Boolean(parameter?.required),
        what: `new ${parameter?.required ? 'required' : 'optional'} ${name}`,
        where: [operation],
      };
    if (diff.action === 'remove') return { breaking: true, what: `${name} removed`, where: [operation] };
  }
  if (inner[1] === 'required') {
    return { breaking: Boolean(diff.after), what: `${name} now ${diff.after ? 'required' : 'optional'}`, where: [operation] };
  }
  if (inner.includes('enum'))
    return {
      breaking: diff.action !== 'add',
      what: `${verb(diff)} enum value ${JSON.stringify(diff.action === 'remove' ? diff.before : diff.after)} of ${name}`,
      where: [operation],
    };
  if (inner[1] === 'description' || inner[1] === 'example')
    return { breaking: false, what: `${verb(diff)} ${inner[1]} of ${name}`, where: [operation] };
  return { breaking: true, what: `${name} changed (${inner.slice(1).join('.')})`, where: [operation] };
}

/** The resolved parameter list of the operation at `path` (paths.<route>.<method>.parameters). */
function parameterList(doc: OpenApiDocument, path: string[]): OpenApiDocument[] | undefined {
  const operation = doc.paths?.[path[1] as string]?.[path[2] as string];
  return operation?.parameters?.map((parameter: OpenApiDocument) => resolve(doc, parameter));
}

function requiredIn(doc: OpenApiDocument, diff: Diff, name: string): boolean {
  let node: unknown = doc;
  for (const key of diff.path.slice(0, -2)) node = resolve(doc, (node as OpenApiDocument)?.[key as string]);
  return Boolean((node as { required?: string[] })?.required?.includes(name));
}

function resolve(doc: OpenApiDocument, node: OpenApiDocument | undefined): OpenApiDocument | undefined {
  const ref = node?.$ref as string | undefined;
  if (!ref?.startsWith('#/')) return node;
  return ref
    .slice(2)
    .split('/')
    .reduce<OpenApiDocument | undefined>((at, key) => at?.[key], doc);
}

/**
 * `events[]`, `data.call_id`… from a schema path such as items.properties.events.items.enum.7. The
 * `items` of a list response's top-level array is the shape of the body, not part of the field.
 */
function fieldName(schemaPath: string[]): string {
  let name = '';
  for (let i = schemaPath[0] === 'items' ? 1 : 0; i < schemaPath.length; i++) {
    if (schemaPath[i] === 'items') name += '[]';
    if (schemaPath[i] === 'properties' && i + 1 < schemaPath.length - 1) name = join(name, schemaPath[++i] as string);
  }
  return name;
}

function join(prefix: string, name: string): string {
  return prefix && !prefix.endsWith('[]') ? `${prefix}.${name}` : `${prefix}${prefix ? '.' : ''}${name}`;
}

function verb(diff: Diff): string {
  return diff.action === 'add' ? 'added' : diff.action === 'remove' ? 'removed' : 'changed';
}

/** The report, one line per change. */
export function formatReport(changes: Change[], before: OpenApiDocument, after: OpenApiDocument): string {
  const breaking = changes.filter((change) => change.breaking).length;
  const lines = [
    `KrosAI Cockpit API ${before.info?.version} → ${after.info?.version}: ${breaking} breaking, ${changes.length - breaking} non-breaking change(s)`,
  ];
  for (const change of changes)
    lines.push(`${change.breaking ? 'BREAKING    ' : 'non-breaking'}  ${change.what}  (${change.where.join('; ')})`);
  return lines.join('\n');
}

/** A changeset draft: major for breaking changes, minor for additions. */
export function changesetDraft(changes: Change[], before: OpenApiDocument, after: OpenApiDocument): string {
  const bump = changes.some((change) => change.breaking) ? 'major' : 'minor';
  const items = changes.map((change) => `- ${change.breaking ? '**Breaking:** ' : ''}${change.what} (${change.where.join('; ')})`);
  return `---\n'@krosai/cockpit': ${bump}\n---\n\nKrosAI Cockpit API spec ${before.info?.version} → ${after.info?.version}:\n\n${items.join('\n')}\n`;
}
