"""kernel_lines.py: the Debian kernel lines `tools/harness kernels` boots, and how one is fetched.

A line is a Debian suite whose `linux-image-cloud-ARCH` meta-package names the kernel users of that release
run. The package lists come from a private apt configuration (its own sources list, lists and cache
directories under the harness's cache): the machine's apt sources are never changed and nothing is
installed, the packages are only downloaded (`apt-get download`) and unpacked. Unpacked kernels are cached
by package version, so a run that finds the same version in the lists downloads nothing.

Debian's layouts, all handled here:
  - bullseye, bookworm: linux-image-RELEASE holds boot/vmlinuz-RELEASE and lib/modules/RELEASE (plain .ko);
  - trixie: the same under usr/lib/modules/RELEASE, modules as .ko.xz;
  - sid (7.x): linux-image-RELEASE is empty; the image is in linux-binary-RELEASE
    (usr/lib/modules/RELEASE/vmlinuz), the modules in linux-modules-RELEASE (.ko.xz).
"""
import dataclasses
import os
import re
import subprocess


@dataclasses.dataclass(frozen=True)
class Line:
    name: str  # what --line takes: "5.10", "6.1", "6.12", "7"
    suite: str  # Debian's suite: bullseye, bookworm, trixie, sid


# Oldest first: the order of the report's columns and of `--quick`'s boots.
LINES = (Line("5.10", "bullseye"), Line("6.1", "bookworm"), Line("6.12", "trixie"), Line("7", "sid"))
ARCHIVE = "http://deb.debian.org/debian"
SECURITY_ARCHIVE = "http://deb.debian.org/debian-security"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


class FetchError(Exception):
    """This line's kernel could not be fetched; the message names the package and the suite."""


def known_names():
    return ", ".join(f"{line.name} ({line.suite})" for line in LINES)


def find(name):
    """The line `name` names: "5.10", "6.1", "6.12", "7" (also "7.x"), a suite name, or SUITE-security (the
    suite with its security updates, which carry newer kernels); None for anything else."""
    security = name.endswith("-security")
    base = name[:-len("-security")] if security else name
    for line in LINES:
        if base in (line.name, line.suite) or (line.name == "7" and base == "7.x"):
            if security and line.suite == "sid":
                return None  # sid has no security suite
            return Line(line.name, line.suite + "-security") if security else line
    return None


@dataclasses.dataclass(frozen=True)
class Kernel:
    """One fetched kernel: what the guests boot and what the report says about it."""
    line: str
    suite: str
    arch: str
    package: str  # the versioned image package (linux-image-RELEASE)
    version: str  # its Debian version, e.g. 5.10.223-1
    vmlinuz: str  # absolute path
    modules: str  # absolute path of lib/modules/RELEASE (or usr/lib/...), "" when the package has none

    def describe(self):
        """"linux-image-5.10.0-32-cloud-amd64 5.10.223-1 (bullseye, amd64)", or the path of a --kernel image."""
        if not self.package:
            return self.vmlinuz
        return f"{self.package} {self.version} ({self.suite}, {self.arch})"


class Apt:
    """apt-get and apt-cache over a private configuration for one suite (SUITE-security adds the security
    archive beside it) under `cache`: its own sources list, lists and package cache."""

    def __init__(self, cache, suite, arches):
        self.suite = suite
        self.root = os.path.abspath(os.path.join(cache, "apt", suite))
        for sub in ("lists/partial", "archives/partial"):
            os.makedirs(os.path.join(self.root, sub), exist_ok=True)
        base = suite[:-len("-security")] if suite.endswith("-security") else suite
        options = f"[signed-by={KEYRING} arch={','.join(arches)}]"
        sources = [f"deb {options} {ARCHIVE} {base} main"]
        if base != suite:
            sources.append(f"deb {options} {SECURITY_ARCHIVE} {suite} main")
        with open(os.path.join(self.root, "sources.list"), "w") as f:
            f.write("".join(s + "\n" for s in sources))

    def _options(self):
        r = self.root
        return ["-o", f"Dir::Etc::sourcelist={r}/sources.list", "-o", "Dir::Etc::sourceparts=-",
                "-o", f"Dir::State::lists={r}/lists", "-o", f"Dir::Cache={r}", "-o", "Dir::Cache::archives="
                f"{r}/archives", "-o", "Dir::State::status=/dev/null", "-o", "Debug::NoLocking=1", "-q"]

    def update(self):
        """Refreshes the lists; when that fails, lists from an earlier run are used if there are any."""
        result = subprocess.run(["apt-get"] + self._options() + ["update"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        have_lists = any(n.endswith("_Packages") for n in os.listdir(os.path.join(self.root, "lists")))
        if result.returncode != 0 and not have_lists:
            last = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
            raise FetchError(f"apt-get update for {self.suite} failed: {last}")

    def show(self, package):
        """The candidate's fields of PACKAGE (name:arch), or None when the lists have no such package."""
        result = subprocess.run(["apt-cache"] + self._options() + ["show", "--no-all-versions", package],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if result.returncode != 0 or not result.stdout.strip():
            return None
        return parse_fields(result.stdout)

    def download(self, package, version, arch, into):
        """PACKAGE=VERSION for ARCH as a .deb in `into` (kept: a later run with the same version reuses it)."""
        name = deb_name(package, version, arch)
        path = os.path.join(into, name)
        if os.path.isfile(path):
            return path
        result = subprocess.run(["apt-get"] + self._options() + ["download", f"{package}:{arch}={version}"],
                                cwd=into, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0 or not os.path.isfile(path):
            last = [line for line in result.stdout.splitlines() if not line.startswith("W: Download is")]
            raise FetchError(f"cannot download {package} {version} from {self.suite}: "
                             f"{(last or ['(no output)'])[-1]}")
        return path


def parse_fields(text):
    """The first stanza of apt-cache show's output as {field: value} (continuation lines joined)."""
    fields, key = {}, None
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        if line[0] in " \t" and key:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return fields


def depends_names(fields):
    """The package names of a Depends field, alternatives included, without versions or arch qualifiers."""
    names = []
    for group in fields.get("Depends", "").split(","):
        for alternative in group.split("|"):
            name = alternative.strip().split(" ")[0].split(":")[0]
            if name:
                names.append(name)
    return names


def deb_name(package, version, arch):
    """The file name apt-get download gives PACKAGE=VERSION (an epoch's ':' is written %3a)."""
    return f"{package}_{version.replace(':', '%3a')}_{arch}.deb"


def image_packages(apt, arch):
    """[(package, version)]: the versioned image package the suite's linux-image-cloud-ARCH points at, and
    the linux-binary-/linux-modules- packages it depends on (sid's split layout)."""
    meta = apt.show(f"linux-image-cloud-{arch}:{arch}")
    if meta is None:
        raise FetchError(f"no linux-image-cloud-{arch} in {apt.suite}")
    images = [n for n in depends_names(meta) if re.fullmatch(r"linux-image-\S+-cloud-" + arch, n)]
    if not images:
        raise FetchError(f"linux-image-cloud-{arch} {meta.get('Version', '?')} in {apt.suite} names no image "
                         f"package (Depends: {meta.get('Depends', '')})")
    image = apt.show(f"{images[0]}:{arch}")
    if image is None:
        raise FetchError(f"{images[0]} (named by linux-image-cloud-{arch}) is not in {apt.suite}")
    found = [(images[0], image["Version"])]
    release = images[0][len("linux-image-"):]
    for part in ("linux-binary-", "linux-modules-"):
        if part + release in depends_names(image):
            fields = apt.show(f"{part}{release}:{arch}")
            if fields is None:
                raise FetchError(f"{part}{release} (named by {images[0]}) is not in {apt.suite}")
            found.append((part + release, fields["Version"]))
    return found


def locate(tree):
    """(vmlinuz, modules directory) in an unpacked kernel package tree; modules "" when it has none."""
    candidates = []
    for sub in ("boot", "lib/modules", "usr/lib/modules"):
        top = os.path.join(tree, sub)
        if not os.path.isdir(top):
            continue
        if sub == "boot":
            candidates += [os.path.join(top, n) for n in sorted(os.listdir(top)) if n.startswith("vmlinuz-")]
        else:
            candidates += [os.path.join(top, n, "vmlinuz") for n in sorted(os.listdir(top))
                           if os.path.isfile(os.path.join(top, n, "vmlinuz"))]
    if not candidates:
        return None, ""
    vmlinuz = candidates[0]
    release = (os.path.basename(vmlinuz)[len("vmlinuz-"):] if os.path.basename(vmlinuz) != "vmlinuz"
               else os.path.basename(os.path.dirname(vmlinuz)))
    for sub in ("lib/modules", "usr/lib/modules"):
        directory = os.path.join(tree, sub, release)
        if os.path.isdir(os.path.join(directory, "kernel")):
            return vmlinuz, directory
    return vmlinuz, ""


def fetch(cache, line, arch, say):
    """The newest kernel of `line` (a Line) for ARCH, downloaded and unpacked under `cache` (reused when the
    same version is there already). Raises FetchError naming the package and suite."""
    apt = Apt(cache, line.suite, ("amd64", "arm64"))
    apt.update()
    packages = image_packages(apt, arch)
    image, version = packages[0]
    tree = os.path.abspath(os.path.join(cache, f"{image}_{version}_{arch}"))
    done = os.path.join(tree, ".unpacked")
    if not os.path.exists(done):
        say(f"fetching {image} {version} from {line.suite} (downloaded and unpacked under {cache}, never "
            "installed)")
        debs = os.path.join(cache, "debs")
        os.makedirs(debs, exist_ok=True)
        for package, package_version in packages:
            deb = apt.download(package, package_version, arch, debs)
            result = subprocess.run(["dpkg-deb", "-x", deb, tree], stderr=subprocess.PIPE, text=True)
            if result.returncode != 0:
                raise FetchError(f"cannot unpack {package} {package_version} from {line.suite}: "
                                 f"{result.stderr.strip()}")
        open(done, "w").close()
    vmlinuz, modules = locate(tree)
    if vmlinuz is None:
        raise FetchError(f"{image} {version} from {line.suite} has no vmlinuz")
    return Kernel(line.name, line.suite, arch, image, version, vmlinuz, modules)
