export const PACKAGE = '@milkyway/core';
export * from './cache/index.js';
export * from './rate-limit/index.js';
