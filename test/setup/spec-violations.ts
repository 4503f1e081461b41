import { afterEach, expect } from 'vitest';
import { takeViolations } from '../helpers/prism.ts';

afterEach(() => {
  expect(takeViolations(), 'requests that Prism found invalid against the spec').toEqual([]);
});
