// The test run's own tooling: the long files it starts first exist (a renamed
// file would silently lose its place), and the slowest-files table adds up.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LONG_FILES } from './long-files-first.js';
import { slowestTable } from './slowest-files.js';

describe('test run tooling', () => {
  it.each(LONG_FILES)('%s, started first, exists', (path) => {
    expect(existsSync(path)).toBe(true);
  });

  it('lists the slowest files first with their share of the summed time', () => {
    const table = slowestTable(
      [
        { name: 'a.test.ts', seconds: 1 },
        { name: 'b.test.ts', seconds: 3 },
      ],
      1,
    );
    expect(table.split('\n')).toEqual([
      '1 slowest test files (of 2; 4.0 s summed over files, which run in parallel):',
      '  b.test.ts      3.0 s   75%',
    ]);
  });
});
