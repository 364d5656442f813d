import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../../functions/local/embeddedStore';

const parents: ChildProcessWithoutNullStreams[] = [];
const jvms: number[] = [];
// a scratch working directory for the parents: an aborted node may leave a core file there
const scratch = mkdtempSync(join(tmpdir(), 'grader-store-parent-'));

/** Starts test/helpers/storeParent.ts in its own node process and reads the JVM it started. */
async function startParent(): Promise<{ parent: ChildProcessWithoutNullStreams; pid: number; port: number }> {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const parent = spawn(process.execPath, ['--import', tsx, join(import.meta.dirname, '../helpers/storeParent.ts')], { cwd: scratch });
  parents.push(parent);
  let stderr = '';
  parent.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    parent.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
    });
    parent.once('exit', (code) => reject(new Error(`the store's parent exited with ${code} before printing: ${stderr.slice(-500)}`)));
  });
  const { pid, endpoint } = JSON.parse(line) as { pid: number; endpoint: string };
  jvms.push(pid);
  return { parent, pid, port: Number(new URL(endpoint).port) };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // an exited JVM whose parent is gone stays a zombie until PID 1 reaps it; Linux shows that in /proc
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function stillRunningAfter(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return isRunning(pid);
}

async function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    const settle = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.once('timeout', () => settle(false));
  });
}

/** This machine's addresses that other machines can reach (link-local IPv6 left out: it needs a scope). */
function externalAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((a) => !a.internal && !a.address.startsWith('fe80'))
    .map((a) => a.address);
}

afterAll(() => {
  for (const parent of parents) parent.kill('SIGKILL');
  for (const pid of jvms) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe('the embedded DynamoDB Local', () => {
  it('listens on loopback only, and its JVM is gone within seconds after its parent aborts', async () => {
    const { parent, pid, port } = await startParent();
    expect(await accepts('127.0.0.1', port)).toBe(true);
    for (const address of externalAddresses()) expect(await accepts(address, port), `connect to ${address}:${port}`).toBe(false);

    parent.stdin.write('abort\n');
    await new Promise((r) => parent.once('exit', r));
    expect(parent.signalCode).toBe('SIGABRT');
    expect(await stillRunningAfter(pid, 5000)).toBe(false);
  });

  it('its JVM is gone within seconds after its parent is killed with SIGKILL', async () => {
    const { parent, pid } = await startParent();
    parent.kill('SIGKILL');
    await new Promise((r) => parent.once('exit', r));
    expect(await stillRunningAfter(pid, 5000)).toBe(false);
  });

  it('runs a launcher class compiled from the committed source (else: npm run build:dynamodb-launcher)', () => {
    const source = join(LAUNCHER.directory, `${LAUNCHER.className}.java`);
    const recorded = readFileSync(`${source}.sha256`, 'utf8').trim();
    expect(createHash('sha256').update(readFileSync(source)).digest('hex')).toBe(recorded);
  });
});
