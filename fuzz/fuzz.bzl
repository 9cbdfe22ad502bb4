"""procscope_fuzzer: one libFuzzer target per input format, replayed over its seed corpus in every test run."""

def procscope_fuzzer(name, srcs, deps, corpus, dictionary, testonly = False):
    """Declares NAME (a fuzzer binary), NAME_lib and NAME_corpus_test.

    NAME links libFuzzer under --config=fuzz (which sets --define=fuzzing_engine=libfuzzer) and the replay
    main() otherwise. NAME_corpus_test runs the target once over every file of the seed corpus, so a normal
    `bazel test //...` replays every corpus (and every minimised crasher added to it).

    Args:
      name: the target name, e.g. "stat_fuzzer".
      srcs: the sources defining LLVMFuzzerTestOneInput.
      deps: what they use.
      corpus: the seed corpus folder beside the target.
      dictionary: the libFuzzer dictionary file beside the target.
      testonly: set when deps include test-only code (a test double such as FakeMemory).
    """
    native.cc_library(
        name = name + "_lib",
        srcs = srcs,
        testonly = testonly,
        deps = deps + ["//fuzz:fuzz_check"],
        alwayslink = True,
    )
    native.cc_binary(
        name = name,
        testonly = testonly,
        deps = [":" + name + "_lib"] + select({
            "//fuzz:libfuzzer": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
        linkopts = select({
            "//fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        data = [dictionary] + native.glob([corpus + "/**"]),
    )
    native.cc_test(
        name = name + "_corpus_test",
        size = "small",
        args = ["fuzz/" + corpus],
        data = native.glob([corpus + "/**"]),
        deps = [
            ":" + name + "_lib",
            "//fuzz:replay_main",
        ],
    )
