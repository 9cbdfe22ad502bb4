"""qemu_configs.py: what differs between the architectures `tools/harness kernels` boots, as data.

One Config per Debian architecture name. tools/kernels/run.py reads nothing architecture-specific from
anywhere else.
"""
import dataclasses


@dataclasses.dataclass(frozen=True)
class Config:
    arch: str  # Debian's name: amd64, arm64
    # The Bazel flags of the guest build (project code linked in statically).
    bazel_flags: tuple
    # QEMU and its machine arguments; "-accel ACCEL" is added for machines that may use KVM.
    qemu: tuple
    console: str  # the serial console the kernel writes to
    always_tcg: bool  # never KVM, whatever this machine offers (emulating another architecture)
    host_column: bool  # this machine runs the plan too (only its own architecture)
    guest_prefix: str  # result folders: PREFIX1, PREFIX1-force-never, PREFIX2, ...
    # Tests left out on this architecture, and why.
    skipped_tests: tuple = ()
    i386_fixtures: bool = False  # the fixtures/i386.bzl genrules are built and staged
    # busybox for the guest's /init: None is this machine's /bin/busybox, else a Debian package of ARCH.
    busybox_package: str = None


CONFIGS = {
    "amd64": Config(
        arch="amd64",
        bazel_flags=("-c", "opt", "--dynamic_mode=off", "--platform_suffix=guest"),
        qemu=("qemu-system-x86_64",),
        console="ttyS0",
        always_tcg=False,
        host_column=True,
        guest_prefix="guest",
        i386_fixtures=True,
    ),
    # QEMU's generic board, every feature the emulated CPU has (MTE, TBI, PAC), a PL011 serial console.
    # pauth-impdef=on: pointer authentication stays on, computed with QEMU's own cheap hash instead of the
    # architected QARMA5, which TCG emulates slowly on every signed call and return. Measured here, one boot
    # running memory_engine_test alone: the test 687 s -> 206 s, the boot 11 min 52 s -> 3 min 32 s.
    "arm64": Config(
        arch="arm64",
        bazel_flags=("--config=aarch64", "-c", "opt", "--dynamic_mode=off", "--platform_suffix=guest-aarch64"),
        qemu=("qemu-system-aarch64", "-M", "virt", "-cpu", "max,pauth-impdef=on"),
        console="ttyAMA0",
        always_tcg=True,
        host_column=False,
        guest_prefix="arm64-guest",
        # compat32_test runs i386 targets: an x86 question (arm64's 32-bit mode would need arm builds).
        skipped_tests=("compat32_test",),
        busybox_package="busybox-static",
    ),
}


def qemu_command(config, accel, kernel, initrd, extra):
    """The QEMU command line of one boot (without the time limit around it)."""
    machine = list(config.qemu) + ["-accel", "tcg" if config.always_tcg else accel]
    return machine + ["-m", "4096", "-smp", "2", "-nographic", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
                      "-append", f"console={config.console} panic=-1 quiet {extra}", "-nic", "none"]
