#!/usr/bin/env bash
# Reads `go test -bench Overhead` output on stdin and prints the median
# ns/op of each path and its ratio to the direct call and to the bare
# reverse proxy, measured in the same run.
awk '
/^BenchmarkOverhead\// {
  split($1, p, "/"); path = p[2]; kind = p[3]; sub(/-[0-9]+$/, "", kind)
  key = path "/" kind; n[key]++; v[key, n[key]] = $3; keys[key] = 1
}
function median(k,   i, j, t, c) {
  c = n[k]
  for (i = 1; i <= c; i++) a[i] = v[k, i]
  for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
END {
  printf "\n%-26s %12s %10s %12s\n", "path/kind", "median ns/op", "x direct", "x bare proxy"
  for (k in keys) m[k] = median(k)
  for (k in keys) {
    split(k, q, "/")
    d = m["direct/" q[2]]; r = m["reverseproxy/" q[2]]
    printf "%-26s %12.0f %10.2f %12.2f\n", k, m[k], (d ? m[k] / d : 0), (r ? m[k] / r : 0)
  }
}'
