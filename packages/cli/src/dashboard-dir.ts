/**
 * Where the built web dashboard is: `dist/` of the installed `@fedhub/web` package (built by
 * `npm run build`). The CLI, which assembles the hub, hands this folder to it (`dashboardDir`); the hub
 * itself knows nothing of the web package's location. FEDHUB_DASHBOARD_DIR overrides it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HubConfig } from '@fedhub/hub';

/** The web package's build folder, or undefined when the package is not installed. */
export function builtDashboardDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@fedhub/web/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/** `config` with the built dashboard's folder when none is configured. */
export function withDashboard<C extends Pick<HubConfig, 'dashboardDir'>>(config: C): C {
  if (config.dashboardDir) return config;
  const dir = builtDashboardDir();
  return dir ? { ...config, dashboardDir: dir } : config;
}
