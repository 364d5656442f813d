import { parseArgs } from 'node:util';
import { UsageError } from './cli/errors';
import { generate } from './cli/generate';
import { score, scoreOptions } from './cli/score';

const USAGE = `usage: grader score --job daily --date YYYY-MM-DD | --job monthly --period YYYY-MM | --job quarterly --quarter YYYY-Qn
                    --data DIR [--policy FILE] --out FILE
       grader generate [--sellers N] --from YYYY-MM-DD --to YYYY-MM-DD --out DIR`;

/** The operator CLI: each command delegates to bin/cli; failures exit non-zero with one line. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'score': {
      const { values } = parse(rest, { job: {}, date: {}, period: {}, quarter: {}, data: {}, policy: {}, out: {} });
      const summary = await score(scoreOptions(values));
      const kinds = Object.entries(summary.byKind).map(([k, n]) => `${n} ${k}`).join(', ');
      process.stdout.write(`wrote ${summary.records} records (${kinds || 'none'}) and ${summary.quarantined} quarantined rows\n`);
      return 0;
    }
    case 'generate': {
      const { values } = parse(rest, { sellers: {}, from: {}, to: {}, out: {} });
      process.stdout.write((await generate(values)) + '\n');
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${command}; try: grader help`);
  }
}

function parse(args: string[], names: Record<string, { boolean?: true }>) {
  const options = Object.fromEntries(Object.entries(names).map(([n, o]) => [n, { type: o.boolean ? 'boolean' : 'string' } as const]));
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`grader: ${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`grader: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);

export { main };
