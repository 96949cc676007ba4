#!/usr/bin/env node
// Thin launcher: the CLI itself is compiled TypeScript in ../dist.
import { main } from '../dist/main.js';

// `fedhub ... | head` closes the pipe early: that is not an error
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`fedhub: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
