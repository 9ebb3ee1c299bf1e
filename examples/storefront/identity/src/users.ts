/**
 * DEMO ONLY. Hard-coded demo users with their passwords in clear text: this exists so the
 * storefront runs without an external identity provider. Never do this in a real service;
 * use your IdP (Auth0, Keycloak, Entra ID, Cognito, ...) and point the gateway at its JWKS.
 */
export interface DemoUser {
  username: string;
  password: string;
  scopes: string[];
  roles: string[];
}

/** The demo users: the password is the username. */
export const DEMO_USERS: DemoUser[] = [
  {
    username: 'alice',
    password: 'alice',
    scopes: ['catalog:read', 'orders:read', 'orders:write'],
    roles: ['customer'],
  },
  // bob may browse but not order (403 on POST /orders).
  { username: 'bob', password: 'bob', scopes: ['catalog:read'], roles: ['customer'] },
  // More customers, so that demos and tests can each use their own rate-limit budget.
  ...['carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].map((name) => ({
    username: name,
    password: name,
    scopes: ['catalog:read', 'orders:read', 'orders:write'],
    roles: ['customer'],
  })),
  {
    username: 'admin',
    password: 'admin',
    scopes: ['catalog:read', 'catalog:write', 'orders:read', 'orders:write', 'orders:admin'],
    roles: ['admin'],
  },
];
