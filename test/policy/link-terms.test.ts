// The typed-array link terms give exactly linkTransferMs's numbers, for every kind of link state and the edge
// shares and payloads (0, negative, NaN, above 1), on random ones (fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { linkTransferMs, type LinkState } from '../../src/policy/index.js';
import { linkTerms, termsTransferMs } from '../../src/policy/link-terms.js';
import { fixedLink, radioLink } from './helpers.js';

const linkState: fc.Arbitrary<LinkState> = fc.oneof(
  fc.record({ snr: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e9, noNaN: true })), bandwidthHz: fc.constantFrom(0, 1e6, 20e6), delayMs: fc.double({ min: 0, max: 50, noNaN: true }) })
    .map(({ snr, bandwidthHz, delayMs }) => radioLink(snr, bandwidthHz, delayMs)),
  fc.record({ rate: fc.option(fc.constantFrom(0, 1, 1e6, 2.5e7)), pool: fc.option(fc.constantFrom(0, 1e7, 3e7)), delayMs: fc.double({ min: 0, max: 50, noNaN: true }) })
    .map(({ rate, pool, delayMs }) => fixedLink(rate, delayMs, pool)),
);
const share = fc.oneof(fc.constantFrom(0, -0.5, 1, 1.5, Number.NaN), fc.double({ min: 0, max: 1, noNaN: true }));
const bytes = fc.oneof(fc.constantFrom(0, -1), fc.integer({ min: 1, max: 1 << 24 }));

test('termsTransferMs is linkTransferMs, number for number', () => {
  fc.assert(fc.property(fc.array(linkState, { minLength: 1, maxLength: 6 }), share, bytes, (links, b, payload) => {
    const terms = linkTerms(links);
    links.forEach((link, i) => assert.equal(termsTransferMs(terms, i, b, payload), linkTransferMs(link, b, payload), JSON.stringify({ link, b, payload })));
  }), { numRuns: 1000 });
});
