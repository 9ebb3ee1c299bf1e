export const PACKAGE = '@milkyway/core';
