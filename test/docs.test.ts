import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/workspace.ts';

const ENTRIES = ['src/index.ts', 'src/verify/index.ts', 'src/testing/index.ts'];
/** Interfaces whose every member is an option a user sets. */
const OPTION_BAGS = [
  'KrosClientOptions',
  'RequestOptions',
  'VerifyOptions',
  'MockKrosApiOptions',
  'FailureOptions',
  'SignedDeliveryOptions',
];

const program = ts.createProgram(
  ENTRIES.map((entry) => join(ROOT, entry)),
  { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowImportingTsExtensions: true, noEmit: true },
);
const checker = program.getTypeChecker();

/** The TSDoc of a symbol (following re-exports), with its tags. */
function docOf(symbol: ts.Symbol): { text: string; tags: string[] } {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  return {
    text: ts.displayPartsToString(target.getDocumentationComment(checker)),
    tags: target.getJsDocTags(checker).map((tag) => tag.name),
  };
}

const exported = ENTRIES.flatMap((entry) => {
  const module = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, entry)) as ts.SourceFile) as ts.Symbol;
  return checker.getExportsOfModule(module).map((symbol) => [`${entry} ${symbol.name}`, symbol] as const);
});

describe('TSDoc', () => {
  it.each(exported)('documents %s with an example', (_name, symbol) => {
    const { text, tags } = docOf(symbol);
    expect(text.length, 'a description').toBeGreaterThan(10);
    expect(tags, 'an @example').toContain('example');
  });

  const options = exported
    .filter(([, symbol]) => OPTION_BAGS.includes(symbol.name))
    .flatMap(([, symbol]) => {
      const target = checker.getAliasedSymbol(symbol);
      return checker
        .getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target))
        .map((member) => [`${symbol.name}.${member.name}`, member] as const);
    });

  it('finds the option bags', () => {
    expect(options.length).toBeGreaterThan(12);
  });

  it.each(options)('documents the option %s with an example', (_name, member) => {
    const { text, tags } = docOf(member);
    expect(text.length, 'a description').toBeGreaterThan(10);
    expect(tags, 'an @example').toContain('example');
  });
});
