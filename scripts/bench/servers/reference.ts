/**
 * The reference server for hostile.bench.ts, in its own process with rate
 * limits out of the way (the bench measures memory and latency, not limits).
 * Prints `pid <pid>` and then `listening <origin>`; on SIGUSR2 (started with
 * --expose-gc) `heap-after-gc <MB>`.
 */
import { startReferenceServer } from '../../../conformance/reference/server.js';

const huge = { limit: 1_000_000_000, windowMs: 60_000 };
const server = await startReferenceServer({
  rateLimits: { default: huge, authorize: huge, token: huge, signup: huge, public: huge },
  onError: () => undefined,
});
console.log(`pid ${process.pid}`);
console.log(`listening ${server.url}`);
// With --expose-gc: SIGUSR2 prints the heap kept after a full collection (hostile.bench.ts reads it).
process.on('SIGUSR2', () => {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  console.log(`heap-after-gc ${(process.memoryUsage().heapUsed / 1048576).toFixed(1)}`);
});
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
