import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtDashboardDir, withDashboard } from './dashboard-dir.js';

const webDist = join(fileURLToPath(new URL('../../web/', import.meta.url)), 'dist');

describe('the dashboard folder the CLI gives the hub', () => {
  it("is the installed web package's dist/", () => {
    expect(builtDashboardDir()).toBe(webDist);
  });

  it('fills only a config that names none (FEDHUB_DASHBOARD_DIR wins)', () => {
    expect(withDashboard({ dashboardDir: undefined }).dashboardDir).toBe(webDist);
    expect(withDashboard({ dashboardDir: '/srv/dashboard' }).dashboardDir).toBe('/srv/dashboard');
  });
});
