#!/usr/bin/env bash
# The parts of `tools/harness kernels` that need no guest: the initramfs builder (a dynamically linked
# program gets its shared libraries and loader; the archive lists back), result collection from a serial log
# (carriage returns, kernel messages inside a block, a block cut short by a dead guest), and the report
# (probe differences marked, failed tests named, emulated timings marked), and the architecture read from a
# kernel image (`tools/harness kernels --kernel`, whose refusals come before anything is installed or built).
# Booting is `tools/harness kernels`.
set -euo pipefail
pack=tools/kernels/initramfs.py
report=tools/kernels/report.py
kernel_arch=tools/kernels/kernel_arch.py
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

# Kernel images, by the headers each format carries (written here byte by byte, 4 KiB each).
image() {  # image FILE [OFFSET HEX-BYTES]...: zeros with those bytes at those offsets
  python3 -c '
import sys
data = bytearray(4096)
for off, hexbytes in zip(sys.argv[2::2], sys.argv[3::2]):
    b = bytes.fromhex(hexbytes)
    data[int(off, 0):int(off, 0) + len(b)] = b
open(sys.argv[1], "wb").write(data)' "$@"
}
# PE header at 0x80 ("PE\0\0", then the machine): Debian's vmlinuz for both architectures are EFI-stub images.
image "$out/pe-amd64" 0 4d5a 0x3c 80000000 0x80 50450000 0x84 6486
image "$out/pe-arm64" 0 4d5a 0x3c 80000000 0x80 50450000 0x84 64aa 0x38 41524d64
image "$out/pe-i386" 0 4d5a 0x3c 80000000 0x80 50450000 0x84 4c01
image "$out/bzimage64" 0x202 48647253 0x236 0100
image "$out/bzimage32" 0x202 48647253 0x236 0000
image "$out/image-arm64" 0x38 41524d64
gzip -c "$out/image-arm64" >"$out/image-arm64.gz"
printf 'plain text, not a kernel\n' >"$out/text"
for want in pe-amd64:amd64 pe-arm64:arm64 bzimage64:amd64 image-arm64:arm64 image-arm64.gz:arm64; do
  got=$(python3 "$kernel_arch" "$out/${want%%:*}") || fail "${want%%:*}: refused"
  [ "$got" = "${want#*:}" ] || fail "${want%%:*}: got '$got', want ${want#*:}"
done
# The ones no guest boots: refused, saying why.
for bad in pe-i386:"is an i386 kernel" bzimage32:"is an i386 kernel" text:"is not a kernel image" \
  missing:"No such file"; do
  set +e
  msg=$(python3 "$kernel_arch" "$out/${bad%%:*}" 2>&1)
  rc=$?
  set -e
  [ "$rc" -eq 1 ] || fail "${bad%%:*}: exit status $rc, want 1"
  grep -q "${bad#*:}" <<<"$msg" || fail "${bad%%:*}: message '$msg'"
done
# tools/harness kernels --kernel: a relative path is the caller's (run from $out, not the checkout), and an
# image of an architecture --arch does not name is refused, naming the one it is.
harness=$PWD/tools/harness
expect_refusal() {  # expect_refusal MESSAGE ARGS...: tools/harness ARGS, run in $out, exits 2 saying MESSAGE
  local want=$1 msg rc
  shift
  set +e
  msg=$(cd "$out" && "$harness" "$@" 2>&1)
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "harness $*: exit status $rc, want 2 ($msg)"
  grep -qF -- "$want" <<<"$msg" || fail "harness $*: message '$msg', want '$want'"
}
expect_refusal "$out/image-arm64 is an arm64 kernel: add --arch arm64" kernels --arch amd64 --kernel image-arm64
expect_refusal "$out/pe-amd64 is an amd64 kernel: add --arch amd64" kernels --kernel pe-amd64 --arch arm64
expect_refusal "is an i386 kernel" kernels --kernel bzimage32
expect_refusal "is not a kernel image" kernels --kernel text
expect_refusal "--kernel needs a kernel image file" kernels --kernel no-such-image
echo PASS
