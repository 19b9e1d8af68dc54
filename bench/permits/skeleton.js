'use strict';
/* The skeleton (bench/lib/skeleton.js) of permits: the twin's create and submit behind a Nest gateway, NATS and a Nest microservice with the relay and a consumer. */
const skeleton = require('../lib/skeleton');
const { makeTwin } = require('./twin');

const APPS = 'api/v1/permit-applications';
const SKELETON = { create: 'skeleton.permits.create', submit: 'skeleton.permits.submit' };

async function runSkeletonService() {
  const twin = await makeTwin();
  await skeleton.runService({
    pool: twin.pool,
    eventsFilter: 'permits.>',
    handlers: {
      [SKELETON.create]: ({ actor, body }) => twin.create(actor, body ?? {}),
      [SKELETON.submit]: ({ actor, id }) => twin.submit(actor, id),
    },
  });
}

function runSkeletonGateway() {
  return skeleton.runGateway({
    routes: [
      { method: 'POST', path: APPS, status: 201, subject: SKELETON.create, citizen: true, data: (request, actor) => ({ actor, body: request.body }) },
      { method: 'POST', path: `${APPS}/:id/submit`, status: 200, subject: SKELETON.submit, citizen: true, data: (request, actor) => ({ actor, id: request.params.id }) },
    ],
  });
}

module.exports = { runSkeletonService, runSkeletonGateway };
