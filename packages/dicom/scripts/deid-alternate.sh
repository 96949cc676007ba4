#!/bin/bash
# Times `fedhub dicom deidentify` and `gdcmanon -c` (certificate mode) alternately on the same folder, each
# whole process from outside with /usr/bin/time, the output folder removed inside each timed command; run 0
# is a warm-up and not counted. Prints medians (min-max) of wall, user, system and CPU seconds and peak
# memory, and the ratios pair by pair. Needs the built CLI, gdcmanon (libgdcm-tools), openssl, python3.
# Usage: packages/dicom/scripts/deid-alternate.sh IN [runs]   (IN: e.g. written by
#   node packages/dicom/scripts/deid-bench.mjs --write-series IN 600)
set -eu
IN=$1
RUNS=${2:-9}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -subj /CN=bench -days 2 2>/dev/null
head -c 32 /dev/urandom | base64 > "$W/project.key"
chmod 600 "$W/project.key"
FEDHUB="rm -rf $W/o1; node $ROOT/packages/cli/bin/fedhub.js dicom deidentify $IN $W/o1 --key-file $W/project.key"
GDCM="rm -rf $W/o2; gdcmanon -c $W/cert.pem -r -i $IN -o $W/o2"
uptime
for i in $(seq 0 "$RUNS"); do
  /usr/bin/time -a -o "$W/times" -f "fedhub $i %e %U %S %M" bash -c "$FEDHUB" >/dev/null
  /usr/bin/time -a -o "$W/times" -f "gdcmanon $i %e %U %S %M" bash -c "$GDCM" >/dev/null
done
uptime
python3 - "$W/times" <<'PY'
import sys, statistics as st, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 6 and p[1] != '0':
        rows[p[0]].append([float(x) for x in p[2:]])
def mm(xs): return f"{st.median(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})"
for k, v in rows.items():
    wall, user, sys_, mem = zip(*v)
    print(f"{k:9s} n={len(v)} wall {mm(wall)} user {st.median(user):.2f} sys {st.median(sys_):.2f} "
          f"cpu {mm([u + s for u, s in zip(user, sys_)])} peak MiB {st.median(mem) / 1024:.0f}")
a, b = rows['fedhub'], rows['gdcmanon']
n = min(len(a), len(b))
print(f"fedhub/gdcmanon pair by pair: wall {mm([a[i][0] / b[i][0] for i in range(n)])} "
      f"cpu {mm([(a[i][1] + a[i][2]) / (b[i][1] + b[i][2]) for i in range(n)])} "
      f"user {mm([a[i][1] / b[i][1] for i in range(n)])}")
PY
