#!/usr/bin/env python3
"""Says which architecture a kernel image is for, from its own bytes (tools/harness kernels --kernel).

  kernel_arch.py IMAGE
      Prints amd64 or arm64. Exit status 1, with the reason on stderr, for an image of another architecture
      (a 32-bit x86 kernel, say) or one it cannot read as a kernel.

What it reads, in this order (an ELF vmlinux from a build tree is none of these: the harness boots
what distributions ship as vmlinuz):
  - an EFI-stub (PE) image, as Debian's vmlinuz files for both architectures are: the PE header's machine
    (0x8664 x86-64, 0xaa64 arm64, 0x14c i386); an EFI zboot image carries the kernel's machine too;
  - an x86 bzImage without the EFI stub: "HdrS" at 0x202, 64-bit when xloadflags (0x236) has
    XLF_KERNEL_64;
  - an arm64 Image without the EFI stub: "ARM\\x64" at 0x38;
  - a gzip'd one of these (arm64 Image.gz): the same checks on its decompressed start.
"""
import struct
import sys
import zlib

_PE_MACHINES = {0x8664: "amd64", 0xAA64: "arm64", 0x14C: "i386"}
_SUPPORTED = ("amd64", "arm64")
# Enough of a gzip'd image to reach every header field read here.
_HEADER_BYTES = 4096


def _u16(data, offset):
    return struct.unpack_from("<H", data, offset)[0] if offset + 2 <= len(data) else None


def _u32(data, offset):
    return struct.unpack_from("<I", data, offset)[0] if offset + 4 <= len(data) else None


def image_arch(data):
    """The architecture ("amd64", "arm64", "i386") of the kernel image starting with DATA, or None."""
    if data[:2] == b"MZ":
        pe = _u32(data, 0x3C)
        if pe is not None and data[pe:pe + 4] == b"PE\0\0":
            machine = _u16(data, pe + 4)
            if machine in _PE_MACHINES:
                return _PE_MACHINES[machine]
    if data[0x202:0x206] == b"HdrS":
        xloadflags = _u16(data, 0x236)
        return "amd64" if xloadflags is not None and xloadflags & 1 else "i386"
    if data[0x38:0x3C] == b"ARM\x64":
        return "arm64"
    if data[:2] == b"\x1f\x8b":
        try:
            start = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, _HEADER_BYTES)
        except zlib.error:
            return None
        return image_arch(start) if start[:2] != b"\x1f\x8b" else None
    return None


def check(path):
    """The architecture of the kernel image at PATH if the guests boot it ("amd64" or "arm64"); otherwise
    ValueError saying why (unreadable, not a kernel image, another architecture)."""
    try:
        with open(path, "rb") as f:
            # A gzip'd image needs its compressed stream; 1 MiB holds far more than the first 4 KiB unpacked.
            data = f.read(1 << 20)
    except OSError as e:
        raise ValueError(f"{path}: {e.strerror}") from None
    arch = image_arch(data)
    if arch is None:
        raise ValueError(f"{path} is not a kernel image this harness knows (an EFI/PE image, an x86 "
                         "bzImage, an arm64 Image, or a gzip'd one of them; an ELF vmlinux is not booted)")
    if arch not in _SUPPORTED:
        raise ValueError(f"{path} is an {arch} kernel; the guests are {' and '.join(_SUPPORTED)}")
    return arch


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    try:
        print(check(argv[1]))
    except ValueError as e:
        print(f"kernel_arch.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
