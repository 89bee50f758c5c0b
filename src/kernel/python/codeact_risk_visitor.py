"""The risky-code check's reading of one parsed cell (see codeact_risk_check.py)."""
import ast
import os

from codeact_risk_ipython import IPythonCalls
from codeact_risk_kinds import (DATA, DATA_SINKS, HANDLE, IMPORTABLE, LOCAL, SAFE_DUNDERS, SETTABLE, UNKNOWN, Binder,
                                local_read_literal, module_kind, rule_for)
from codeact_risk_rules import (ASK, ASK_METHODS, BUILTIN_ASK, CALLABLE_KEYWORDS, CODE_STRING_METHODS, HIGHER_ORDER,
                                PATH_KEYWORDS, RULES, SAFE_ANY_RECEIVER, SAFE_BUILTINS, WRITE_METHODS)
from codeact_risk_shell import shown


class CellVisitor(IPythonCalls, ast.NodeVisitor):
    """Reads one parsed cell: every reference, call and statement must be on the allowlist."""

    def __init__(self, analysis, tree, depth):
        self.a = analysis
        self.tree = tree
        self.depth = depth
        self.bindings = {}
        self.callees = set()
        self.kinds = None  # what each expression holds, remembered once the bindings are final
        self.parents = None

    def run(self):
        Binder(self).visit(self.tree)
        self.kinds = {}
        self.visit(self.tree)

    def ask(self, node, category, reason):
        self.a.ask(node, category, reason)

    # ---- what expressions hold ----------------------------------------------------------

    def kind_of(self, node):
        if self.kinds is None:
            return self.find_kind(node)
        kind = self.kinds.get(node)
        if kind is None:
            kind = self.kinds[node] = self.find_kind(node)
        return kind

    def find_kind(self, node):
        if isinstance(node, ast.Name):
            if node.id in self.bindings:
                return self.bindings[node.id]
            if node.id in SAFE_BUILTINS or node.id in BUILTIN_ASK or node.id == 'open':
                return module_kind('builtins.' + node.id)
            return UNKNOWN
        if isinstance(node, ast.Attribute):
            base = self.kind_of(node.value)
            if base[0] == 'qualified':
                return module_kind(base[1] + '.' + node.attr)
            return UNKNOWN if base is UNKNOWN else DATA
        if isinstance(node, ast.Call):
            func = self.kind_of(node.func)
            # What a call returns is known only for allowlisted functions and methods of values
            # made here, given arguments that are known: a local function may return its
            # parameters, a callable value may be anything (operator.attrgetter('system')(m)).
            if func is UNKNOWN or any(self.kind_of(a) is UNKNOWN for a in node.args + [k.value for k in node.keywords]):
                return UNKNOWN
            if func[0] != 'qualified' and not isinstance(node.func, ast.Attribute):
                return UNKNOWN
            if func[0] == 'qualified' and func[1] in ('pathlib.Path', 'pathlib.PurePath'):
                return ('path', self.literal_path(node.args[0]) if len(node.args) == 1 and not node.keywords else None)
            rule = rule_for(func[1]) if func[0] == 'qualified' else None
            if rule == 'open' or (isinstance(rule, tuple) and rule[0] == 'write'):
                return HANDLE
            return DATA
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left = self.kind_of(node.left)
            if left[0] == 'path':
                right = self.literal(node.right)
                joined = left[1] + '/' + right if left[1] is not None and isinstance(right, str) else None
                return ('path', joined)
        if isinstance(node, ast.Constant):
            return DATA
        if isinstance(node, ast.Lambda):
            return LOCAL
        if isinstance(node, ast.Starred):
            return self.kind_of(node.value)
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) and self.kind_of(child) is UNKNOWN:
                return UNKNOWN
        return DATA

    def literal(self, node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes, int, float, bool, type(None))):
            return node.value
        return Ellipsis

    def literal_path(self, node):
        """The string a path expression certainly holds, or None."""
        value = self.literal(node)
        if isinstance(value, str):
            return value
        kind = self.kind_of(node)
        if kind[0] == 'path':
            return kind[1]
        if isinstance(node, ast.Call) and self.kind_of(node.func) == module_kind('os.path.join') and not node.keywords:
            parts = [self.literal(arg) for arg in node.args]
            if parts and all(isinstance(part, str) for part in parts):
                return os.path.join(*parts)
        return None

    def path_argument(self, node, index):
        """Whether the call names a destination, and the path it certainly is (a file this
        cell opened through a checked call counts as checked: HANDLE)."""
        if index == 'self':
            return True, self.literal_path(node.func.value)
        target = node.args[index] if isinstance(index, int) and len(node.args) > index else None
        if target is None:
            target = next((k.value for k in node.keywords if k.arg in PATH_KEYWORDS), None)
        if target is None:
            return False, None
        if self.kind_of(target) == HANDLE:
            return True, HANDLE
        return True, self.literal_path(target)

    # ---- references ---------------------------------------------------------------------

    def check_qualified(self, node, name, called):
        rule = rule_for(name)
        shown_name = name[len('builtins.'):] if name.startswith('builtins.') else name
        if name.startswith('builtins.') and rule is None:
            if shown_name.split('.')[0] in BUILTIN_ASK:
                self.ask(node, BUILTIN_ASK[shown_name.split('.')[0]], 'calls `%s`' % shown_name if called else 'uses `%s`' % shown_name)
                return None
            return 'pure'
        if rule is None:
            self.ask(node, 'unknownCode', 'uses `%s`, which the check does not know to be harmless' % shown_name)
            return None
        if isinstance(rule, tuple) and rule[0] == ASK:
            self.ask(node, rule[1], rule[2] or ('calls `%s`' % shown_name if called else 'uses `%s`' % shown_name))
            return None
        last = name.rsplit('.', 1)[-1]
        if rule == 'pure' and (last in ASK_METHODS or (last in WRITE_METHODS and not name.startswith('pathlib.'))) and name not in RULES:
            self.ask(node, ASK_METHODS.get(last, 'writesOutsideWorkspace'), 'uses `%s`' % shown_name)
            return None
        if rule != 'pure' and not called:
            self.ask(node, 'unknownCode', 'uses `%s` without calling it, so the check cannot see its arguments' % shown_name)
            return None
        return rule

    def visit_Name(self, node):
        if not isinstance(node.ctx, ast.Load) or node in self.callees:
            return
        if node.id in BUILTIN_ASK:
            self.ask(node, BUILTIN_ASK[node.id], 'uses `%s`' % node.id)
        elif node.id.startswith('__') and node.id not in SAFE_DUNDERS:
            self.ask(node, 'runsDynamicCode', 'uses `%s`' % node.id)
        kind = self.kind_of(node)
        if kind[0] == 'qualified' and not kind[1].startswith('builtins.') and node.id in self.bindings and self.is_module(kind[1]):
            self.ask(node, 'unknownCode', 'passes the module `%s` around, which the check cannot follow' % kind[1])
        elif kind[0] == 'qualified' and not kind[1].startswith('builtins.'):
            self.check_qualified(node, kind[1], False)
        elif kind[0] == 'qualified' and kind[1] == 'builtins.open':
            self.ask(node, 'unknownCode', 'uses `open` without calling it, so the check cannot see its arguments')

    def data_position(self, node):
        """Whether a value is only used as data where it stands (an operand, an index, printed),
        so an unresolved attribute there (`sales.units * sales.price`) cannot be called."""
        if self.parents is None:  # only cells with unresolved attributes need it
            self.parents = {child: n for n in ast.walk(self.tree) for child in ast.iter_child_nodes(n)}
        parent = self.parents.get(node)
        if isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.FormattedValue, ast.Subscript, ast.Attribute)):
            return True
        if isinstance(parent, ast.Call) and node is not parent.func and isinstance(parent.func, ast.Name):
            return parent.func.id in DATA_SINKS and parent.func.id not in self.bindings
        if isinstance(parent, ast.Assign):
            return all(isinstance(target, ast.Subscript) for target in parent.targets)
        return False

    def is_module(self, name):
        return any(value == module_kind(name) and key.startswith('import:') for key, value in self.bindings.items())

    def visit_Attribute(self, node):
        called = node in self.callees
        if node.attr.startswith('__') and node.attr not in SAFE_DUNDERS:
            self.ask(node, 'runsDynamicCode', 'uses the special attribute `%s`' % node.attr)
        base = self.kind_of(node.value)
        if isinstance(node.ctx, ast.Load) and not called:
            if base[0] == 'qualified':
                self.check_qualified(node, base[1] + '.' + node.attr, False)
            elif base is UNKNOWN and node.attr not in SAFE_ANY_RECEIVER and not self.data_position(node):
                self.ask(node, 'unknownCode', 'uses a name the check cannot resolve: `%s`' % shown(ast.unparse(node)))
            elif node.attr in WRITE_METHODS or node.attr in ASK_METHODS:
                self.ask(node, ASK_METHODS.get(node.attr, 'writesOutsideWorkspace'), 'uses `.%s` without calling it' % node.attr)
        elif not isinstance(node.ctx, ast.Load) and base[0] == 'qualified' and not base[1].startswith(SETTABLE):
            self.ask(node, 'changesEnvironment', 'changes `%s.%s`' % (base[1], node.attr))
        if not (isinstance(node.value, ast.Name) and base[0] == 'qualified'):
            self.visit(node.value)

    def visit_Subscript(self, node):
        base = self.kind_of(node.value)
        if not isinstance(node.ctx, ast.Load) and base[0] == 'qualified' and not base[1].startswith(SETTABLE):
            self.ask(node, 'changesEnvironment', 'changes `%s`' % shown(ast.unparse(node.value)))
        self.generic_visit(node)

    # ---- calls --------------------------------------------------------------------------

    def visit_Call(self, node):
        func = node.func
        self.callees.add(func)
        if self.ipython_call(node):
            return
        if isinstance(func, ast.Name) and func.id == 'getattr':
            self.getattr_call(node)
            return
        if isinstance(func, (ast.Name, ast.Attribute)):
            kind = self.kind_of(func)
            if kind[0] == 'qualified':
                rule = self.check_qualified(func, kind[1], True)
                if rule is not None:
                    self.call_rule(node, kind[1], rule)
            elif isinstance(func, ast.Name) and kind is not LOCAL:
                self.ask(node, 'unknownCode', 'calls `%s`, which the check cannot resolve' % func.id)
            elif isinstance(func, ast.Attribute):
                self.method_call(node, func, kind)
            if isinstance(func, ast.Attribute):
                self.visit(func)
        else:
            self.ask(node, 'unknownCode', 'calls a computed function: `%s`' % shown(ast.unparse(func)))
            self.visit(func)
        self.higher_order(node)
        for arg in node.args:
            self.visit(arg)
        for keyword in node.keywords:
            if keyword.arg is None:
                self.ask(node, 'unknownCode', 'passes `**%s`, which the check cannot read' % shown(ast.unparse(keyword.value)))
            self.visit(keyword.value)

    def method_call(self, node, func, kind):
        receiver = self.kind_of(func.value)
        name = func.attr
        if receiver is UNKNOWN and name not in SAFE_ANY_RECEIVER:
            self.ask(node, 'unknownCode', 'uses a name the check cannot resolve: `%s`' % shown(ast.unparse(func)))
            return
        if name in ASK_METHODS:
            self.ask(node, ASK_METHODS[name], 'calls `.%s`' % name)
        elif receiver[0] == 'path' and name in ('open', 'replace', 'unlink'):
            if name == 'open':
                self.open_mode(node, node.args[0] if node.args else None, receiver[1], 'mode')
            else:
                self.ask(node, 'deletesFiles', 'moves or deletes a file (`.%s`)' % name)
        elif name == 'open':
            mode = self.literal(node.args[0]) if node.args else 'r'
            if not (isinstance(mode, str) and set(mode) <= set('rbt')) or node.keywords:
                self.ask(node, 'unknownCode', 'opens something with `.open` in a way the check cannot read')
        elif name in WRITE_METHODS:
            present, path = self.path_argument(node, WRITE_METHODS[name])
            if present and not self.a.write_ok(path):
                self.write_reason(node, '.' + name, path)
        elif name in CODE_STRING_METHODS:
            text = self.literal(node.args[0]) if node.args else None
            if not isinstance(text, str) or any(mark in text for mark in ('@', '(', '__')):
                self.ask(node, 'runsDynamicCode', 'runs a code string with `.%s` the check cannot read' % name)
        for keyword in node.keywords:
            if keyword.arg == 'backend':
                self.ask(node, 'runsDynamicCode', 'loads a plotting backend by name')

    def write_reason(self, node, what, path):
        if isinstance(path, str) and self.a.cwd is None and not path.startswith(('~', '/', '\\')) and '://' not in path:
            why = ' (%s)' % self.a.cwd_unknown if self.a.cwd_unknown else ''
            self.ask(node, 'writesOutsideWorkspace', "writes with `%s` to `%s`, relative to the kernel's working folder, which the check could not read%s" % (what, shown(path), why))
        elif path is None:
            self.ask(node, 'writesOutsideWorkspace', 'writes with `%s` to a path the check cannot resolve' % what)
        else:
            self.ask(node, 'writesOutsideWorkspace', 'writes with `%s` outside the folder: `%s`' % (what, shown(path)))

    def call_rule(self, node, name, rule):
        short = name[len('builtins.'):] if name.startswith('builtins.') else name
        if rule == 'open':
            path = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == 'file'), None)
            mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == 'mode'), None)
            if any(k.arg == 'opener' for k in node.keywords):
                self.ask(node, 'unknownCode', 'opens a file with a custom opener')
            self.open_mode(node, mode, None if path is None else self.literal_path(path), 'mode', path_node=path)
        elif rule[0] == 'write':
            present, path = self.path_argument(node, rule[1])
            if not present or not self.a.write_ok(path):
                self.write_reason(node, short, path)
        elif rule[0] == 'read':
            present, _ = self.path_argument(node, rule[1])
            target = node.args[rule[1]] if len(node.args) > rule[1] else next((k.value for k in node.keywords if k.arg in PATH_KEYWORDS), None)
            if present and not self.local_read(target):
                self.ask(node, 'networkWrite', 'reads from a location that may not be a local file (`%s`)' % short)
            if any(k.arg == 'allow_pickle' and self.literal(k.value) is not False for k in node.keywords):
                self.ask(node, 'runsDynamicCode', 'loads pickled data, which can run code (`%s`)' % short)
        elif rule == 'shell':
            self.subprocess_call(node, short)

    def local_read(self, node):
        if node is None:
            return True
        value = self.literal(node)
        if value is not Ellipsis:
            return local_read_literal(value)
        path = self.literal_path(node)
        if path is not None:
            return local_read_literal(path)
        if self.kind_of(node) == HANDLE or (isinstance(node, ast.Call) and self.kind_of(node.func) in (module_kind('io.StringIO'), module_kind('io.BytesIO'))):
            return True
        if isinstance(node, ast.JoinedStr) and node.values:
            first = self.literal(node.values[0])
            return isinstance(first, str) and local_read_literal(first) and first[:1].isalnum() and ('/' in first or '_' in first or '.' in first)
        return False

    def open_mode(self, node, mode_node, path, what, path_node=None):
        mode = 'r' if mode_node is None else self.literal(mode_node)
        if not isinstance(mode, str):
            self.ask(node, 'unknownCode', 'opens a file with a %s the check cannot read' % what)
        elif set(mode) & set('wax+'):
            if not self.a.write_ok(path):
                self.write_reason(node, 'open', path)

    def getattr_call(self, node):
        name = self.literal(node.args[1]) if len(node.args) >= 2 else None
        if not isinstance(name, str) or node.keywords:
            self.ask(node, 'runsDynamicCode', 'looks up an attribute by a computed name (`getattr`)')
            self.generic_visit(node)
            return
        attribute = ast.copy_location(ast.Attribute(value=node.args[0], attr=name, ctx=ast.Load()), node)
        self.visit_Attribute(attribute)
        for arg in node.args[2:]:
            self.visit(arg)

    def higher_order(self, node):
        func = node.func
        kind = self.kind_of(func)
        name = kind[1].rsplit('.', 1)[-1] if kind[0] == 'qualified' else func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        values = list(node.args) + [k.value for k in node.keywords]
        if name not in HIGHER_ORDER:
            values = [k.value for k in node.keywords if k.arg in CALLABLE_KEYWORDS]
        for value in values:
            if isinstance(value, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)) and self.kind_of(value) is UNKNOWN:
                self.ask(node, 'unknownCode', 'passes `%s`, which the check cannot resolve, to code that may call it' % shown(ast.unparse(value)))

    # ---- statements ---------------------------------------------------------------------

    def visit_ClassDef(self, node):
        for value in node.bases + [k.value for k in node.keywords]:
            if self.kind_of(value) is UNKNOWN:
                self.ask(node, 'unknownCode', 'defines a class on `%s`, which the check cannot resolve' % shown(ast.unparse(value)))
        self.decorators(node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self.decorators(node)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def decorators(self, node):
        """A decorator is called with what it decorates: it must resolve."""
        for decorator in node.decorator_list:
            if isinstance(decorator, (ast.Name, ast.Attribute)) and self.kind_of(decorator) is UNKNOWN:
                self.ask(decorator, 'unknownCode', 'decorates with `%s`, which the check cannot resolve' % shown(ast.unparse(decorator)))

    def visit_Import(self, node):
        for alias in node.names:
            self.check_import(node, alias.name)

    def visit_ImportFrom(self, node):
        if node.level or node.module is None:
            self.ask(node, 'runsDynamicCode', 'imports code from the folder (relative import)')
            return
        self.check_import(node, node.module)
        for alias in node.names:
            if alias.name == '*':
                self.ask(node, 'unknownCode', 'imports every name of `%s` (`*`), which the check cannot follow' % node.module)
            else:
                self.check_qualified(node, node.module + '.' + alias.name, True)

    def check_import(self, node, module):
        rule = rule_for(module)
        top = module.split('.')[0]
        if module not in IMPORTABLE and (rule is None or (isinstance(rule, tuple) and rule[0] == ASK)):
            category = rule[1] if isinstance(rule, tuple) else 'unknownCode'
            self.ask(node, category, 'imports `%s`, which the check does not know to be harmless' % module)
        elif any(shadows(place, top) for place in (self.a.folder, self.a.cwd) if place):
            self.ask(node, 'runsDynamicCode', 'imports `%s`, which a file in the folder may shadow' % top)
        elif self.a.cwd is None:
            why = ': %s' % self.a.cwd_unknown if self.a.cwd_unknown else ''
            self.ask(node, 'runsDynamicCode', "imports `%s`, which a file in the kernel's working folder (not known%s) may shadow" % (top, why))


def shadows(place, top):
    """Whether a module file or package folder named `top` in `place` is imported instead of
    the library (the kernel's working folder is first on its path)."""
    return os.path.exists(os.path.join(place, top + '.py')) or os.path.isdir(os.path.join(place, top))
