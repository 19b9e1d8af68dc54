'use strict';
/* The events bench's goals and printed tables. */
const h = require('../lib/harness');

function throughputGoals(throughput) {
  const goals = [];
  const defaultRun = throughput.find((t) => t.batchSize === 500);
  if (defaultRun) goals.push({ goal: 'relay ≥ 5,000 events/s (batchSize 500, the default)', actual: `${defaultRun.relay.eventsPerSecond} events/s`, pass: defaultRun.relay.eventsPerSecond >= 5000 });
  for (const run of throughput.filter((t) => t !== defaultRun)) {
    goals.push({ goal: `relay ≥ 5,000 events/s (batchSize ${run.batchSize})`, actual: `${run.relay.eventsPerSecond} events/s`, pass: run.relay.eventsPerSecond >= 5000 });
  }
  if (!throughput.length) return goals;
  const actual = throughput.map((t) => `${t.verify.streamMessages}/${t.verify.expected}, ${t.verify.perRecordOrderViolations} order violations`).join('; ');
  return [...goals, { goal: 'stream holds every event once, per-record order = outbox order', actual, pass: throughput.every((t) => t.verify.ok) }];
}

function goalsOf(options, throughput, latency) {
  const experiment = [options.consumerAck === 'ack' ? 'msg.ack()' : '', options.consumerConcurrency !== 8 ? `concurrency ${options.consumerConcurrency}` : ''].filter(Boolean).join(', ');
  const tag = experiment ? ` [EXPERIMENT, not the shipped consumer: ${experiment}]` : '';
  const goals = throughputGoals(throughput);
  for (const run of latency) {
    const l = run.latencyMs.fromCommitStart;
    goals.push({ goal: `p99 commit→consumer ≤ 100 ms at ${run.rate} events/s${tag}`, actual: `p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / max ${l.max} ms`, pass: l.p99 <= 100 });
    goals.push({
      goal: `no loss at ${run.rate} events/s (received = committed, in order)${tag}`,
      actual: `${run.received}/${run.produced.committed}, ${run.perRecordOrderViolations} order violations`,
      pass: run.missing === 0 && run.duplicateReceipts === 0 && run.perRecordOrderViolations === 0 && run.produced.failedWrites === 0,
    });
  }
  return goals;
}

function printThroughput(r) {
  const w = [10, 9, 9, 11, 8, 9, 9, 9, 7];
  console.log(`\nrelay throughput, ${r.options.events} events over ${r.options.records} records, outbox filled first`);
  console.log(h.tableRow(['batchSize', 'insert/s', 'relay s', 'relay ev/s', 'batches', 'SELECT s', 'publish s', 'UPDATE s', 'order'], w));
  for (const t of r.throughput) {
    const ms = t.relay.breakdown.ms;
    const s = (x) => h.round(x / 1000, 2);
    console.log(h.tableRow([t.batchSize, t.insert.eventsPerSecond, t.relay.seconds, t.relay.eventsPerSecond, t.relay.breakdown.batches, s(ms.selectAndGroup), s(ms.publishAndAcks), s(ms.markSent), t.verify.ok ? 'ok' : 'BAD'], w));
  }
}

function printLatency(r) {
  const w = [10, 9, 9, 7, 7, 7, 7, 8, 8];
  if (r.options.consumerAck !== 'ackAck' || r.options.consumerConcurrency !== 8) {
    console.log(`\nEXPERIMENT: consumer with --consumer-ack=${r.options.consumerAck} --consumer-concurrency=${r.options.consumerConcurrency} (not the shipped EventConsumer)`);
  }
  console.log(`\ncommit→consumer handler latency (ms, from just before COMMIT; ${r.options.duration} s after ${r.options.warmup} s warm-up)`);
  console.log(h.tableRow(['rate/s', 'committed', 'received', 'p50', 'p95', 'p99', 'max', 'mean', 'p99 end'], w));
  for (const l of r.latency) {
    const d = l.latencyMs.fromCommitStart;
    console.log(h.tableRow([l.rate, l.produced.committed, l.received, d.p50, d.p95, d.p99, d.max, d.mean, l.latencyMs.fromCommitEnd.p99], w));
  }
}

function printReport(r) {
  console.log(`\ncommit ${r.tree.commit}${r.tree.libsDifferFromCommit ? ' (libs/ modified)' : ''}, libs dist built ${r.tree.distBuiltAt}; ${r.machine.cpus} cores shared by everything`);
  if (r.throughput.length) printThroughput(r);
  if (r.latency.length) printLatency(r);
  if (r.machine.busyCoresBeforeStart > 0.25) console.log(`warning: ${r.machine.busyCoresBeforeStart} cores were busy before the start (other work on the machine)`);
  const disturbed = [...r.throughput, ...r.latency].filter((x) => x.cpu.coresUsedBy.other > 0.25);
  if (disturbed.length) console.log(`warning: other work used > 0.25 cores during ${disturbed.length} measured window(s); those figures are disturbed`);
  if (r.warnings.length) console.log(`relay/consumer warnings: ${r.warnings.length} (first: ${r.warnings[0]})`);
  console.log('\ngoals');
  for (const g of r.goals) console.log(`  ${g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.actual}`);
}

module.exports = { goalsOf, printReport };
