import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ENTRY_SOURCES, ROOT } from './helpers/workspace.ts';

const ENTRIES = Object.values(ENTRY_SOURCES);

const program = ts.createProgram(
  ENTRIES.map((entry) => join(ROOT, entry)),
  { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowImportingTsExtensions: true, noEmit: true },
);
const checker = program.getTypeChecker();

/** The TSDoc text of a symbol, following re-exports. */
function docOf(symbol: ts.Symbol): string {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  return ts.displayPartsToString(target.getDocumentationComment(checker));
}

const exported = ENTRIES.flatMap((entry) => {
  const source = program.getSourceFile(join(ROOT, entry));
  if (!source) throw new Error(`${entry} is not a source file: update ENTRY_SOURCES in test/helpers/workspace.ts`);
  const module = checker.getSymbolAtLocation(source) as ts.Symbol;
  return checker.getExportsOfModule(module).map((symbol) => [`${entry} ${symbol.name}`, symbol] as const);
});

describe('TSDoc', () => {
  it('finds the exports of every entry', () => {
    expect(exported.length).toBeGreaterThan(20);
  });

  it.each(exported)('documents %s', (_name, symbol) => {
    expect(docOf(symbol).length, 'a description').toBeGreaterThan(10);
  });
});
