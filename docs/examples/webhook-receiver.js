#!/usr/bin/env node
// An integrator's webhook receiver: verifies each delivery with the standardwebhooks library,
// drops repeats by webhook-id, prints each event as one JSON line and answers 204 at once.
// Run: WEBHOOK_SECRET=whsec_… node docs/examples/webhook-receiver.js --port=8080
//   --max=10   exit after this many new events (default: run until Ctrl-C)
// Then subscribe it (as an admin): POST /api/v1/webhooks {"url":"http://127.0.0.1:8080/hooks","eventTypes":[">"]}
// (a 127.0.0.1 receiver needs WEBHOOK_ALLOWED_PRIVATE_RANGES=127.0.0.1 on the notifications service).
const { createServer } = require('http');
const { Webhook } = require('standardwebhooks');

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [key, ...rest] = a.replace(/^--/, '').split('=');
    return [key, rest.join('=')];
  }),
);
const port = Number(args.port || 8080);
const max = args.max ? Number(args.max) : Infinity;
if (!process.env.WEBHOOK_SECRET) {
  process.stderr.write('set WEBHOOK_SECRET to the whsec_… secret the subscription was created with\n');
  process.exit(2);
}
const hook = new Webhook(process.env.WEBHOOK_SECRET);
// Keep handled ids for as long as duplicates can come (a day at least); a database in real life.
const seen = new Set();
let count = 0;

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let event;
    try {
      // The raw body as it arrived: re-serialised JSON would not verify.
      event = hook.verify(body, req.headers);
    } catch (error) {
      process.stderr.write(`refused a delivery: ${error.message}\n`);
      res.writeHead(400).end();
      return;
    }
    res.writeHead(204).end();
    if (seen.has(req.headers['webhook-id'])) return;
    seen.add(req.headers['webhook-id']);
    process.stdout.write(`${JSON.stringify({ id: event.id, type: event.type, subject: event.subject, time: event.time, data: event.data })}\n`);
    if (++count >= max) server.close(() => process.exit(0));
  });
});
server.listen(port, () => process.stderr.write(`listening on :${port}\n`));
process.on('SIGINT', () => server.close(() => process.exit(0)));
