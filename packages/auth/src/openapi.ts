/** @internal the bearer security scheme a JWT guard declares (OpenAPI metadata, protocol 4). */
export function bearerScheme(name: string): Record<string, object> {
  return { [name]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } };
}
