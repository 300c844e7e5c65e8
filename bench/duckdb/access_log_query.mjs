// The DuckDB baseline of bench/e2e/ingest_compare.sh, and its correctness oracle: reads a raw
// nginx access log (combined + $request_time [$upstream_response_time ...]) with DuckDB, gives
// every request the automatic route vigil would (src/vigil/ingest/routes.cc, rollup_builder.cc),
// and computes per route the exact count, 5xx, 4xx and nearest-rank p50/p95/p99/p99.9 of
// $request_time in milliseconds.
//
//   node access_log_query.mjs LOGFILE [THREADS]        (THREADS default 2)
//
// Prints one JSON document on stdout: {engine, duckdb_version, threads, file, lines, seconds,
// unparsed, rows: [{name, count, bad, client_errors, latency_count, p50_ms, p95_ms, p99_ms,
// p99_9_ms}]}, rows by count descending then name. `seconds` is the query alone (the caller
// times the whole process). Exit 2 on bad arguments, 1 when DuckDB fails.
//
// Fields: the line is split on '"' (nginx's default escaping writes a quote inside a value as
// \x22, so the quotes are the field delimiters); status and $request_time are the first tokens
// after the request's and the user agent's closing quotes.
//
// Route rules mirrored from vigil (kept in step by hand; the benchmark's comparison fails when
// they drift):
//   - $request is split as method = first token, protocol = last token when it starts with
//     "HTTP/", target = the rest. No protocol, a method that is not an RFC 9110 token of at most
//     32 characters, or a target that starts with neither '/' nor http(s):// → "invalid request".
//   - absolute-form targets lose scheme and host; the query and fragment are cut; trailing
//     slashes are dropped ("/" stays "/"); an empty path is "/".
//   - a path segment that is all digits, a UUID (8-4-4-4-12 hex) or 16+ hex digits is ":id".
//   - the route is "METHOD /path".
// Not mirrored: nginx \xHH escapes inside the target are not decoded (vigil decodes them before
// routing; the demo generator writes none in a valid request line), and vigil's per-service
// route cap (500 by default; the demo has ~40 routes).
//
// Quantiles: DuckDB's quantile_disc with DECIMAL fractions picks rank n - floor(n·(1 - q)),
// which is exactly the nearest rank ceil(q·n) (integer arithmetic, no rounding), vigil's
// definition (src/vigil/sketch/sketch.h). The fractions below are DECIMAL literals on purpose.
import { DuckDBInstance } from '@duckdb/node-api';
import { statSync } from 'node:fs';

const [file, threadsArg = '2'] = process.argv.slice(2);
const threads = Number(threadsArg);
if (!file || !Number.isInteger(threads) || threads < 1) {
  console.error('usage: node access_log_query.mjs LOGFILE [THREADS]');
  process.exit(2);
}
try {
  statSync(file);
} catch (e) {
  console.error(`access_log_query: ${file}: ${e.message}`);
  process.exit(2);
}

const quote = (s) => `'${s.replaceAll("'", "''")}'`;
// RFC 9110 tchar; inside a SQL string literal, so the quote is doubled.
const TCHAR = "[!#$%&''*+.^_`|~0-9A-Za-z-]";
const ID_SEGMENT = '[0-9]+|[0-9a-fA-F]{16,}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

const sql = `
WITH raw AS (
  -- One VARCHAR column per line: no delimiter, quote or escape character occurs in nginx's
  -- escaped output (control bytes are written as \\xHH), so DuckDB's parallel CSV scanner
  -- splits on newlines only.
  SELECT line FROM read_csv(${quote(file)}, columns = {'line': 'VARCHAR'}, header = false,
                            auto_detect = false, delim = '\x01', quote = '', escape = '',
                            strict_mode = false, null_padding = false)
),
fields AS (
  -- nginx's default escaping writes every '"' inside a value as \x22, so splitting on '"'
  -- gives the fields: [1] address, user, time; [2] $request; [3] status and bytes; [4] referer;
  -- [6] user agent; the last, $request_time and what follows it.
  SELECT string_split(line, '"') AS p FROM raw
),
requests AS (
  SELECT
    TRY_CAST(split_part(ltrim(p[3]), ' ', 1) AS INTEGER) AS status,
    CAST(TRY_CAST(split_part(ltrim(p[len(p)]), ' ', 1) AS DECIMAL(18, 3)) * 1000 AS BIGINT) AS ms,
    regexp_extract(p[2], '^(${TCHAR}{1,32}) +(.*[^ ]) +HTTP/[^ ]* *$', ['method', 'target'])
      AS parts
  FROM fields
),
paths AS (
  SELECT
    status, ms,
    parts.method AS method,
    CASE WHEN parts.method = '' OR NOT regexp_matches(parts.target, '^(/|https?://)') THEN NULL
         ELSE regexp_replace(regexp_extract(regexp_replace(parts.target, '^https?://[^/]*', ''),
                                            '^[^?#]*'),
                             '(.)/+$', '\\1')
    END AS path,
    status IS NULL AS unparsed
  FROM requests
),
routed AS (
  SELECT
    status, ms, unparsed,
    CASE WHEN path IS NULL THEN 'invalid request'
         ELSE method || ' ' || CASE WHEN path = '' OR path = '/' THEN '/' ELSE
           -- Each id segment, matched whole between two slashes, becomes ":id". A match consumes
           -- the slash after its segment, so one pass replaces every other segment of a run of
           -- ids ("/1/2/3/" → "/:id/2/:id/"); the second pass gets the rest. The added '/' is
           -- cut again ([:-2]).
           regexp_replace(regexp_replace(path || '/', '/(?:${ID_SEGMENT})/', '/:id/', 'g'),
                          '/(?:${ID_SEGMENT})/', '/:id/', 'g')[:-2] END
    END AS name
  FROM paths
)
SELECT
  name,
  count(*) AS count,
  count(*) FILTER (WHERE status BETWEEN 500 AND 599) AS bad,
  count(*) FILTER (WHERE status BETWEEN 400 AND 499) AS client_errors,
  count(ms) AS latency_count,
  quantile_disc(ms, [0.5, 0.95, 0.99, 0.999]::DECIMAL(4, 3)[]) AS q,
  count(*) FILTER (WHERE unparsed) AS unparsed
FROM routed
GROUP BY name
ORDER BY count DESC, name
`;

try {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  await connection.run(`SET threads = ${threads}`);
  const version = (await connection.runAndReadAll('SELECT version() AS v')).getRowObjects()[0].v;
  const t0 = process.hrtime.bigint();
  const reader = await connection.runAndReadAll(sql);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let lines = 0;
  let unparsed = 0;
  const rows = [];
  for (const r of reader.getRowObjectsJS()) {
    const count = Number(r.count);
    lines += count;
    unparsed += Number(r.unparsed);
    // A NULL quantile list means a route with no $request_time at all.
    const q = r.q ? r.q.map((v) => (v === null ? null : Number(v))) : [null, null, null, null];
    rows.push({
      name: r.name,
      count,
      bad: Number(r.bad),
      client_errors: Number(r.client_errors),
      latency_count: Number(r.latency_count),
      p50_ms: q[0],
      p95_ms: q[1],
      p99_ms: q[2],
      p99_9_ms: q[3],
    });
  }
  process.stdout.write(JSON.stringify({
    engine: 'duckdb',
    duckdb_version: version,
    threads,
    file,
    lines,
    seconds,
    unparsed,
    rows,
  }) + '\n');
} catch (e) {
  console.error(`access_log_query: DuckDB failed: ${e.message}`);
  process.exit(1);
}
