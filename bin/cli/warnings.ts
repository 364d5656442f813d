// The AWS SDK warns on every start that Node 20 support ends in 2027 (STACK-NOTES: harmless);
// keep every other warning.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'NodeVersionSupportWarning' && !warning.message.startsWith('NodeVersionSupportWarning'))
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
