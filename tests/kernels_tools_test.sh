#!/usr/bin/env bash
# The parts of `tools/harness kernels` that need no guest: the initramfs builder (a dynamically linked
# program gets its shared libraries and loader; the archive lists back), result collection from a serial log
# (carriage returns, kernel messages inside a block, a block cut short by a dead guest), and the report
# (probe differences marked, failed tests named, emulated timings marked). Booting is `tools/harness kernels`.
set -euo pipefail
pack=tools/kernels/initramfs.py
report=tools/kernels/report.py
out=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }

printf '#!/bin/sh\necho hello\n' >"$out/init"
printf 'plain data\n' >"$out/data.txt"
python3 "$pack" pack "$out/i.cpio.gz" --init "$out/init" --file /bin/true:/usr/bin/true \
  --file "$out/data.txt:/runfiles/procscope/data.txt" --dir proc
names=$(python3 "$pack" list "$out/i.cpio.gz")
echo "$names"
for want in init proc usr/bin/true runfiles/procscope/data.txt; do
  grep -qx "$want" <<<"$names" || fail "missing $want"
done
# /bin/true is dynamically linked here: its libc and the loader must be inside, at the paths ldd names.
while read -r lib; do
  grep -qx "${lib#/}" <<<"$names" || fail "missing shared library $lib"
done < <(ldd /bin/true | grep -o '/[^ ]*' | sort -u)
# The system's cpio reads the same archive (tools/harness installs cpio with the rest).
command -v cpio >/dev/null || fail "cpio is not installed: the archive cannot be checked against it"
[ "$(gzip -dc "$out/i.cpio.gz" | cpio -t 2>/dev/null | sort)" = "$(sort <<<"$names")" ] || fail "cpio -t differs"
python3 "$pack" pack "$out/x.gz" --file /bin/true:/x 2>/dev/null && fail "pack without --init accepted"

{
  printf 'Booting...\r\n=== procscope-file a.json begin ===\r\n'
  printf '{"k": [1, 2, 3]}' | base64 -w 8 | sed 's/$/\r/'
  printf '[    3.1] random: crng init done\r\n=== procscope-file a.json end ===\r\n'
  printf '=== procscope-file cut.txt begin ===\r\naGVsbG8=\r\n'
} >"$out/serial.log"
set +e
collected=$(python3 "$pack" collect "$out/serial.log" "$out/results")
rc=$?
set -e
echo "$collected"
[ "$rc" -eq 1 ] || fail "a cut block must give exit status 1, got $rc"
grep -q "collected a.json" <<<"$collected" || fail "a.json not collected"
grep -q "cut short: cut.txt" <<<"$collected" || fail "cut block not reported"
[ "$(cat "$out/results/a.json")" = '{"k": [1, 2, 3]}' ] || fail "a.json content: $(cat "$out/results/a.json")"
[ ! -e "$out/results/cut.txt" ] || fail "a cut block was written"

for k in host guest; do mkdir -p "$out/$k"; done
echo 6.18.44 >"$out/host/kernel_release.txt"; echo host >"$out/host/accel.txt"
echo 6.1.0-56 >"$out/guest/kernel_release.txt"; echo tcg >"$out/guest/accel.txt"
echo '{"iov_max": 1024, "splits_elements": true}' >"$out/host/probe.json"
echo '{"iov_max": 1024, "splits_elements": false}' >"$out/guest/probe.json"
{ echo "x_test exit=0 seconds=2"; echo "y_test exit=0 seconds=1"; echo "z_test exit=134 seconds=3"; } \
  >"$out/host/tests.txt"
{ echo "x_test exit=1 seconds=9"; echo "y_test exit=0 seconds=1"; echo "z_test exit=0 seconds=3"; } \
  >"$out/guest/tests.txt"
echo '{"tests": 2, "testsuites": [{"name": "S", "testsuite": [{"name": "a"}]}]}' >"$out/host/x_test.json"
echo '{"tests": 2, "testsuites": [{"name": "S", "testsuite": [{"name": "b", "failures": [{}]}]}]}' >"$out/guest/x_test.json"
# A skipped case: the reason comes from the text log, as GoogleTest prints it.
y='{"tests": 2, "testsuites": [{"name": "T", "testsuite": [{"name": "a", "result": "COMPLETED"},
  {"name": "i386", "result": "SKIPPED"}]}]}'
for k in host guest; do echo "$y" >"$out/$k/y_test.json"; done
printf '[ RUN      ] T.i386\ny_test.cc:9: Skipped\nno IA32 emulation in this kernel\n[  SKIPPED ] T.i386 (0 ms)\n' \
  >"$out/host/y_test.log"
# A binary that aborted (exit 134) after its cases passed: a failure, whatever its JSON says.
for k in host guest; do echo '{"tests": 1, "testsuites": [{"name": "U", "testsuite": [{"name": "a"}]}]}' >"$out/$k/z_test.json"; done
echo "proc_mem.force_override=never" >"$out/guest/boot.txt"
set +e
text=$(python3 "$report" "$out/report.md" "$out/host" "$out/guest")
rc=$?
set -e
echo "$text"
[ "$rc" -eq 1 ] || fail "failed tests must give exit status 1, got $rc"
grep -q "| | 6.18.44 (host) | 6.1.0-56 (tcg, proc_mem.force_override=never) |" <<<"$text" || fail "boot label"
grep -q "| splits_elements | true | false | DIFFERS |" <<<"$text" || fail "probe difference not marked"
grep -q "| iov_max | 1024 | 1024 |  |" <<<"$text" || fail "equal probe key marked"
grep -q "| x_test | pass 2 (2 s) | FAIL (exit 1) 1/2: S.b |" <<<"$text" || fail "test cells"
grep -q "| y_test | pass 1 (1 s), skip 1: T.i386 (no IA32 emulation in this kernel) | pass 1 (1 s), skip 1: T.i386 (no reason given) |" <<<"$text" ||
  fail "skips not shown as skips with their reason"
grep -q "| z_test | FAIL (exit 134), no failed case reported | pass 1 (3 s) |" <<<"$text" || fail "exit status ignored"
grep -q "| timing | real | emulated, not comparable |" <<<"$text" || fail "emulated not marked"
cmp -s <(echo "$text") "$out/report.md" || fail "report.md differs from what was printed"
# Only passes, and every boot finished: exit 0. A boot without tests.txt (it died mid-plan): exit 1, named.
for k in host guest; do echo "y_test exit=0 seconds=1" >"$out/$k/tests.txt"; done
python3 "$report" "$out/ok.md" "$out/host" "$out/guest" >/dev/null || fail "a clean run must give exit status 0"
mkdir -p "$out/dead"; echo 6.1.0-56 >"$out/dead/kernel_release.txt"; echo tcg >"$out/dead/accel.txt"
set +e
dead=$(python3 "$report" "$out/dead.md" "$out/host" "$out/dead" 2>/dev/null)
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "an unfinished boot must give exit status 1, got $rc"
grep -q "Did not finish (no tests.txt): 6.1.0-56 (tcg)" <<<"$dead" || fail "unfinished boot not named"
echo PASS
