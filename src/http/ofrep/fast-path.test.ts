import { describe, expect, it } from 'vitest';
import { pathOf } from './fast-path';

describe('pathOf', () => {
  it('is the undecoded path without query or fragment', () => {
    expect(pathOf('https://edge.example/ofrep/v1/evaluate/flags/a?x=1')).toBe('/ofrep/v1/evaluate/flags/a');
    expect(pathOf('http://127.0.0.1:8787/ofrep/v1/evaluate/flags#f')).toBe('/ofrep/v1/evaluate/flags');
    expect(pathOf('https://edge.example/ofrep/v1/evaluate/flags/%61')).toBe('/ofrep/v1/evaluate/flags/%61');
    expect(pathOf('https://edge.example')).toBe('/');
  });
});
