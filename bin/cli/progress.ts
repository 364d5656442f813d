import cliProgress from 'cli-progress';

/** A progress bar on stderr (only on a terminal), so stdout stays clean. */
function progressBar(label: string, total: number): { tick(n?: number): void; stop(): void } {
  if (!process.stderr.isTTY || total <= 0) return { tick: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {percentage}% | {value}/{total}`, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let done = 0;
  let shown = 0;
  const step = Math.max(1, Math.floor(total / 200));
  return {
    tick(n = 1) {
      done += n;
      if (done - shown >= step) bar.update((shown = done));
    },
    stop() {
      bar.update(total);
      bar.stop();
    },
  };
}

export { progressBar };
