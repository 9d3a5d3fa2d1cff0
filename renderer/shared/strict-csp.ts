// Imported first by every page entry. The hub's pages (and the kiosk's) run under a CSP without
// 'unsafe-eval'; zod's faster object parser is compiled with `new Function`, and merely probing for
// it makes Chromium report a violation. Parsing without it costs little for the few frames a page sees.
import { z } from 'zod';

z.config({ jitless: true });
