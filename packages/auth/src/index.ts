export const PACKAGE = '@milkyway/auth';
