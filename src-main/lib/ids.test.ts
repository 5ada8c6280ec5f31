import { describe, expect, it } from 'vitest';
import { frozenClock } from './clock';
import { sequentialIds, timeOrderedIds } from './ids';

describe('timeOrderedIds', () => {
  it('makes RFC 9562 version 7 UUIDs carrying the clock time', () => {
    const clock = frozenClock(Date.UTC(2026, 10, 23, 12));
    const id = timeOrderedIds(clock).next();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(clock.nowMs());
  });

  it('sorts ids of later milliseconds after earlier ones, and never repeats', () => {
    const clock = frozenClock(Date.UTC(2026, 10, 23, 12));
    const ids = timeOrderedIds(clock);
    const made: string[] = [];
    for (let ms = 0; ms < 50; ms++) {
      for (let i = 0; i < 100; i++) made.push(ids.next());
      clock.advance(1);
    }
    expect(new Set(made).size).toBe(made.length);
    for (let index = 100; index < made.length; index += 100) {
      expect((made[index - 1] ?? '') < (made[index] ?? '')).toBe(true);
    }
  });
});

describe('sequentialIds', () => {
  it('counts up with its prefix', () => {
    const ids = sequentialIds('dev');
    expect([ids.next(), ids.next()]).toEqual(['dev-000001', 'dev-000002']);
  });
});
