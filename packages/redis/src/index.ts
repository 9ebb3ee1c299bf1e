export const PACKAGE = '@milkyway/redis';
