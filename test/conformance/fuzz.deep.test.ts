// The fuzz area in full (npm run test:deep): nothing reported on the healthy reference server over 20 seeds.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../conformance/reference/server.js';
import { expectNoFindings } from './sweeps/fuzz.js';

describe('fuzz against the reference server, 20 seeds', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer({ webhookRetryDelaysMs: [], validateResponses: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reports nothing on the healthy server over 20 seeds', async () => {
    await expectNoFindings(
      server,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  }, 900_000);
});
