CREATE TABLE src (k STRING, v BIGINT) WITH ('connector'='datagen', 'rows-per-second'='50', 'fields.k.length'='1', 'fields.v.min'='-10', 'fields.v.max'='100');
CREATE TABLE snk (k STRING, cnt BIGINT, total BIGINT) WITH ('connector'='blackhole');
INSERT INTO snk SELECT k, COUNT(*), SUM(v) FROM src WHERE v > 0 GROUP BY k;
