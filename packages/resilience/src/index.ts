export const PACKAGE = '@milkyway/resilience';
