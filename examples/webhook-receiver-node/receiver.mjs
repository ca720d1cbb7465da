// An example receiver of Loopline webhooks, for an approval request.
//
// Every request is signed as the Standard Webhooks specification says; this receiver checks the
// signature with that specification's own library (npm "standardwebhooks") and refuses, with 401,
// a request it cannot verify. Its answer is the acknowledgement: a 2xx with a JSON object (the
// step's output), a 5xx to be tried again later, a 4xx for a person to look at.
//
// Environment:
//   WEBHOOK_SECRET   the gateway's LOOPLINE_WEBHOOK_SECRET (whsec_...)
//   TLS_PFX          a PKCS#12 file with this server's key and certificate
//   TLS_PASSPHRASE   its password
//   PORT             the port to listen on (0, the default, picks a free one)
//
// It prints one JSON line when it listens ({"listening": port}) and one per request
// ({"messageId": ..., "verified": true|false, "status": ...}).
//
// To show each kind of answer, it does what the message's payload field "behaviour" says:
//   "approve" (or none)  200 {"approved": true, "approver": "node-receiver"}
//   "busy-once"          503 the first time an instance asks, then as "approve"
//   "reject"             400 {"error": "the report cannot be approved"}
//   "slow"               answers only after 60 s, past the gateway's timeout
import fs from 'node:fs';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.WEBHOOK_SECRET);
const askedBefore = new Set();
const approvals = new Map(); // Idempotency-Key → the answer given, so that a redelivery is answered alike

function answer(response, status, body) {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

const server = https.createServer(
  { pfx: fs.readFileSync(process.env.TLS_PFX), passphrase: process.env.TLS_PASSPHRASE },
  (request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let message;
      try {
        message = webhook.verify(body, request.headers);
      } catch (error) {
        console.log(JSON.stringify({ messageId: request.headers['webhook-id'] ?? null, verified: false, status: 401 }));
        answer(response, 401, { error: 'the signature does not verify' });
        return;
      }
      const reply = (status, result) => {
        console.log(JSON.stringify({ messageId: message.messageId, verified: true, status }));
        answer(response, status, result);
      };
      const key = request.headers['idempotency-key'];
      if (approvals.has(key)) {
        reply(200, approvals.get(key));
        return;
      }
      const behaviour = message.payload?.behaviour ?? 'approve';
      if (behaviour === 'slow') {
        setTimeout(() => reply(200, { approved: true }), 60_000).unref();
        return;
      }
      if (behaviour === 'reject') {
        reply(400, { error: 'the report cannot be approved' });
        return;
      }
      if (behaviour === 'busy-once' && !askedBefore.has(message.instanceId)) {
        askedBefore.add(message.instanceId);
        reply(503, { error: 'busy, try again' });
        return;
      }
      const approved = { approved: true, approver: 'node-receiver' };
      approvals.set(key, approved);
      reply(200, approved);
    });
  },
);

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ listening: server.address().port }));
});
