import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { exitQuietlyOnBrokenPipe } from './io';

describe('a reader that closes the pipe early', () => {
  it('makes the CLI exit quietly on EPIPE, and lets other stream errors through', () => {
    const stdout = new EventEmitter();
    let exits = 0;
    exitQuietlyOnBrokenPipe([stdout], () => exits++);
    stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toBe(1);
    expect(() => stdout.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }))).toThrow('disk full');
    expect(exits).toBe(1);
  });
});
