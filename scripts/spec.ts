/**
 * Building blocks for the vendored OpenAPI document: assemble one spec from the per-operation
 * fragments of a KrosAI reference page, validate it, and write it with a stable key order so that
 * a spec bump shows up as a readable diff.
 */
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { parse as parseYaml } from 'yaml';

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are arbitrary JSON until validated.
export type OpenApiDocument = Record<string, any>;

export const SPEC_PATH = 'openapi/krosai-cockpit.json';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const TOP_LEVEL_ORDER = ['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'components'];

/** Every fenced ```json block of a reference page that holds an OpenAPI document. */
export function extractFragments(markdown: string): OpenApiDocument[] {
  const blocks = [...markdown.matchAll(/^```json[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? '');
  const fragments = blocks.map((block, i) => {
    try {
      return JSON.parse(block) as OpenApiDocument;
    } catch (error) {
      throw new Error(`JSON block ${i + 1} of the page is not valid JSON: ${(error as Error).message}`);
    }
  });
  const specs = fragments.filter((f) => typeof f.openapi === 'string');
  if (specs.length === 0) throw new Error('the page holds no OpenAPI fragment (a ```json block with an "openapi" key)');
  return specs;
}

/** Keys that would reach an object's prototype when merged or walked. */
const UNSAFE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Refuses, before anything reads or fetches it, a `$ref` that is not local (`#/…`): a file path or
 * URL would put that file's contents (an .env, /etc/passwd) into the vendored spec, the generated
 * code and the package, or make the build fetch from the network. Refuses keys that reach a
 * prototype, which merging would write into `Object.prototype`.
 */
export function assertSelfContained(node: unknown, where: string, path = '#'): void {
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (UNSAFE_KEYS.includes(key)) throw new Error(`${where}: the key "${key}" at ${path} is refused`);
    if (key === '$ref' && !(typeof value === 'string' && value.startsWith('#/'))) {
      throw new Error(`${where}: the $ref ${JSON.stringify(value)} at ${path} is refused: only local #/ refs are allowed`);
    }
    assertSelfContained(value, where, `${path}/${key}`);
  }
}

/**
 * Merges fragments into one document. Shared parts (info, servers, security, components) must be
 * identical wherever they repeat: a difference means the page is inconsistent, and silently
 * picking one side would hide it.
 */
export function mergeFragments(fragments: OpenApiDocument[]): OpenApiDocument {
  const merged: OpenApiDocument = { paths: {}, components: {} };
  for (const [index, fragment] of fragments.entries()) {
    const where = `fragment ${index + 1}`;
    assertSelfContained(fragment, where);
    for (const [key, value] of Object.entries(fragment)) {
      if (key === 'paths') mergePaths(merged.paths, value, where);
      else if (key === 'components') mergeComponents(merged.components, value, where);
      else if (key === 'tags') merged.tags = mergeTags(merged.tags ?? [], value, where);
      else mergeEqual(merged, key, value, `${where}: "${key}"`);
    }
  }
  return merged;
}

function mergeEqual(target: OpenApiDocument, key: string, value: unknown, where: string): void {
  if (!(key in target)) target[key] = value;
  else if (!isDeepStrictEqual(target[key], value)) throw new Error(`${where} differs from an earlier fragment`);
}

function mergePaths(target: OpenApiDocument, paths: OpenApiDocument, where: string): void {
  for (const [path, item] of Object.entries(paths)) {
    target[path] ??= {};
    for (const [key, value] of Object.entries(item as OpenApiDocument)) {
      if (HTTP_METHODS.includes(key) && key in target[path]) {
        throw new Error(`${where}: ${key.toUpperCase()} ${path} is defined twice`);
      }
      mergeEqual(target[path], key, value, `${where}: ${path} "${key}"`);
    }
  }
}

function mergeComponents(target: OpenApiDocument, components: OpenApiDocument, where: string): void {
  for (const [group, entries] of Object.entries(components)) {
    target[group] ??= {};
    for (const [name, value] of Object.entries(entries as OpenApiDocument)) {
      mergeEqual(target[group], name, value, `${where}: component ${group}.${name}`);
    }
  }
}

function mergeTags(tags: OpenApiDocument[], incoming: OpenApiDocument[], where: string): OpenApiDocument[] {
  const result = [...tags];
  for (const tag of incoming) {
    const existing = result.find((t) => t.name === tag.name);
    if (!existing) result.push(tag);
    else if (!isDeepStrictEqual(existing, tag)) throw new Error(`${where}: tag "${tag.name}" differs from an earlier fragment`);
  }
  return result;
}

/**
 * The document with a canonical key order: conventional top-level order, paths and component names
 * sorted, methods in HTTP order. Everything inside an operation or schema stays as KrosAI wrote it.
 */
export function canonicalize(doc: OpenApiDocument): OpenApiDocument {
  const sorted = (map: OpenApiDocument = {}) => Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : 1)));
  const paths = Object.fromEntries(
    Object.entries(sorted(doc.paths)).map(([path, item]) => {
      const rank = (key: string) => (HTTP_METHODS.includes(key) ? HTTP_METHODS.indexOf(key) : -1);
      return [path, Object.fromEntries(Object.entries(item as OpenApiDocument).sort(([a], [b]) => rank(a) - rank(b)))];
    }),
  );
  const components = Object.fromEntries(Object.entries(sorted(doc.components)).map(([group, entries]) => [group, sorted(entries)]));
  const result: OpenApiDocument = {};
  const withCanonicalParts: OpenApiDocument = { ...doc, paths, components };
  for (const key of TOP_LEVEL_ORDER) if (key in withCanonicalParts) result[key] = withCanonicalParts[key];
  for (const key of Object.keys(doc).sort()) if (!(key in result)) result[key] = doc[key];
  return result;
}

/** Validates against the OpenAPI schema and resolves every $ref; throws with the validator's reason. */
export async function validateSpec(doc: OpenApiDocument): Promise<void> {
  // The validator dereferences in place, so it gets a copy; it resolves nothing outside the document.
  await SwaggerParser.validate(structuredClone(doc) as never, { resolve: { external: false } } as never);
}

export function serializeSpec(doc: OpenApiDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * A spec from a file: a KrosAI reference page (`.md`, per-operation fragments) or a whole document
 * in JSON or YAML. Canonicalised and validated; throws with the reason otherwise.
 */
export async function loadSpec(path: string): Promise<OpenApiDocument> {
  const text = await readFile(path, 'utf8');
  const doc = path.endsWith('.md') ? mergeFragments(extractFragments(text)) : (parseYaml(text) as OpenApiDocument);
  if (typeof doc !== 'object' || doc === null || typeof doc.openapi !== 'string') throw new Error(`${path} is not an OpenAPI document`);
  assertSelfContained(doc, path);
  const spec = canonicalize(doc);
  await validateSpec(spec);
  return spec;
}
