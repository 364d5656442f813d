import './cli/warnings';
import { parseArgs } from 'node:util';
import {
  exportCommand,
  goodSellerCommand,
  importCommand,
  local,
  orderCommand,
  ordersCommand,
  programCommand,
  runCommand,
  runsCommand,
  showCommand,
  simulateCommand,
} from './cli/commands';
import { InputError } from '../lib/errors';
import { UsageError } from './cli/errors';
import { generate } from './cli/generate';
import { toStderr } from './cli/notes';
import { findingsCommand, watchCommand } from './cli/health';
import { listingsCommand } from './cli/listings';
import { migrationCommand } from './cli/migration';
import { reportCommand } from './cli/report';
import { policyCommand, publishedPolicy } from './cli/policy';
import { score, scoreOptions } from './cli/score';

const USAGE = `usage: grader <command> [options]      (npm run --silent grader -- <command> ...)
  score     --job daily|growth --date D | --job monthly --period M | --job quarterly --quarter Q --data DIR
            [--policy FILE | --policy-version V] --out FILE   (a version is read from the tables)
  generate  [--sellers N] --from D --to D --out DIR          a synthetic marketplace as JSON Lines
  local     [--port P] [--persist]                          run DynamoDB Local until stopped; print the endpoint
  import    --data DIR                                      categories, sellers, metrics, grants, orders, exclusions,
                                                            exposure, registrations, listings, listingMetrics JSONL
  run       daily --date D | monthly --period M | quarterly --quarter Q | growth --date D
            [--sellers a,b] [--categories c,d] [--dry-run] [--policy-version V] --reason TEXT [--by NAME]
                                                            the version in force for the period, unless named
                                                            (another than the one in force: --dry-run only)
  runs      [--job J] [--period P] [--state running|failed|succeeded] [--format text|jsonl]
                                                            run records: who, why, state, shards, counts, attempts
  policy    show [--version V]                              a version's JSON (default: the one in force today)
  policy    list | check FILE [--from M] | diff A B         versions; validate a draft; entries that differ
                                                            (A, B: a version or a file)
  policy    publish FILE --from YYYY-MM --reason TEXT [--by NAME]
                                                            a new immutable version, grading periods from M on
  good-seller approve --seller S --applied-on D --approved-on D --by NAME [--note TEXT]
  good-seller revoke  --seller S --on D --by NAME
  program   set|end --seller S --program mall|jbp|styled --on D --by NAME
  show      --seller S [--date D]                           status, the explanation of every grade, live findings,
                                                            its listings by stage
  show      --listing L [--date D]                          why a listing has its stage: lines, indicators,
                                                            suggestions, incentives, its live numbers to D-1
  findings  [--severity critical|warning|info] [--area A] [--format text|jsonl|csv]
                                                            open health-check findings across sellers, gravest first
  watch     [--from-start] [--once]                         DynamoDB Local's grades stream as change events (JSON lines)
  report    [--period M] [--records FILE] --out report.html  the marketplace report, one offline HTML file of bounded size
  report    --seller S [--period M] [--records FILE] [--out FILE]   one seller's page (default S.html)
  migration --period M [--since M0] [--from T|none] [--to T] [--records FILE] [--format csv|jsonl] [--out FILE]
                                                            the sellers of a cell of the report's tier migration
  listings  --seller S [--stage X] [--records FILE] [--format csv|jsonl] [--out FILE]
                                                            a seller's listings with their suggestions, the most
                                                            to gain first (the tables, or a growth records file)
  listings  --moved-on D [--from X|none] [--to X] --records FILE [--format csv|jsonl] [--out FILE]
                                                            the listings that moved on D (a grader score --job growth file)
  report    --compare current.jsonl draft.jsonl --out whatif.html   who moves where under a draft policy
  order     exclude|reinstate --order O --reason TEXT --by NAME [--on D]
                                                            an appeal decision; re-run a period to see it in the grades
  orders    --seller S --from D --to D [--bad-only] [--format text|jsonl|csv] [--limit N] [--after TOKEN | --all]
                                                            the orders behind a seller's rates, newest first, --limit
                                                            (default 100) a page; csv holds every page
  export    --kind K (--date D | --period M | --quarter Q) [--format jsonl|csv] --out FILE
  simulate  --from D --to D [--inline]                      fire every schedule in the range through the handlers
                                                            (shards through the local queue, or --inline)
In jsonl and csv, stdout holds only the data; notes (the --after of the next page, an export's
summary) go to stderr. CSV cells of text starting with = + - @ tab or CR are written '… (quoted), so
that a spreadsheet shows them rather than runs them; numbers of the data are written as numbers.
Store: GRADER_DYNAMODB_ENDPOINT (e.g. from grader local), --aws for your AWS account, else an embedded
DynamoDB Local persisted under GRADER_HOME (default .grader/).`;

const STORE = { aws: { boolean: true as const }, 'as-of': {} };

/** The operator CLI: each command delegates to bin/cli; failures exit non-zero with one line. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // an empty answer (no rows in jsonl) prints nothing: a blank line is not a JSON line
  const print = (text: string) => text !== '' && process.stdout.write(`${text}\n`);
  switch (command) {
    case 'score': {
      const { values } = parse(rest, { job: {}, date: {}, period: {}, quarter: {}, data: {}, policy: {}, 'policy-version': {}, out: {}, ...STORE });
      const options = scoreOptions(values);
      // a published version is read from the tables; the scoring itself stays offline
      const summary = await score(options.policyVersion ? { ...options, publishedPolicy: await publishedPolicy(options.policyVersion, values) } : options);
      const kinds = Object.entries(summary.byKind)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
      print(`wrote ${summary.records} records (${kinds || 'none'}) and ${summary.quarantined} quarantined rows`);
      return 0;
    }
    case 'generate':
      print(await generate(parse(rest, { sellers: {}, from: {}, to: {}, out: {} }).values));
      return 0;
    case 'local':
      await local(parse(rest, { port: {}, persist: { boolean: true } }).values);
      return 0;
    case 'import':
      print(await importCommand(parse(rest, { data: {}, ...STORE }).values));
      return 0;
    case 'run': {
      const { values, positionals } = parse(rest, {
        date: {},
        period: {},
        quarter: {},
        sellers: {},
        categories: {},
        'dry-run': { boolean: true },
        'policy-version': {},
        reason: {},
        by: {},
        ...STORE,
      });
      print(await runCommand(positionals[0], values));
      return 0;
    }
    case 'policy': {
      const { values, positionals } = parse(rest, { version: {}, from: {}, reason: {}, by: {}, format: {}, ...STORE });
      print(await policyCommand(positionals[0], positionals.slice(1), values));
      return 0;
    }
    case 'runs':
      print(await runsCommand(parse(rest, { job: {}, period: {}, state: {}, format: {}, ...STORE }).values));
      return 0;
    case 'good-seller': {
      const { values, positionals } = parse(rest, { seller: {}, 'applied-on': {}, 'approved-on': {}, by: {}, note: {}, on: {}, ...STORE });
      print(await goodSellerCommand(positionals[0], values));
      return 0;
    }
    case 'program': {
      const { values, positionals } = parse(rest, { seller: {}, program: {}, on: {}, by: {}, ...STORE });
      print(await programCommand(positionals[0], values));
      return 0;
    }
    case 'order': {
      const { values, positionals } = parse(rest, { order: {}, reason: {}, by: {}, on: {}, ...STORE });
      print(await orderCommand(positionals[0], values));
      return 0;
    }
    case 'orders':
      print(
        await ordersCommand(
          parse(rest, { seller: {}, from: {}, to: {}, 'bad-only': { boolean: true }, format: {}, limit: {}, after: {}, all: { boolean: true }, ...STORE })
            .values,
        ),
      );
      return 0;
    case 'findings':
      print(await findingsCommand(parse(rest, { severity: {}, area: {}, format: {}, ...STORE }).values));
      return 0;
    case 'watch':
      await watchCommand(parse(rest, { 'from-start': { boolean: true }, once: { boolean: true } }).values, print);
      return 0;
    case 'report': {
      const { values, positionals } = parse(rest, { period: {}, records: {}, compare: {}, seller: {}, out: {}, ...STORE });
      print(await reportCommand(values, positionals));
      return 0;
    }
    case 'migration': {
      const values = parse(rest, { period: {}, since: {}, from: {}, to: {}, records: {}, format: {}, out: {}, ...STORE }).values;
      const text = await migrationCommand(values);
      if (typeof values.out === 'string') toStderr(text);
      else print(text);
      return 0;
    }
    case 'listings': {
      const values = parse(rest, { seller: {}, stage: {}, 'moved-on': {}, from: {}, to: {}, records: {}, format: {}, out: {}, ...STORE }).values;
      const text = await listingsCommand(values);
      if (typeof values.out === 'string') toStderr(text);
      else print(text);
      return 0;
    }
    case 'show':
      print(await showCommand(parse(rest, { seller: {}, listing: {}, date: {}, ...STORE }).values));
      return 0;
    case 'export':
      toStderr(await exportCommand(parse(rest, { kind: {}, date: {}, period: {}, quarter: {}, format: {}, out: {}, ...STORE }).values));
      return 0;
    case 'simulate':
      print(await simulateCommand(parse(rest, { from: {}, to: {}, inline: { boolean: true }, ...STORE }).values));
      return 0;
    case 'help':
    case '--help':
      print(USAGE);
      return 0;
    case undefined:
      process.stderr.write(`${USAGE}\n`);
      return 2;
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
    if (e instanceof InputError || (e as Error).name === 'JavaMissingError') {
      process.stderr.write(`grader: ${(e as Error).message}\n`);
      process.exit(2);
    }
    if ((e as Error).name === 'RunFailedError') {
      process.stderr.write(`grader: ${(e as Error).message}\n`);
      process.exit(1);
    }
    process.stderr.write(`grader: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
