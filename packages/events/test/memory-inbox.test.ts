import { describe, expect, it } from 'vitest';
import { memoryInbox } from '../src/index.js';

const key = { messageId: 'e-1', source: '/orders', group: 'catalog' };

describe('memory inbox', () => {
  it('runs the effect for a new key and reports a duplicate for a recorded one', async () => {
    const inbox = memoryInbox();
    let runs = 0;
    expect(await inbox.runOnce(key, async () => void runs++)).toBe('applied');
    expect(await inbox.runOnce(key, async () => void runs++)).toBe('duplicate');
    expect(runs).toBe(1);
  });

  it('records nothing when the effect fails, so the retry runs it again', async () => {
    const inbox = memoryInbox();
    await expect(
      inbox.runOnce(key, async () => Promise.reject(new Error('rollback'))),
    ).rejects.toThrow('rollback');
    expect(inbox.has(key)).toBe(false);
    expect(await inbox.runOnce(key, async () => undefined)).toBe('applied');
  });

  it('runs the effect once when two deliveries of one key arrive together', async () => {
    const inbox = memoryInbox();
    let runs = 0;
    let release: () => void = () => undefined;
    const first = inbox.runOnce(key, () => {
      runs++;
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const second = inbox.runOnce(key, async () => void runs++);
    release();
    expect(await Promise.all([first, second])).toEqual(['applied', 'duplicate']);
    expect(runs).toBe(1);
  });

  it('keeps keys of different groups apart', async () => {
    const inbox = memoryInbox();
    await inbox.runOnce(key, async () => undefined);
    expect(await inbox.runOnce({ ...key, group: 'billing' }, async () => undefined)).toBe(
      'applied',
    );
  });

  it('forgets the oldest keys beyond maxEntries', async () => {
    const inbox = memoryInbox({ maxEntries: 2 });
    for (const id of ['a', 'b', 'c'])
      await inbox.runOnce({ ...key, messageId: id }, async () => undefined);
    expect(inbox.size).toBe(2);
    expect(inbox.has({ ...key, messageId: 'a' })).toBe(false);
  });
});
