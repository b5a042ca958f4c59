import { describe, expect, it } from 'vitest';
import { positional } from '../../src/export/response-file.ts';

describe('numbers read back from a response file', () => {
  it('writes exponent notation out in digits without changing the value, and leaves everything else as it is', () => {
    expect(positional('4.014e-7')).toBe('0.0000004014');
    expect(positional('-1.5E+3')).toBe('-1500');
    expect(positional('1e21')).toBe('1000000000000000000000');
    expect(positional('12.5e1')).toBe('125');
    expect(positional('.5e-1')).toBe('0.05');
    for (const text of ['4.014e-7', '-1.5E+3', '1e21', '12.5e1', '.5e-1']) expect(Number(positional(text))).toBe(Number(text));
    for (const text of ['12', '-0.25', 'e5', '1e', 'ten', '']) expect(positional(text)).toBe(text);
  });
});
