// Builds the renderer once before the e2e suites (web mode serves out/renderer).
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function globalSetup(): void {
  if (process.env.DSLAB_SKIP_BUILD === '1') return;
  const bin = path.resolve('node_modules/.bin/electron-vite');
  execFileSync(bin, ['build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
