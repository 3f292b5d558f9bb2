// `npm run playground` and `losskit serve`: build the page with Vite (into web/dist), then serve it
// on localhost and print its address. Everything runs in the page; the server only hands out files.
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
await build({ root, logLevel: 'warn' });
const port = Number(process.env.PORT ?? 4173);
const server = await preview({ root, logLevel: 'silent', preview: { host: '127.0.0.1', port, strictPort: false, open: false } });
console.log(`losskit playground: ${server.resolvedUrls.local[0]}  (Ctrl-C to stop)`);
