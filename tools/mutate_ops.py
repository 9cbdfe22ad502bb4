"""mutate_ops.py: the mutation operators of `tools/harness mutate`, pure functions over a C++ file's text.

find_mutants(path, text) lists every mutant of one file, in file order, each a replacement of one span of the
text; apply(text, mutant) makes the mutated text. Nothing here reads files or runs anything.

The operators rely on the project's clang-format style (tools/harness lint): binary operators have a space on
each side, template angle brackets do not, so " < " is a comparison and "<int>" is not. Comments, string and
character literals and preprocessor lines are never mutated.
"""
import collections
import hashlib
import re

# Operator names, as --operators takes them and the report prints them.
OPERATORS = ("relational", "literal", "plus_one", "logical", "negate", "remove", "swap_field", "bound")

RELATIONAL = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
LOGICAL = {"&&": "||", "||": "&&"}
BOUND = {"lower_bound": "upper_bound", "upper_bound": "lower_bound"}
# Member names that are alike: a file that reads both of a pair can confuse them. Whole names, and the parts of
# snake_case names (env_start/env_end, cap_eff/cap_prm): two members are alike when they differ in exactly one
# part and those parts make a pair here.
ALIKE_PARTS = (("start", "end"), ("eff", "prm"), ("prm", "inh"), ("eff", "bnd"), ("min", "max"), ("lo", "hi"),
               ("first", "second"), ("read", "written"), ("uid", "gid"), ("offset", "length"), ("inode", "dev"))
# Statements that begin with these words are never removed (declarations and control flow are not statements
# a mistake drops; the control flow's bodies are mutated instead).
KEYWORDS = {"return", "if", "else", "for", "while", "do", "switch", "case", "default", "break", "continue", "goto",
            "using", "typedef", "static_assert", "namespace", "template", "struct", "class", "enum", "union",
            "public", "private", "protected", "friend", "throw", "co_return", "delete", "new", "const", "constexpr",
            "static", "auto", "extern", "inline", "virtual", "explicit", "operator", "thread_local"}


class Mutant:
    """One change: text[start:end] becomes `replacement`. `line` is 1-based; `key` identifies the mutant across
    runs and edits elsewhere in the file (see fingerprint)."""

    def __init__(self, path, operator, start, end, replacement, line):
        self.path, self.operator = path, operator
        self.start, self.end, self.replacement, self.line = start, end, replacement, line
        self.key = ""

    def __repr__(self):
        return f"Mutant({self.path}:{self.line} {self.operator} {self.key})"


def code_view(text):
    """The text with comments and preprocessor lines blanked (spaces, newlines kept) and the insides of string and
    character literals replaced by '_', so offsets match the text and no operator is found in them."""
    out = list(text)
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c == "#":
            j = i
            while j < n and (text[j] != "\n" or text[j - 1] == "\\"):
                j += 1
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
            continue
        if c == "\n":
            line_start = True
            i += 1
            continue
        if not c.isspace():
            line_start = False
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out[i:j] = " " * (j - i)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif c == '"':
            raw = re.search(r'(?:u8|[uUL])?R$', text[max(0, i - 3):i])
            if raw:
                m = re.match(r'"([^(\s]*)\(', text[i:])
                close = ")" + (m.group(1) if m else "") + '"'
                j = text.find(close, i + 1)
                j = n if j < 0 else j + len(close)
            else:
                j = i + 1
                while j < n and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                j = min(j + 1, n)
            for k in range(i + 1, j - 1):
                out[k] = "_"
            i = j
        elif c == "'":
            if i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
                i += 1  # a digit separator: 1'000
                continue
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            for k in range(i + 1, j - 1):
                out[k] = "_"
            i = j
        else:
            i += 1
    return "".join(out)


def matching_paren(code, open_at):
    """The index of the ')' that closes code[open_at] == '(', or -1."""
    depth = 0
    for i in range(open_at, len(code)):
        if code[i] == "(":
            depth += 1
        elif code[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _relational(code):
    for m in re.finditer(r"(?<=[\w)\]] )(<=|>=|==|!=|<|>)(?= [\w(!*&\-+\[\"'])", code):
        yield "relational", m.start(), m.end(), RELATIONAL[m.group(1)]


def _logical(code):
    for m in re.finditer(r"(?<=[\w)\]] )(&&|\|\|)(?= )", code):
        yield "logical", m.start(), m.end(), LOGICAL[m.group(1)]


def _literal(code):
    for m in re.finditer(r"(?<![\w.'])(\d+)([uUlLzZ]*)(?![\w.'])", code):
        value = int(m.group(1))
        if m.group(1) != "0" and m.group(1).startswith("0"):
            continue  # octal: leave it
        yield "literal", m.start(1), m.end(1), str(value + 1)
        if value > 0:
            yield "literal", m.start(1), m.end(1), str(value - 1)


def _plus_one(code):
    for m in re.finditer(r"(?<=[\w)\]] )([+-])(?= 1(?![\w.']))", code):
        yield "plus_one", m.start(), m.end(), "-" if m.group(1) == "+" else "+"


def _bound(code):
    for m in re.finditer(r"\b(lower_bound|upper_bound)\b", code):
        yield "bound", m.start(), m.end(), BOUND[m.group(1)]


def _negate(code):
    for m in re.finditer(r"\b(?:if|while) \(", code):
        open_at = m.end() - 1
        close = matching_paren(code, open_at)
        if close < 0:
            continue
        cond_start = open_at + 1
        inner = code[cond_start:close]
        depth, semi = 0, -1
        for k, ch in enumerate(inner):  # `if (init; cond)`: negate the condition only
            depth += ch == "("
            depth -= ch == ")"
            if ch == ";" and depth == 0:
                semi = k
        if semi >= 0:
            cond_start += semi + 1
            while code[cond_start] == " ":
                cond_start += 1
        cond = code[cond_start:close]
        if re.match(r"^[\w:<>,*& ]+ \w+ = ", cond) or not cond.strip():
            continue  # a declaration in the condition
        yield "negate", cond_start, close, None


def _alike(a, b):
    if a == b:
        return False
    pa, pb = a.split("_"), b.split("_")
    if len(pa) != len(pb):
        return False
    diff = [(x, y) for x, y in zip(pa, pb) if x != y]
    return len(diff) == 1 and (diff[0] in ALIKE_PARTS or diff[0][::-1] in ALIKE_PARTS)


def _swap_field(code):
    uses = [(m.start(1), m.end(1), m.group(1)) for m in re.finditer(r"(?:\.|->)([a-z_]\w*)\b(?!\s*\()", code)]
    names = sorted({u[2] for u in uses})
    for start, end, name in uses:
        for other in names:
            if _alike(name, other):
                yield "swap_field", start, end, other


def statements(code):
    """Simple statements: (start, end) spans of code that begin at a block's statement boundary and end with ';'
    at that block's parenthesis depth 0, each with the header of the block it is in ("if (x) ", "int f() "...)
    and whether it is the last statement of its block."""
    found = []
    stack = [{"header": "", "depth": 0, "start": None, "members": [], "init": False}]
    for i, c in enumerate(code):
        ctx = stack[-1]
        if c == "(":
            ctx["depth"] += 1
        elif c == ")":
            ctx["depth"] -= 1
        elif c == "{":
            header = (code[ctx["start"]:i] if ctx["start"] is not None else "").strip()
            before = code[:i].rstrip()
            init = (ctx["depth"] == 0 and (not before or before[-1] in "=(,{" or header == "return" or
                                           re.search(r"[\w>]$", code[:i]) is not None))
            stack.append({"header": header, "depth": 0, "start": None, "members": [], "init": init})
            continue
        elif c == "}":
            if len(stack) > 1:
                done = stack.pop()
                if done["members"]:
                    done["members"][-1][3] = True
                if not done["init"]:
                    found.extend(done["members"])
                    if stack[-1]["depth"] == 0:
                        stack[-1]["start"] = None  # a block ends the statement that opened it
            continue
        elif c == ";" and ctx["depth"] == 0:
            if ctx["start"] is not None:
                ctx["members"].append([ctx["start"], i + 1, ctx["header"], False])
            ctx["start"] = None
            continue
        if ctx["start"] is None and not c.isspace() and ctx["depth"] >= 0:
            ctx["start"] = i
    for ctx in stack:
        found.extend(ctx["members"])
    return sorted((s, e, h, last) for s, e, h, last in found)


CONTROL_HEADER = re.compile(r"^(?:\}\s*)?(?:if|else|for|while|switch|case|default|do)\b")


def _removable(code, start, end, header, last):
    """The part of a statement that can be removed: (start, end) or None."""
    text = code[start:end]
    offset = 0
    while True:  # labels and a guarding `if (...)` / `else` / loop header in front of the statement
        m = re.match(r"\s*(?:case [^:;]+|default):(?!:)\s*", text[offset:])
        if m:
            offset += m.end()
            continue
        m = re.match(r"\s*else\s+", text[offset:])
        if m:
            offset += m.end()
            header = "else"
            continue
        m = re.match(r"\s*(?:if|while|for) \(", text[offset:])
        if m:
            close = matching_paren(text, offset + m.end() - 1)
            if close < 0:
                return None
            offset = close + 1
            while offset < len(text) and text[offset].isspace():
                offset += 1
            header = "if"
            continue
        break
    body = text[offset:]
    first = re.match(r"[A-Za-z_]\w*", body)
    word = first.group(0) if first else ""
    if word == "return":
        early = not last or bool(CONTROL_HEADER.match(header))
        return (start + offset, end) if early else None
    if word == "continue":
        return start + offset, end
    if word in KEYWORDS:
        return None
    # A call: a callee expression without spaces (so not `Type name(args)`), then its arguments.
    if re.match(r"^[\w:.\->\[\]<>]+\(", body) and not re.match(r"^\w+(?:::\w+)*<", body):
        return start + offset, end
    # An assignment or an increment: a left-hand side without spaces (so not a declaration `int x = 1`).
    if re.match(r"^[\w.\->\[\]*()]+ (?:=|\+=|-=|\*=|/=|\|=|&=|\^=|<<=|>>=) ", body) or \
            re.match(r"^(?:\+\+|--)[\w.\->\[\]]+;$|^[\w.\->\[\]]+(?:\+\+|--);$", body):
        return start + offset, end
    return None


def _remove(code):
    for start, end, header, last in statements(code):
        span = _removable(code, start, end, header, last)
        if span:
            yield "remove", span[0], span[1], "{}"


GENERATORS = {"relational": _relational, "literal": _literal, "plus_one": _plus_one, "logical": _logical,
              "negate": _negate, "remove": _remove, "swap_field": _swap_field, "bound": _bound}


def _lines_of(text, start, end):
    """The whole lines that hold text[start:end]."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return first, len(text) if last < 0 else last


def apply(text, mutant):
    """The text with the mutant applied."""
    if mutant.replacement is None:  # negate
        return text[:mutant.start] + "!(" + text[mutant.start:mutant.end] + ")" + text[mutant.end:]
    return text[:mutant.start] + mutant.replacement + text[mutant.end:]


def describe(text, mutant):
    """(original lines, mutated lines): the lines the mutant touches, before and after."""
    first, last = _lines_of(text, mutant.start, mutant.end)
    mutated = apply(text, mutant)
    return text[first:last], mutated[first:last + len(mutated) - len(text)]


def fingerprint(path, operator, before, after, occurrence):
    """A mutant's key: its file, operator, the lines before and after (whitespace folded) and which occurrence
    of that same change in the file it is. Stable when other lines move; new when its own line changes."""
    fold = lambda s: " ".join(s.split())  # noqa: E731
    raw = "\0".join((path, operator, fold(before), fold(after), str(occurrence)))
    return hashlib.sha1(raw.encode()).hexdigest()[:10]


def find_mutants(path, text, operators=OPERATORS):
    """Every mutant of `text` (the file at `path`, relative to the checkout) for the named operators, in file
    order, without duplicates (two operators making the same text keep the first)."""
    code = code_view(text)
    raw = []
    for op in operators:
        for operator, start, end, replacement in GENERATORS[op](code):
            raw.append((start, end, OPERATORS.index(operator), operator, replacement))
    raw.sort(key=lambda r: (r[0], r[1], r[2], r[4] or ""))
    seen, mutants, counts = set(), [], collections.Counter()
    for start, end, _, operator, replacement in raw:
        if (start, end, replacement) in seen:
            continue
        seen.add((start, end, replacement))
        m = Mutant(path, operator, start, end, replacement, text.count("\n", 0, start) + 1)
        before, after = describe(text, m)
        counts[(operator, before.strip(), after.strip())] += 1
        m.key = fingerprint(path, operator, before, after, counts[(operator, before.strip(), after.strip())])
        mutants.append(m)
    return mutants
