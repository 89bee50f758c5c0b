"""IPython in the risky-code check: the calls IPython's transforms write (`get_ipython().system`,
`run_line_magic`, `run_cell_magic`), the magics known to be harmless, and shell commands."""
import ast

from codeact_risk_kinds import MAX_NESTING, shell_category
from codeact_risk_shell import command_reasons, shell_reasons, shown


class IPythonCalls:
    """The IPython part of CellVisitor (it provides ask, literal, bindings and the analysis)."""

    def subprocess_call(self, node, name):
        command = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == 'args'), None)
        shell = any(k.arg == 'shell' and self.literal(k.value) is True for k in node.keywords)
        for keyword in node.keywords:
            if keyword.arg not in ('shell', 'capture_output', 'text', 'check', 'timeout', 'universal_newlines', 'args', 'encoding'):
                self.ask(node, 'runsShell', 'runs a command with `%s=`, which the check does not read' % keyword.arg)
        literal = self.literal(command) if command is not None else None
        if isinstance(literal, str):
            self.shell_text(node, literal, plain=not shell)
        elif isinstance(command, (ast.List, ast.Tuple)) and all(isinstance(self.literal(e), str) for e in command.elts) and not shell:
            for reason in command_reasons([self.literal(e) for e in command.elts]):
                self.ask(node, shell_category(reason), reason)
        else:
            self.ask(node, 'runsShell', 'runs a command the check cannot read (`%s`)' % name)

    def shell_text(self, node, text, plain=False):
        if plain:
            reasons = command_reasons(text.split())
        else:
            reasons = []
            for line in text.splitlines() or ['']:
                reasons.extend(shell_reasons(line, self.a.write_ok))
        for reason in reasons:
            self.ask(node, shell_category(reason), reason)

    def ipython_call(self, node):
        """`get_ipython().system(...)` and the other calls IPython's transforms write."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
                and func.value.func.id == 'get_ipython' and 'get_ipython' not in self.bindings):
            return False
        args = [self.literal(arg) for arg in node.args]
        if node.keywords or not all(isinstance(arg, str) for arg in args):
            self.ask(node, 'runsDynamicCode', 'calls `get_ipython().%s` in a way the check cannot read' % func.attr)
        elif func.attr in ('system', 'getoutput') and len(args) == 1:
            self.shell_text(node, args[0])
        elif func.attr == 'run_line_magic' and len(args) == 2:
            self.line_magic(node, args[0], args[1])
        elif func.attr == 'run_cell_magic' and len(args) == 3:
            self.cell_magic(node, args[0], args[1], args[2])
        else:
            self.ask(node, 'runsDynamicCode', 'calls `get_ipython().%s`' % func.attr)
        return True

    def nested(self, node, code):
        if self.depth >= MAX_NESTING:
            self.ask(node, 'runsDynamicCode', 'runs code nested too deep to check')
        else:
            self.a.check_cell(code, self.depth + 1, node.lineno)

    def line_magic(self, node, name, line):
        words = line.split()
        if ('{' in line or '$' in line) and name not in ('time', 'timeit', 'prun'):
            self.ask(node, 'runsDynamicCode', 'has IPython substitute Python expressions into `%%%s %s`' % (name, shown(line)))
            return
        if name in ('time', 'timeit', 'prun'):
            while words and words[0].startswith('-'):
                words.pop(0)
                if words and name != 'time' and not words[0].startswith('-') and words[0].isdigit():
                    words.pop(0)
            self.nested(node, ' '.join(words) if name != 'time' else line)
        elif name in ('pwd', 'who', 'whos', 'who_ls', 'lsmagic', 'precision', 'xmode', 'magic') or (name == 'matplotlib' and line.strip().isalnum() or not line.strip()):
            return
        elif name in ('pinfo', 'pinfo2', 'pdoc', 'pdef', 'psource') and all(part.isidentifier() for part in line.strip().split('.')):
            return
        elif name in ('pip', 'conda', 'mamba'):
            reasons = shell_reasons('pip ' + line, self.a.write_ok)
            if reasons:
                category = 'installsPackages' if words and words[0] in ('install', 'uninstall', 'remove', 'update', 'create') else 'runsShell'
                self.ask(node, category, '%s with `%%%s %s`' % ('installs packages' if category == 'installsPackages' else 'runs', name, shown(line)))
        elif name in ('ls', 'cat', 'll', 'ldir', 'lf', 'lk', 'lx', 'sx', 'system'):
            command = line if name in ('sx', 'system') else ('ls -F ' if name != 'cat' else 'cat ') + line
            self.shell_text(node, command)
        elif name == 'env' and not line.strip():
            return
        elif name in ('cd', 'pushd', 'popd', 'bookmark', 'env', 'set_env'):
            self.ask(node, 'changesEnvironment', 'changes the working folder or environment (`%%%s %s`)' % (name, shown(line)))
        elif name in ('rm', 'rmdir', 'mv'):
            self.ask(node, 'deletesFiles', 'deletes or moves files (`%%%s %s`)' % (name, shown(line)))
        elif name in ('run', 'load', 'macro', 'load_ext', 'reload_ext', 'alias', 'store', 'autocall', 'config', 'recall', 'rerun', 'edit'):
            self.ask(node, 'runsDynamicCode', 'runs or defines code the check cannot see (`%%%s`)' % name)
        else:
            self.ask(node, 'unknownCode', 'uses the magic `%%%s`, which the check does not know to be harmless' % name)

    def cell_magic(self, node, name, line, body):
        if '{' in line or '$' in line:
            self.ask(node, 'runsDynamicCode', 'has IPython substitute Python expressions into `%%%%%s %s`' % (name, shown(line)))
            return
        if name in ('time', 'timeit', 'capture'):
            if name == 'timeit' and line.strip():
                self.nested(node, ' '.join(w for w in line.split() if not w.startswith('-') and not w.isdigit()))
            self.nested(node, body)
        elif name in ('bash', 'sh'):
            self.shell_text(node, body)
        elif name in ('writefile', 'file'):
            words = [w for w in line.split() if w != '-a' and w != '--append']
            path = words[0] if len(words) == 1 else None
            if not self.a.write_ok(path):
                self.write_reason(node, '%%' + name, path)
        elif name in ('markdown', 'latex'):
            return
        else:
            self.ask(node, 'runsDynamicCode' if name != 'script' else 'runsShell', 'runs a `%%%%%s` cell, which the check cannot read' % name)
