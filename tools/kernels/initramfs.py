#!/usr/bin/env python3
"""Builds the initramfs that tools/harness kernels boots, and reads back what the guest printed.

  initramfs.py pack OUT.cpio.gz --init INIT [--file SRC:DEST ...] [--dir DEST ...]
      A gzip'd newc cpio holding INIT as /init, each SRC at DEST, and every shared library an ELF among
      them needs (found with ldd, stored at the path ldd names, the dynamic loader included; for an arm64
      ELF, which this host cannot run, from its interpreter and DT_NEEDED entries looked up in Debian's
      arm64 multiarch directories). Written in Python, so no cpio tool is needed.
  initramfs.py modules MODULES_DIR OUTDIR NAME...
      Copies NAME.ko (found anywhere under MODULES_DIR, a kernel's /lib/modules/RELEASE) flat into OUTDIR,
      with every module it depends on (the "depends=" entry of each file's .modinfo), and prints one line per
      file copied. NAME.ko.xz (what Debian ships since 6.12) is decompressed on the way, so the guest loads
      plain .ko files on every line (5.10 has no in-kernel decompression); a missing name is an error.
  initramfs.py list IN.cpio.gz
      The paths inside, one per line (a check of what pack wrote).
  initramfs.py collect SERIAL.log OUTDIR
      Extracts the files the guest printed between
        === procscope-file NAME begin ===   (base64 lines)   === procscope-file NAME end ===
      into OUTDIR/NAME, and prints one line per file. Serial consoles add '\\r' and kernel messages may
      interleave: lines that are not base64 inside a block are skipped. A block without its end marker
      (the guest died or timed out) is reported and not written. Exit status 1 when a block was cut.
"""
import base64
import gzip
import lzma
import os
import re
import stat
import subprocess
import sys


# ELF machines this host cannot run, so ldd cannot list their libraries: Debian's multiarch directories
# for them (the arm64 libraries of `tools/harness kernels --arch arm64`).
_FOREIGN_LIBRARY_DIRS = {183: ["/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu"]}  # EM_AARCH64


def _foreign_libraries(path, dirs):
    """What ldd would say for a foreign ELF, from the file itself: its interpreter and its DT_NEEDED names
    found in `dirs` (their own needs are found when they are packed in turn)."""
    libs = []
    headers = subprocess.run(["readelf", "-lW", path], capture_output=True, text=True).stdout
    m = re.search(r"Requesting program interpreter: (/[^\]]+)\]", headers)
    if m:
        libs.append(m.group(1))
    dynamic = subprocess.run(["readelf", "-dW", path], capture_output=True, text=True).stdout
    for name in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic):
        found = [os.path.join(d, name) for d in dirs if os.path.exists(os.path.join(d, name))]
        if not found:
            raise SystemExit(f"initramfs.py: {path} needs {name}, which is in none of {dirs}")
        libs.append(found[0])
    return libs


def _shared_libraries(path):
    """Absolute paths of the shared objects `path` loads ([] for static or non-ELF files)."""
    with open(path, "rb") as f:
        header = f.read(20)
    if header[:4] != b"\x7fELF":
        return []
    machine = int.from_bytes(header[18:20], "little")
    if machine in _FOREIGN_LIBRARY_DIRS:
        return _foreign_libraries(path, _FOREIGN_LIBRARY_DIRS[machine])
    out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    libs = []
    for line in out.splitlines():
        m = re.search(r"=>\s*(/\S+)", line) or re.match(r"\s*(/\S+)\s+\(0x", line)
        if m:
            libs.append(m.group(1))
    return libs


class _Cpio:
    """A newc ("070701") archive writer."""

    def __init__(self):
        self.chunks = []
        self.inode = 1
        self.seen = set()

    def _entry(self, name, mode, data=b""):
        name = name.lstrip("/")
        if name in self.seen:
            return
        self.seen.add(name)
        encoded = name.encode() + b"\0"
        fields = [self.inode, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0]
        self.inode += 1
        header = b"070701" + b"".join(b"%08X" % v for v in fields)
        self.chunks.append(header + encoded + b"\0" * (-(110 + len(encoded)) % 4))
        self.chunks.append(data + b"\0" * (-len(data) % 4))

    def directory(self, path):
        parts = [p for p in path.strip("/").split("/") if p]
        for i in range(1, len(parts) + 1):
            self._entry("/".join(parts[:i]), stat.S_IFDIR | 0o755)

    def file(self, dest, data, mode):
        self.directory(os.path.dirname(dest))
        self._entry(dest, stat.S_IFREG | mode, data)

    def bytes(self):
        self._entry("TRAILER!!!", 0)
        return b"".join(self.chunks)


def pack(out, init, files, dirs):
    archive = _Cpio()
    with open(init, "rb") as f:
        archive.file("init", f.read(), 0o755)
    for d in dirs:
        archive.directory(d)
    queue = list(files)
    while queue:
        src, dest = queue.pop(0)
        real = os.path.realpath(src)
        with open(real, "rb") as f:
            data = f.read()
        archive.file(dest, data, os.stat(real).st_mode & 0o777)
        for lib in _shared_libraries(real):
            if lib.lstrip("/") not in archive.seen:
                queue.append((lib, lib))
    with gzip.open(out, "wb", compresslevel=6) as f:
        f.write(archive.bytes())


def _modinfo_depends(data):
    """The names in the "depends=" entry of a module file's .modinfo strings ([] when it has none)."""
    m = re.search(rb"\0depends=([^\0]*)\0", data)
    return [d for d in m.group(1).decode().split(",") if d] if m else []


def copy_modules(modules_dir, outdir, names):
    """Copies each named module and its dependencies into outdir; returns the names copied."""
    files = {}
    for root, _, entries in os.walk(modules_dir):
        for entry in entries:
            for suffix in (".ko", ".ko.xz"):
                if entry.endswith(suffix):
                    files[entry[:-len(suffix)].replace("-", "_")] = os.path.join(root, entry)
    os.makedirs(outdir, exist_ok=True)
    copied, queue = [], list(names)
    while queue:
        name = queue.pop(0).replace("-", "_")
        if name in copied:
            continue
        if name not in files:
            raise SystemExit(f"initramfs.py: no module {name}.ko or {name}.ko.xz under {modules_dir}")
        with open(files[name], "rb") as f:
            data = f.read()
        if files[name].endswith(".xz"):
            data = lzma.decompress(data)
        with open(os.path.join(outdir, name + ".ko"), "wb") as f:
            f.write(data)
        copied.append(name)
        queue.extend(_modinfo_depends(data))
    return copied


def list_archive(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    names, at = [], 0
    while at < len(data):
        if data[at:at + 6] != b"070701":
            raise SystemExit(f"{path}: not a newc archive at byte {at}")
        fields = [int(data[at + 6 + 8 * i: at + 14 + 8 * i], 16) for i in range(13)]
        size, namesize = fields[6], fields[11]
        name = data[at + 110: at + 110 + namesize - 1].decode()
        at += 110 + namesize
        at += -at % 4
        at += size + (-size % 4)
        if name == "TRAILER!!!":
            break
        names.append(name)
    return names


BEGIN = re.compile(r"=== procscope-file (\S+) begin ===")
END = re.compile(r"=== procscope-file (\S+) end ===")
BASE64 = re.compile(r"^[A-Za-z0-9+/=]+$")


def collect(log, outdir):
    """Writes every complete block of `log`; returns (written names, cut names)."""
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace").replace("\r", "")
    written, cut = [], []
    name, lines = None, []
    for line in text.split("\n"):
        begin, end = BEGIN.search(line), END.search(line)
        if begin:
            if name:
                cut.append(name)
            name, lines = begin.group(1), []
        elif end and name == end.group(1):
            os.makedirs(outdir, exist_ok=True)
            with open(os.path.join(outdir, os.path.basename(name)), "wb") as f:
                f.write(base64.b64decode("".join(lines)))
            written.append(name)
            name = None
        elif name and BASE64.match(line.strip()):
            lines.append(line.strip())
    if name:
        cut.append(name)
    return written, cut


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    command, args = argv[1], argv[2:]
    if command == "pack" and args:
        out, init, files, dirs = args[0], None, [], []
        i = 1
        while i < len(args):
            if args[i] == "--init" and i + 1 < len(args):
                init = args[i + 1]
            elif args[i] == "--file" and i + 1 < len(args) and ":" in args[i + 1]:
                files.append(tuple(args[i + 1].split(":", 1)))
            elif args[i] == "--dir" and i + 1 < len(args):
                dirs.append(args[i + 1])
            else:
                print(f"initramfs.py: bad argument '{args[i]}' (see --help)", file=sys.stderr)
                return 2
            i += 2
        if init is None:
            print("initramfs.py: pack needs --init", file=sys.stderr)
            return 2
        pack(out, init, files, dirs)
        return 0
    if command == "modules" and len(args) >= 3:
        for name in copy_modules(args[0], args[1], args[2:]):
            print(f"module {name}.ko")
        return 0
    if command == "list" and len(args) == 1:
        print("\n".join(list_archive(args[0])))
        return 0
    if command == "collect" and len(args) == 2:
        written, cut = collect(args[0], args[1])
        for name in written:
            print(f"collected {name}")
        for name in cut:
            print(f"cut short: {name} (no end marker)")
        return 1 if cut else 0
    print(f"initramfs.py: unknown or incomplete command '{command}' (see --help)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
