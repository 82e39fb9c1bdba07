import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelTimeMs } from '../../src/channel/link-clock.js';

test('the item clock puts item i at i × interval, whatever the wall clock says', () => {
  const clock = { mode: 'item', itemIntervalMs: 100 } as const;
  assert.equal(channelTimeMs(clock, { itemIndex: 0, wallElapsedMs: 5000 }), 0);
  assert.equal(channelTimeMs(clock, { itemIndex: 7, wallElapsedMs: 12 }), 700);
});

test('the wall clock is the run\'s elapsed time', () => {
  assert.equal(channelTimeMs({ mode: 'wall', itemIntervalMs: 100 }, { itemIndex: 7, wallElapsedMs: 1234.5 }), 1234.5);
});
