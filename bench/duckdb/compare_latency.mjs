// The correctness gate of bench/e2e/ingest_compare.sh: compares `vigil latency --format json`
// against the exact per-route answer of access_log_query.mjs (DuckDB) for the same log.
//
//   node compare_latency.mjs EXACT.json VIGIL.json [MIN_COUNT] [ACCURACY]
//
// Passes (exit 0, one summary line) when
//   - both list the same routes (vigil's "route" rows; journeys would mean a config was read),
//   - count, 5xx (bad), 4xx (client_errors) and latency_count are equal for every route, and
//   - for every route with count >= MIN_COUNT (default 100), each of p50/p95/p99/p99.9 is
//     within ACCURACY (default 0.01, the store's default relative accuracy) of the exact
//     nearest-rank value x: |vigil - x| <= ACCURACY·x + 0.001 ms. The 0.001 ms is vigil's
//     output rounding (3 decimals in ms, ±0.0005) with room for a µs of conversion; the exact
//     values are whole ms ($request_time has ms resolution), so a zero latency must read 0.
// Otherwise prints every offending row and exits 1. Exit 2 on unreadable input.
import { readFileSync } from 'node:fs';

const [exactPath, vigilPath, minCountArg = '100', accuracyArg = '0.01'] = process.argv.slice(2);
const minCount = Number(minCountArg);
const accuracy = Number(accuracyArg);
if (!exactPath || !vigilPath || !(minCount >= 0) || !(accuracy >= 0)) {
  console.error('usage: node compare_latency.mjs EXACT.json VIGIL.json [MIN_COUNT] [ACCURACY]');
  process.exit(2);
}
const ABSOLUTE_SLACK_MS = 0.001;

function load(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    console.error(`compare_latency: ${path}: ${e.message}`);
    process.exit(2);
  }
}

const exact = load(exactPath);
const vigil = load(vigilPath);
const problems = [];
const vigilRows = new Map();
for (const row of vigil.rows ?? []) {
  if (row.kind !== 'route') {
    problems.push(`vigil has a ${row.kind} row "${row.name}": run vigil without a config`);
    continue;
  }
  if (row.service !== 'default' || row.environment !== '') {
    problems.push(`vigil row "${row.name}" has service "${row.service}" environment ` +
                  `"${row.environment}"; expected the default service`);
  }
  vigilRows.set(row.name, row);
}

const QUANTILES = [['p50_ms', 'p50'], ['p95_ms', 'p95'], ['p99_ms', 'p99'], ['p99_9_ms', 'p99.9']];
let checkedRoutes = 0;
let checkedPercentiles = 0;
let worst = { rel: 0, what: 'none' };
for (const want of exact.rows) {
  const got = vigilRows.get(want.name);
  if (!got) {
    problems.push(`route "${want.name}": missing in vigil (exact count ${want.count})`);
    continue;
  }
  vigilRows.delete(want.name);
  ++checkedRoutes;
  for (const field of ['count', 'bad', 'client_errors', 'latency_count']) {
    if (got[field] !== want[field]) {
      problems.push(`route "${want.name}": ${field} vigil ${got[field]} exact ${want[field]}`);
    }
  }
  if (want.count < minCount) {
    continue;
  }
  for (const [field, label] of QUANTILES) {
    const x = want[field];
    const v = got[field];
    if (x === null || v === null || v === undefined) {
      if (x !== v) {
        problems.push(`route "${want.name}": ${label} vigil ${v} exact ${x}`);
      }
      continue;
    }
    ++checkedPercentiles;
    const err = Math.abs(v - x);
    const rel = x > 0 ? err / x : (err > 0 ? Infinity : 0);
    if (rel > worst.rel) {
      worst = { rel, what: `${want.name} ${label}: vigil ${v} exact ${x}` };
    }
    if (err > accuracy * x + ABSOLUTE_SLACK_MS) {
      problems.push(`route "${want.name}": ${label} vigil ${v} ms, exact ${x} ms ` +
                    `(off by ${(100 * rel).toFixed(3)}%, allowed ${(100 * accuracy).toFixed(2)}% ` +
                    `+ ${ABSOLUTE_SLACK_MS} ms)`);
    }
  }
}
for (const [name, row] of vigilRows) {
  problems.push(`route "${name}": only in vigil (count ${row.count})`);
}

if (problems.length > 0) {
  console.log(`MISMATCH: ${problems.length} problem(s) comparing ${vigilPath} with ${exactPath}:`);
  for (const p of problems) {
    console.log(`  ${p}`);
  }
  process.exit(1);
}
console.log(`ok: ${checkedRoutes} routes, counts exact; ${checkedPercentiles} percentiles of ` +
            `routes with >= ${minCount} requests within ${(100 * accuracy).toFixed(2)}%; ` +
            `worst ${(100 * worst.rel).toFixed(3)}% (${worst.what})`);
