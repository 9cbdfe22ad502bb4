"""Unit tests of tools/mutate_ops.py: which mutants each operator makes of small C++ texts, and which it must
not make (comments, strings, templates, declarations, the last return of a function)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mutate_ops  # noqa: E402


def mutated(text, operators=mutate_ops.OPERATORS):
    """Every mutant of text, as the mutated text's changed lines (stripped), with the operator."""
    out = []
    for m in mutate_ops.find_mutants("x.cc", text, operators):
        _, after = mutate_ops.describe(text, m)
        out.append((m.operator, after.strip()))
    return out


class RelationalAndLogicalTest(unittest.TestCase):
    def test_each_comparison_swaps_to_its_neighbour(self):
        self.assertEqual(mutated("bool f(int a, int b) { return a < b; }\n", ["relational"]),
                         [("relational", "bool f(int a, int b) { return a <= b; }")])
        text = "x = a <= b;\ny = a > b;\nz = a >= b;\nw = a == b;\nv = a != b;\n"
        self.assertEqual([after for _, after in mutated(text, ["relational"])],
                         ["x = a < b;", "y = a >= b;", "z = a > b;", "w = a != b;", "v = a == b;"])

    def test_templates_shifts_arrows_and_includes_are_left_alone(self):
        text = ('#include <vector>\nstd::vector<int> v;\nstd::cout << x >> y;\np->q = 1;\n'
                'template <typename T> T g();\nauto h() -> int;\n')
        self.assertEqual(mutated(text, ["relational", "logical"]), [])

    def test_comments_and_strings_are_left_alone(self):
        text = '// a < b\n/* a == b && c */\nconst char* s = "a < b && c";\nchar c = \'<\';\nauto r = R"(a < b)";\n'
        self.assertEqual(mutated(text, ["relational", "logical", "literal"]), [])

    def test_and_or_swap(self):
        self.assertEqual(mutated("if (a && b || c) f();\n", ["logical"]),
                         [("logical", "if (a || b || c) f();"), ("logical", "if (a && b && c) f();")])


class LiteralTest(unittest.TestCase):
    def test_off_by_one_both_ways_and_zero_only_up(self):
        self.assertEqual([a for _, a in mutated("int x = 0;\nint y = 8u;\n", ["literal"])],
                         ["int x = 1;", "int y = 7u;", "int y = 9u;"])

    def test_hex_floats_octal_and_identifiers_are_left_alone(self):
        self.assertEqual(mutated("auto a = 0x10 + 1.5 + 1e3 + x2 + 017 + 1'000;\n", ["literal"]), [])

    def test_plus_and_minus_one(self):
        self.assertEqual(mutated("n = a + 1;\nm = b - 1;\n", ["plus_one"]),
                         [("plus_one", "n = a - 1;"), ("plus_one", "m = b + 1;")])


class NegateTest(unittest.TestCase):
    def test_if_and_while_conditions(self):
        self.assertEqual(mutated("if (a < f(b)) g();\nwhile (x) y();\n", ["negate"]),
                         [("negate", "if (!(a < f(b))) g();"), ("negate", "while (!(x)) y();")])

    def test_an_init_statement_is_kept_and_a_declaration_left_alone(self):
        self.assertEqual(mutated("if (int n = f(); n > 0) g();\nif (auto p = h()) g();\n", ["negate"]),
                         [("negate", "if (int n = f(); !(n > 0)) g();")])


class RemoveTest(unittest.TestCase):
    TEXT = """int f(std::vector<int>& v, int* out) {
  v.push_back(1);
  *out = 2;
  int local = 3;
  ++local;
  if (v.empty()) return 0;
  for (int x : v) {
    if (x < 0) continue;
    g(x);
  }
  std::string s(4, 'a');
  return local;
}
"""

    def test_calls_assignments_increments_early_returns_and_continue(self):
        self.assertEqual([a for _, a in mutated(self.TEXT, ["remove"])],
                         ["{}", "{}", "{}", "if (v.empty()) {}", "if (x < 0) {}", "{}"])

    def test_declarations_and_the_last_return_stay(self):
        removed = [self.TEXT.splitlines()[m.line - 1].strip()
                   for m in mutate_ops.find_mutants("x.cc", self.TEXT, ["remove"])]
        self.assertEqual(removed, ["v.push_back(1);", "*out = 2;", "++local;", "if (v.empty()) return 0;",
                                   "if (x < 0) continue;", "g(x);"])

    def test_a_return_in_a_branch_or_a_switch_is_early(self):
        text = "int f(int a) {\n  switch (a) {\n    case 1:\n      return 5;\n  }\n  if (a) {\n    return 1;\n  }\n  return 2;\n}\n"
        self.assertEqual([m.line for m in mutate_ops.find_mutants("x.cc", text, ["remove"])], [4, 7])

    def test_statements_inside_lambdas_and_brace_initialisers(self):
        text = "void f() {\n  auto g = [&] {\n    h();\n    return 1;\n  };\n  x = Foo{1, 2};\n  run([&] { k(); });\n}\n"
        lines = [m.line for m in mutate_ops.find_mutants("x.cc", text, ["remove"])]
        self.assertEqual(lines, [3, 6, 7, 7])  # h(); x = ...; run(...) and k() inside it


class FieldsAndBoundsTest(unittest.TestCase):
    def test_alike_members_read_in_one_file_swap(self):
        text = "a = s.cap_eff;\nb = s.cap_prm;\nc = r->start;\nd = t.name;\n"
        self.assertEqual(mutated(text, ["swap_field"]),
                         [("swap_field", "a = s.cap_prm;"), ("swap_field", "b = s.cap_eff;")])

    def test_parts_must_make_a_known_pair(self):
        self.assertTrue(mutate_ops._alike("env_start", "env_end"))
        self.assertFalse(mutate_ops._alike("env_start", "arg_end"))
        self.assertFalse(mutate_ops._alike("name", "path"))

    def test_lower_and_upper_bound(self):
        self.assertEqual(mutated("auto it = std::upper_bound(b, e, x);\n", ["bound"]),
                         [("bound", "auto it = std::lower_bound(b, e, x);")])


class KeyTest(unittest.TestCase):
    def test_a_key_survives_lines_moving_and_changes_with_its_own_line(self):
        one = mutate_ops.find_mutants("x.cc", "a = b < c;\n", ["relational"])[0].key
        moved = mutate_ops.find_mutants("x.cc", "// new\n\na = b < c;\n", ["relational"])[0].key
        edited = mutate_ops.find_mutants("x.cc", "a = b < d;\n", ["relational"])[0].key
        other_file = mutate_ops.find_mutants("y.cc", "a = b < c;\n", ["relational"])[0].key
        self.assertEqual(one, moved)
        self.assertNotEqual(one, edited)
        self.assertNotEqual(one, other_file)

    def test_the_same_change_twice_in_a_file_has_two_keys(self):
        keys = [m.key for m in mutate_ops.find_mutants("x.cc", "a = b < c;\na = b < c;\n", ["relational"])]
        self.assertEqual(len(set(keys)), 2)

    def test_apply_and_describe(self):
        text = "int x = 1;\nif (a == b) f();\n"
        m = mutate_ops.find_mutants("x.cc", text, ["negate"])[0]
        self.assertEqual(mutate_ops.apply(text, m), "int x = 1;\nif (!(a == b)) f();\n")
        self.assertEqual(mutate_ops.describe(text, m), ("if (a == b) f();", "if (!(a == b)) f();"))
        self.assertEqual(m.line, 2)


if __name__ == "__main__":
    unittest.main()
