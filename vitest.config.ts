import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/commands/**/*.test.ts'],
          // a hang guard, not a speed limit: command tests spawn hydra several times, and on a loaded
          // 2-core machine one spawn has taken 4 s (speed is measured in bench/)
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // the lab: real Prometheus, node exporters, Alertmanager, sshd, dockerd and stand-ins,
          // started once inside a loopback-only network namespace; a lab that cannot start fails the run
          globalSetup: ['test/lab/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
