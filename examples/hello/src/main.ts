import { createApp } from './app.js';

const app = createApp();
// SIGTERM/SIGINT: readiness fails, in-flight requests drain, then the process exits.
await app.listen({ port: Number(process.env.PORT ?? 3000), hostname: process.env.HOST });
