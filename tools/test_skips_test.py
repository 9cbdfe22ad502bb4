"""test_skips.py: which targets passed, and the skips a GoogleTest XML holds, with their reasons."""
import unittest

import test_skips

XML = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" name="AllTests">
  <testsuite name="PeerAdapterTest" tests="2" skipped="1">
    <testcase name="Ran" status="run" result="completed" classname="PeerAdapterTest"/>
    <testcase name="Skipped" status="run" result="skipped" classname="PeerAdapterTest">
      <skipped message="tools/peers/peer_adapter_test.cc:71&#x0A;lldb: not installed: no /usr/lib/x"><![CDATA[x]]></skipped>
    </testcase>
  </testsuite>
</testsuites>
"""


class TestSkipsTest(unittest.TestCase):
    def test_passed_targets_cached_or_not_and_nothing_else(self):
        log = ("//tools/peers:lldb_adapter_test                                  PASSED in 5.9s\n"
               "//tests:conform_test                                    (cached) PASSED in 30.0s\n"
               "//tests:cli_test                                                 FAILED in 2.0s\n"
               "INFO: Build completed successfully\n")
        self.assertEqual(test_skips.passed_targets(log), ["//tools/peers:lldb_adapter_test", "//tests:conform_test"])

    def test_a_skip_and_its_reason(self):
        self.assertEqual(test_skips.skips(XML),
                         [("PeerAdapterTest.Skipped", "lldb: not installed: no /usr/lib/x")])


if __name__ == "__main__":
    unittest.main()
