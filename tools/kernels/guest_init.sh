#!/bin/busybox sh
# shellcheck shell=dash
# /init of the initramfs that `tools/harness kernels` boots: mounts what the tests need, runs /plan with
# run_plan.sh (results go out on the serial console), and powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
ip link set lo up 2>/dev/null
# overlayfs is a module in Debian's kernels: overlay_test needs it (tools/harness stages it when it can).
overlay=/runfiles/procscope/kmods/$(uname -r)/overlay.ko
[ -f "$overlay" ] && insmod "$overlay"
echo "=== procscope-guest kernel $(uname -r) ==="
# procscope.plan=NAME on the kernel command line picks another plan of the initramfs (/plan by default).
plan=/plan
# shellcheck disable=SC2013  # the kernel command line is words
for word in $(cat /proc/cmdline); do
  case "$word" in procscope.plan=*) plan="/${word#procscope.plan=}" ;; esac
done
cd /runfiles/procscope && sh /run_plan.sh "$plan" /results --emit
echo "=== procscope-guest done ==="
sync
poweroff -f
