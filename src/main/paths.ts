/**
 * Where DSLab keeps its data, the same folder for the Electron app, web mode and the CLI
 * so that all three see one library: Electron's userData folder for the product "DSLab".
 */
import os from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'DSLab';

/** The default data folder for this OS (mirrors Electron's app.getPath('userData')). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.DSLAB_DATA_DIR) return path.resolve(env.DSLAB_DATA_DIR);
  const home = os.homedir();
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
}
