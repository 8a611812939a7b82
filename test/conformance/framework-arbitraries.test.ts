/**
 * @module test/conformance/framework-arbitraries
 * The suite's arbitraries: scopes follow the SPEC §4 grammar, subsets stay
 * inside their parent, metadata survives JSON, expiresIn says what it lasts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  customScope,
  durationSeconds,
  expiresInOverDay,
  expiresInWithinDay,
  metadata,
  scope,
  scopes,
  scopeOutside,
  scopeSubset,
} from '../../conformance/model/arbitraries.js';

describe('arbitraries', () => {
  it('scopes follow the SPEC §4 grammar; custom scopes use reverse-domain notation', () => {
    fc.assert(
      fc.property(scope, (value) => /^([a-z0-9]+\.)*[a-z][a-z0-9_]*:[a-z][a-z0-9_]*(:[a-z0-9_]+)?$/.test(value)),
    );
    fc.assert(
      fc.property(customScope, (value) =>
        /^(com|io|org|dev|net)\.([a-z0-9]+\.)+[a-z][a-z0-9_]*:[a-z][a-z0-9_]*(:max_\d+)?$/.test(value),
      ),
    );
    fc.assert(
      fc.property(scopes(5), (list) => list.length >= 1 && list.length <= 5 && new Set(list).size === list.length),
    );
  });

  it('subsets stay inside their parent and outside scopes stay outside', () => {
    const parentAndSubset = scopes(6).chain((parent) =>
      fc.tuple(fc.constant(parent), scopeSubset(parent), scopeOutside(parent)),
    );
    fc.assert(
      fc.property(
        parentAndSubset,
        ([parent, subset, outside]) =>
          subset.length > 0 && subset.every((s) => parent.includes(s)) && !parent.includes(outside),
      ),
    );
  });

  it('metadata survives a JSON round trip and avoids keys that JSON parsers refuse', () => {
    fc.assert(
      fc.property(metadata, (value) => {
        const text = JSON.stringify(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(JSON.parse(text))));
        expect(text).not.toMatch(/"(__proto__|constructor|prototype)":/);
        expect(text).not.toContain('\\u0000');
      }),
    );
  });

  it('expiresIn values say what they last', () => {
    fc.assert(
      fc.property(
        expiresInWithinDay,
        (d) => durationSeconds(d.text) === d.seconds && d.seconds >= 120 && d.seconds <= 86_400,
      ),
    );
    fc.assert(fc.property(expiresInOverDay, (d) => durationSeconds(d.text) === d.seconds && d.seconds > 86_400));
  });
});
