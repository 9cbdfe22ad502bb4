"""Unit tests of tools/kernels/kernel_lines.py: the line names, apt's answers read right, each Debian layout
located; no network (the apt side is a stand-in answering as Debian's lists did on 2026-12-07)."""
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import kernel_lines  # noqa: E402

# apt-cache show --no-all-versions, as the four suites answered (trimmed to the fields read).
SHOW = {
    "linux-image-cloud-amd64:amd64": "Package: linux-image-cloud-amd64\nVersion: 7.2.13-1\nDepends: "
    "linux-base-cloud-amd64 (= 7.2.13-1), linux-image-7.2.13+deb14-cloud-amd64 (= 7.2.13-1)\n\n",
    "linux-image-7.2.13+deb14-cloud-amd64:amd64": "Package: linux-image-7.2.13+deb14-cloud-amd64\nVersion: "
    "7.2.13-1\nDepends: dracut | initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool, linux-base-7.2.13+deb14-"
    "cloud-amd64 (= 7.2.13-1), linux-binary-7.2.13+deb14-cloud-amd64 (= 7.2.13-1), linux-modules-7.2.13+deb14-"
    "cloud-amd64 (= 7.2.13-1)\nPre-Depends: linux-base (>= 4.17~)\n",
    "linux-binary-7.2.13+deb14-cloud-amd64:amd64": "Package: linux-binary-7.2.13+deb14-cloud-amd64\nVersion: "
    "7.2.13-1\n",
    "linux-modules-7.2.13+deb14-cloud-amd64:amd64": "Package: linux-modules-7.2.13+deb14-cloud-amd64\nVersion: "
    "7.2.13-1\nDepends: kmod, linux-base-7.2.13+deb14-cloud-amd64 (= 7.2.13-1)\n",
}
BULLSEYE = {
    "linux-image-cloud-amd64:amd64": "Package: linux-image-cloud-amd64\nVersion: 5.10.223-1\nDepends: "
    "linux-image-5.10.0-32-cloud-amd64 (= 5.10.223-1)\n",
    "linux-image-5.10.0-32-cloud-amd64:amd64": "Package: linux-image-5.10.0-32-cloud-amd64\nVersion: 5.10.223-1\n"
    "Depends: kmod, linux-base (>= 4.3~), initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool\n",
}


class FakeApt:
    def __init__(self, answers, suite="sid"):
        self.answers, self.suite = answers, suite

    def show(self, package):
        text = self.answers.get(package)
        return kernel_lines.parse_fields(text) if text else None


def touch(root, relative):
    path = os.path.join(root, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").close()
    return path


class LinesTest(unittest.TestCase):
    def test_names_numbers_suites_and_security(self):
        self.assertEqual(kernel_lines.find("5.10").suite, "bullseye")
        self.assertEqual(kernel_lines.find("bookworm").name, "6.1")
        self.assertEqual(kernel_lines.find("7.x"), kernel_lines.find("sid"))
        self.assertEqual(kernel_lines.find("bullseye-security"), kernel_lines.Line("5.10", "bullseye-security"))
        for unknown in ("6.6", "sid-security", "", "buster"):
            self.assertIsNone(kernel_lines.find(unknown), unknown)


class AptAnswersTest(unittest.TestCase):
    def test_fields_and_depends(self):
        fields = kernel_lines.parse_fields(SHOW["linux-image-7.2.13+deb14-cloud-amd64:amd64"] + "\nPackage: other\n")
        self.assertEqual(fields["Version"], "7.2.13-1")
        self.assertNotIn("other", fields.values())
        names = kernel_lines.depends_names(fields)
        self.assertEqual(names[:3], ["dracut", "initramfs-tools", "linux-initramfs-tool"])
        self.assertIn("linux-modules-7.2.13+deb14-cloud-amd64", names)

    def test_deb_names_write_an_epoch_as_apt_does(self):
        self.assertEqual(kernel_lines.deb_name("busybox-static", "1:1.35.0-4", "arm64"),
                         "busybox-static_1%3a1.35.0-4_arm64.deb")

    def test_sids_split_layout_fetches_image_binary_and_modules(self):
        self.assertEqual(kernel_lines.image_packages(FakeApt(SHOW), "amd64"), [
            ("linux-image-7.2.13+deb14-cloud-amd64", "7.2.13-1"),
            ("linux-binary-7.2.13+deb14-cloud-amd64", "7.2.13-1"),
            ("linux-modules-7.2.13+deb14-cloud-amd64", "7.2.13-1")])

    def test_classic_layout_fetches_the_image_alone(self):
        self.assertEqual(kernel_lines.image_packages(FakeApt(BULLSEYE, "bullseye"), "amd64"),
                         [("linux-image-5.10.0-32-cloud-amd64", "5.10.223-1")])

    def test_what_is_missing_names_package_and_suite(self):
        with self.assertRaises(kernel_lines.FetchError) as caught:
            kernel_lines.image_packages(FakeApt({}, "trixie"), "arm64")
        self.assertEqual(str(caught.exception), "no linux-image-cloud-arm64 in trixie")
        partial = dict(SHOW)
        del partial["linux-modules-7.2.13+deb14-cloud-amd64:amd64"]
        with self.assertRaises(kernel_lines.FetchError) as caught:
            kernel_lines.image_packages(FakeApt(partial), "amd64")
        self.assertIn("linux-modules-7.2.13+deb14-cloud-amd64", str(caught.exception))
        self.assertIn("sid", str(caught.exception))


class LocateTest(unittest.TestCase):
    def test_each_debian_layout(self):
        root = tempfile.mkdtemp()
        bullseye = os.path.join(root, "a")
        image = touch(bullseye, "boot/vmlinuz-5.10.0-32-cloud-amd64")
        touch(bullseye, "lib/modules/5.10.0-32-cloud-amd64/kernel/fs/overlay/overlay.ko")
        self.assertEqual(kernel_lines.locate(bullseye),
                         (image, os.path.join(bullseye, "lib/modules/5.10.0-32-cloud-amd64")))
        trixie = os.path.join(root, "b")
        image = touch(trixie, "boot/vmlinuz-6.12.117+deb13-cloud-amd64")
        touch(trixie, "usr/lib/modules/6.12.117+deb13-cloud-amd64/kernel/fs/overlay/overlay.ko.xz")
        self.assertEqual(kernel_lines.locate(trixie),
                         (image, os.path.join(trixie, "usr/lib/modules/6.12.117+deb13-cloud-amd64")))
        sid = os.path.join(root, "c")
        image = touch(sid, "usr/lib/modules/7.2.13+deb14-cloud-amd64/vmlinuz")
        touch(sid, "usr/lib/modules/7.2.13+deb14-cloud-amd64/kernel/fs/overlay/overlay.ko.xz")
        self.assertEqual(kernel_lines.locate(sid), (image, os.path.dirname(image)))
        bare = os.path.join(root, "d")
        image = touch(bare, "boot/vmlinuz-6.1.0-50-cloud-amd64")
        self.assertEqual(kernel_lines.locate(bare), (image, ""))
        self.assertEqual(kernel_lines.locate(os.path.join(root, "e")), (None, ""))


if __name__ == "__main__":
    unittest.main()
