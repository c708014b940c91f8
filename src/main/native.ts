/**
 * Where the Electron build of better-sqlite3 lives. Node and Electron need the module
 * compiled for different ABIs; the Node build stays in node_modules (tests, CLI, web mode)
 * and the Electron build is kept apart in .native/, made by `npm run rebuild:electron`
 * (which `npm start` runs when it is missing). A packaged app has its modules rebuilt for
 * Electron by electron-builder and uses the default binding.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The folder name for one runtime ABI, shared with scripts/electron-native.mjs. */
export function nativeDirName(abi: string, platform: string, arch: string): string {
  return `electron-abi${abi}-${platform}-${arch}`;
}

/** The Electron binding for this app root, or an error message saying how to make it. */
export function electronNativeBinding(
  appRoot: string,
  abi: string,
  platform = process.platform,
  arch = process.arch,
): { path: string } | { error: string } {
  const file = path.join(appRoot, '.native', nativeDirName(abi, platform, arch), 'better_sqlite3.node');
  if (fs.existsSync(file)) return { path: file };
  return {
    error: `The SQLite module for Electron (ABI ${abi}) is missing at ${file}. Run \`npm run rebuild:electron\`, then start DSLab again.`,
  };
}
