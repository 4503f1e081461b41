import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/workspace.ts';

/** The package's entry modules (`.`, `./webhooks`, `./testing`): the one list to change when they move. */
const ENTRIES = ['src/index.ts', 'src/verify/index.ts', 'src/testing/index.ts'];

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
  if (!source) throw new Error(`${entry} is not a source file: update ENTRIES in test/docs.test.ts`);
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
