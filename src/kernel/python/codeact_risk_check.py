"""The risky-code check, run by the kernel's own interpreter as a long-lived helper.

It fails closed: a cell runs without asking only when every part of it is understood and on
the allowlist (codeact_risk_rules.py). The cell is first expanded exactly as the kernel will
(IPython's TransformerManager, plus the automagic of one-line cells), then parsed with `ast`.

Relative paths resolve against "cwd", the kernel's working folder as the caller last read it
(an earlier action may have moved it: `%cd`, `os.chdir`); writes must land inside "folder".
Either missing (null) makes every relative write ask; "cwdUnknown" says why cwd is missing.

Protocol (JSON lines): stdin {"id", "code", "folder", "cwd", "cwdUnknown"}; stdout {"id",
"findings": [{"category", "reason", "line"}]} or {"id", "error"}. The first line out is {"ready": true} or {"error"}.
"""
import ast
import gc
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from codeact_risk_kinds import HANDLE  # noqa: E402
from codeact_risk_shell import shown  # noqa: E402
from codeact_risk_visitor import CellVisitor  # noqa: E402


class Analysis:
    def __init__(self, folder, cwd, transform, line_magics, cwd_unknown=None):
        self.folder = folder
        self.cwd = cwd
        # Why the caller could not read the kernel's working folder, said on the card.
        self.cwd_unknown = cwd_unknown
        self.transform = transform
        self.line_magics = line_magics
        self.findings = []

    def ask(self, node, category, reason, line=None):
        self.findings.append({'category': category, 'reason': reason, 'line': line or getattr(node, 'lineno', 1)})

    # ---- cells --------------------------------------------------------------------------

    def check_cell(self, code, depth=0, line=1):
        tree = plain_python(code)
        try:
            python = code if tree is not None else self.expand(code)
        except Exception as error:  # IPython could not expand it: neither can we read it
            self.ask(None, 'unknownCode', 'uses IPython syntax the check cannot expand (%s)' % shown(error), line)
            return
        if len(python.splitlines()) == 1:
            magic = self.automagic(python.splitlines()[0])
            if magic != python.splitlines()[0]:
                python, tree = magic + '\n', None
        try:
            tree = tree or ast.parse(python)
        except SyntaxError as error:
            self.ask(None, 'unknownCode', 'cannot be parsed as Python (%s)' % shown(error.msg), line + max((error.lineno or 1) - 1, 0))
            return
        if line != 1:
            ast.increment_lineno(tree, line - 1)
        CellVisitor(self, tree, depth).run()

    def expand(self, code):
        return self.transform(code)

    def automagic(self, line):
        """A one-line cell whose first word is a magic runs that magic (IPython's automagic)."""
        stripped = line.strip()
        word = stripped.split(None, 1)[0] if stripped else ''
        rest = stripped[len(word):].strip()
        if word in self.line_magics and not (rest.startswith('=') and not rest.startswith('==')):
            return 'get_ipython().run_line_magic(%r, %r)' % (word, rest)
        return line

    # ---- paths --------------------------------------------------------------------------

    def write_ok(self, path):
        """A literal relative path that, resolved in the kernel's working folder, stays inside the
        folder, symlinks followed."""
        if path == HANDLE:
            return True
        if not isinstance(path, str) or not path or self.folder is None or self.cwd is None or '\x00' in path:
            return False
        if '://' in path or path.startswith(('~', '/', '\\')) or (len(path) > 1 and path[1] == ':'):
            return False
        parts = path.replace('\\', '/').split('/')
        if '..' in parts:
            return False
        root = os.path.realpath(self.folder)
        target = os.path.realpath(os.path.join(os.path.realpath(self.cwd), path))
        return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


PROMPT = re.compile(r'^\s*(In \[\d*\]:|\.\.\.+:|>>>)', re.M)


def plain_python(code):
    """The tree of `code` when IPython would run it unchanged: it parses as Python and has no prompt to strip.
    Every IPython escape (`!`, `%`, `?`, `/`, `,`, `;`, `x = !cmd`) is a syntax error in Python,
    so a cell that parses has none; skipping IPython's transformer then saves its cost (it
    tokenizes the whole cell again for each escape it expands)."""
    if PROMPT.search(code):
        return None
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):
        return None


def text_or_none(value):
    return value if isinstance(value, str) and value else None


def magic_names():
    from IPython.core import magics
    from IPython.core.alias import default_aliases
    names = {alias for alias, _ in default_aliases()}
    for value in vars(magics).values():
        table = getattr(value, 'magics', None)
        if isinstance(table, dict) and 'line' in table:
            names.update(table['line'])
    names.update({'pip', 'conda', 'mamba', 'matplotlib', 'connect_info', 'qtconsole', 'edit', 'clear', 'less', 'more', 'man'})
    return names


def main():
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        transformer = TransformerManager()
        line_magics = magic_names()
    except Exception as error:  # this interpreter cannot expand IPython: every check fails closed
        print(json.dumps({'error': 'IPython is not importable in %s: %s' % (sys.executable, error)}), flush=True)
        return 3
    gc.collect()
    gc.freeze()  # IPython's objects, made once, are not scanned again
    print(json.dumps({'ready': True, 'python': sys.version.split()[0]}), flush=True)
    for raw in sys.stdin:
        try:
            request = json.loads(raw)
            request_id = request['id']
        except Exception:
            continue
        # A tree makes no reference cycles: the collector only adds pauses to a check.
        gc.disable()
        try:
            analysis = Analysis(text_or_none(request.get('folder')), text_or_none(request.get('cwd')), transformer.transform_cell, line_magics, text_or_none(request.get('cwdUnknown')))
            analysis.check_cell(str(request['code']).replace('\r\n', '\n'))
            reply = {'id': request_id, 'findings': analysis.findings}
        except Exception as error:
            reply = {'id': request_id, 'error': '%s: %s' % (type(error).__name__, error)}
        finally:
            gc.enable()
        sys.stdout.write(json.dumps(reply) + '\n')
        sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
