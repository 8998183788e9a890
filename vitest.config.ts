import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One vitest project per workspace package: `pnpm test` runs them all, `--project domain` one.
const workspaceDirs = ['packages', 'services']
  .flatMap((parent) =>
    existsSync(parent) ? readdirSync(parent).map((name) => `${parent}/${name}`) : [],
  )
  .filter((dir) => existsSync(`${dir}/package.json`));

const sourceConditions = ['@twinning/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    projects: [
      ...workspaceDirs.map((dir) => ({
        extends: true as const,
        test: {
          name: dir.split('/')[1] ?? dir,
          root: dir,
          include: ['src/**/*.spec.ts'],
        },
      })),
      {
        extends: true as const,
        test: {
          name: 'e2e',
          root: 'test',
          include: ['**/*.spec.ts'],
          exclude: ['bench/**', 'node_modules/**'],
        },
      },
    ],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
