import { existsSync, statSync } from 'node:fs';
import { parsePolicy, type Policy } from '../../lib/policy';
import type { PolicyDifference, Publication } from '../../lib/policyVersions';
import { invokeOperator } from './commands';
import { UsageError } from './errors';
import { readJsonFile } from './files';
import { type Note, toStderr } from './notes';

type Values = Record<string, string | boolean | undefined>;

const value = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));

/** One line per entry that differs: `tiers.quantiles.top: 0.95 → 0.9`. */
function differenceLines(differences: PolicyDifference[]): string[] {
  return differences.map((d) => `  ${d.entry}: ${value(d.a)} → ${value(d.b)}`);
}

function origin(p: Publication): string {
  return p.from === null ? `built in, from the beginning: ${p.reason}` : `from ${p.from}, published ${p.publishedAt} by ${p.publishedBy}: ${p.reason}`;
}

/** A policy document from a file, for a request; its problems come back named by their path in the file. */
function documentFile(path: string | undefined, verb: string): { path: string; document: unknown } {
  if (!path) throw new UsageError(`policy ${verb} needs a policy FILE (start one with: grader policy show > policy.json)`);
  return { path, document: readJsonFile(path) };
}

/** Names the file in front of a refusal about its document. */
async function aboutFile<T>(path: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    if (e instanceof UsageError && e.message.startsWith('document')) throw new UsageError(`${path}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** A `diff` side: an existing file is a document, anything else a published version's id. */
function side(arg: string): string | unknown {
  return existsSync(arg) && statSync(arg).isFile() ? readJsonFile(arg) : arg;
}

/**
 * `grader policy show [--version V] | list | check FILE [--from M] | diff A B | publish FILE --from M --reason TEXT [--by NAME]`:
 * the published policy versions (SPEC §9), each through the operator action the Lambda serves.
 */
async function policyCommand(verb: string | undefined, args: string[], v: Values, note: Note = toStderr): Promise<string> {
  switch (verb) {
    case 'show': {
      const r = await invokeOperator(v, { action: 'showPolicy', ...(typeof v.version === 'string' ? { version: v.version } : {}) });
      const publication = r.publication;
      note(`policy ${r.version}: ${publication ? origin(publication) : 'pinned by GRADER_POLICY_FILE, not published'}`);
      return JSON.stringify(r.document, null, 2);
    }
    case 'list': {
      const r = await invokeOperator(v, { action: 'listPolicies' });
      const publications = r.publications;
      if (v.format === 'jsonl') return publications.map((p) => JSON.stringify(p)).join('\n');
      const lines = publications.map((p) => `${p.version.padEnd(12)} ${p.version === r.inForce ? '*' : ' '} ${origin(p)}`);
      return [...lines, `* in force today${r.pinned ? ` (pinned by GRADER_POLICY_FILE: ${r.inForce})` : ''}`].join('\n');
    }
    case 'check': {
      const file = documentFile(args[0], 'check');
      const r = await aboutFile(file.path, () =>
        invokeOperator(v, { action: 'checkPolicy', document: file.document, ...(typeof v.from === 'string' ? { from: v.from } : {}) }),
      );
      const entries = r.entries;
      const state = r.state === 'published' ? 'is valid and already published as it is' : 'is valid and publishable';
      return [
        `${file.path}: policy ${r.version} ${state}; ${entries.length} entries differ from ${r.comparedWith} (in force today)`,
        ...differenceLines(entries),
      ].join('\n');
    }
    case 'diff': {
      const [a, b] = args;
      if (!a || !b) throw new UsageError('policy diff needs two versions or files: grader policy diff A B');
      const r = await invokeOperator(v, { action: 'diffPolicies', a: side(a), b: side(b) });
      const differences = r.differences;
      if (differences.length === 0) return `${a} and ${b} do not differ`;
      return [`${differences.length} entries differ between ${a} (${r.a}) and ${b} (${r.b}):`, ...differenceLines(differences)].join('\n');
    }
    case 'publish': {
      const file = documentFile(args[0], 'publish');
      if (typeof v.from !== 'string') throw new UsageError('policy publish needs --from YYYY-MM, the first month the version grades');
      if (typeof v.reason !== 'string') throw new UsageError('policy publish needs --reason TEXT');
      const r = await aboutFile(file.path, () =>
        invokeOperator(v, {
          action: 'publishPolicy',
          document: file.document,
          from: v.from,
          reason: v.reason,
          publishedBy: typeof v.by === 'string' ? v.by : (process.env.USER ?? 'operator'),
        }),
      );
      const p = r.publication;
      if (!r.announced && r.event) note('no event bus here: `grader watch` shows the PolicyPublished event from the tables');
      return r.published
        ? `published policy ${p.version} (${origin(p)}); it grades ${p.from} on, earlier periods keep their versions`
        : `policy ${p.version} is already published as it is (${origin(p)}): nothing written`;
    }
    default:
      throw new UsageError(`policy needs show, list, check, diff or publish (got ${String(verb ?? 'nothing')})`);
  }
}

/** A published version's document, read from the tables through the operator action (`grader score --policy-version V`). */
async function publishedPolicy(version: string, v: Values): Promise<Policy> {
  const r = await invokeOperator(v, { action: 'showPolicy', version });
  return parsePolicy(r.document, `published policy ${version}`);
}

export { policyCommand, publishedPolicy };
