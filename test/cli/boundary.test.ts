import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve('bin/cli');
const FORBIDDEN = [resolve('functions/data'), resolve('functions/jobs')];

/** The modules a file imports, resolved from its folder. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\bfrom\s+'(\.[^']+)'/g)].map((m) => resolve(CLI, m[1]!));
}

describe('the CLI (issue 18)', () => {
  it('imports neither functions/data nor functions/jobs: it parses flags, invokes the actions of functions/ and formats', () => {
    const crossing = readdirSync(CLI)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        importsOf(join(CLI, f)).flatMap((target) => (FORBIDDEN.some((dir) => target.startsWith(`${dir}/`)) ? [`${f} → ${relative('.', target)}`] : [])),
      );
    expect(crossing).toEqual([]);
  });

  it('has the lint rule that keeps it so, run by biome check', () => {
    const config = JSON.parse(readFileSync('biome.json', 'utf8')) as {
      overrides: {
        includes: string[];
        linter?: { rules?: { style?: { noRestrictedImports?: { level: string; options: { patterns: { group: string[] }[] } } } } };
      }[];
    };
    const rule = config.overrides.find((o) => o.includes.includes('bin/cli/**'))?.linter?.rules?.style?.noRestrictedImports;
    expect(rule?.level).toBe('error');
    expect(rule?.options.patterns.flatMap((p) => p.group)).toEqual(expect.arrayContaining(['**/functions/data/**', '**/functions/jobs/**']));
  });
});
